// Each step of Explore in two registers: plain (words, no symbols) and technical (the
// equations' words and shapes). Terms are marked for the glossary ([[term]], glossary.js). The
// texts are messages (web/locales/<code>/learn.json), read when shown; the technical ones name the
// loaded model's parts (its final norm, output matrix and feed-forward kind: model-words.js).

import { t } from '../i18n/i18n.js';
import { TOY_WORDS, outputSymbols } from '../views/model-words.js';

/** The select parameters and symbols a technical line reads for a model's words. */
const params = (words) => ({ ...words, ...outputSymbols(words) });

/**
 * A step's two texts: `read(mode, words)` for a model's words; `plain` and `technical` for the
 * toy GPT's.
 */
const registers = (plain, technical) => ({
  read: (mode, words = TOY_WORDS) => (mode === 'plain' ? t(plain) : t(technical, params(words))),
  get plain() { return this.read('plain'); },
  get technical() { return this.read('technical'); },
});
export const STEP_WORDS = {
  map: registers('learn.steps.map.plain', 'learn.steps.map.technical'),
  tokens: registers('learn.steps.tokens.plain', 'learn.steps.tokens.technical'),
  embeddings: registers('learn.steps.embeddings.plain', 'learn.steps.embeddings.technical'),
  space: registers('learn.steps.space.plain', 'learn.steps.space.technical'),
  positions: registers('learn.steps.positions.plain', 'learn.steps.positions.technical'),
  layernorm: registers('learn.steps.layernorm.plain', 'learn.steps.layernorm.technical'),
  head: registers('learn.steps.head.plain', 'learn.steps.head.technical'),
  attention: registers('learn.steps.attention.plain', 'learn.steps.attention.technical'),
  heads: registers('learn.steps.heads.plain', 'learn.steps.heads.technical'),
  ffn: registers('learn.steps.ffn.plain', 'learn.steps.ffn.technical'),
  residual: registers('learn.steps.residual.plain', 'learn.steps.residual.technical'),
  output: registers('learn.steps.output.plain', 'learn.steps.output.technical'),
  lens: registers('learn.steps.lens.plain', 'learn.steps.lens.technical'),
  ablation: registers('learn.steps.ablation.plain', 'learn.steps.ablation.technical'),
  rnn: registers('learn.steps.rnn.plain', 'learn.steps.rnn.technical'),
  cost: registers('learn.steps.cost.plain', 'learn.steps.cost.technical'),
};
