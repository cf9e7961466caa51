// The glossary: every term the page marks, with a short definition in plain words. Text on the
// page marks a term as [[term]] or [[term|shown words]] (glossary.js); a marked term missing
// here is a defect (web/tests/learn-logic.test.mjs and learn.test.mjs check every one). The
// names and definitions are messages (web/locales/<code>/learn.json), read when shown.

import { t } from '../i18n/i18n.js';

const term = (name, text) => ({ get name() { return t(name); }, get text() { return t(text); } });

export const GLOSSARY = {
  token: term('learn.glossary.token.name', 'learn.glossary.token.text'),
  vocabulary: term('learn.glossary.vocabulary.name', 'learn.glossary.vocabulary.text'),
  embedding: term('learn.glossary.embedding.name', 'learn.glossary.embedding.text'),
  position: term('learn.glossary.position.name', 'learn.glossary.position.text'),
  vector: term('learn.glossary.vector.name', 'learn.glossary.vector.text'),
  layer: term('learn.glossary.layer.name', 'learn.glossary.layer.text'),
  head: term('learn.glossary.head.name', 'learn.glossary.head.text'),
  attention: term('learn.glossary.attention.name', 'learn.glossary.attention.text'),
  query: term('learn.glossary.query.name', 'learn.glossary.query.text'),
  key: term('learn.glossary.key.name', 'learn.glossary.key.text'),
  value: term('learn.glossary.value.name', 'learn.glossary.value.text'),
  score: term('learn.glossary.score.name', 'learn.glossary.score.text'),
  mask: term('learn.glossary.mask.name', 'learn.glossary.mask.text'),
  softmax: term('learn.glossary.softmax.name', 'learn.glossary.softmax.text'),
  residual: term('learn.glossary.residual.name', 'learn.glossary.residual.text'),
  norm: term('learn.glossary.norm.name', 'learn.glossary.norm.text'),
  mlp: term('learn.glossary.mlp.name', 'learn.glossary.mlp.text'),
  activation: term('learn.glossary.activation.name', 'learn.glossary.activation.text'),
  logit: term('learn.glossary.logit.name', 'learn.glossary.logit.text'),
  probability: term('learn.glossary.probability.name', 'learn.glossary.probability.text'),
  temperature: term('learn.glossary.temperature.name', 'learn.glossary.temperature.text'),
  topk: term('learn.glossary.topk.name', 'learn.glossary.topk.text'),
  topp: term('learn.glossary.topp.name', 'learn.glossary.topp.text'),
  loss: term('learn.glossary.loss.name', 'learn.glossary.loss.text'),
  gradient: term('learn.glossary.gradient.name', 'learn.glossary.gradient.text'),
  weight: term('learn.glossary.weight.name', 'learn.glossary.weight.text'),
  matrix: term('learn.glossary.matrix.name', 'learn.glossary.matrix.text'),
  decoder: term('learn.glossary.decoder.name', 'learn.glossary.decoder.text'),
  encoder: term('learn.glossary.encoder.name', 'learn.glossary.encoder.text'),
  encdec: term('learn.glossary.encdec.name', 'learn.glossary.encdec.text'),
  cross: term('learn.glossary.cross.name', 'learn.glossary.cross.text'),
  logitlens: term('learn.glossary.logitlens.name', 'learn.glossary.logitlens.text'),
  ablation: term('learn.glossary.ablation.name', 'learn.glossary.ablation.text'),
  sink: term('learn.glossary.sink.name', 'learn.glossary.sink.text'),
  induction: term('learn.glossary.induction.name', 'learn.glossary.induction.text'),
  flops: term('learn.glossary.flops.name', 'learn.glossary.flops.text'),
  rnn: term('learn.glossary.rnn.name', 'learn.glossary.rnn.text'),
};
