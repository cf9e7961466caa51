// What the page reads from a model while it trains, besides the loss: the attention maps of
// a fixed probe input (an encoder-decoder's cross-attention and decodings of a fixed source),
// and a sample of what it writes after a fixed prompt. Each is a few
// engine calls, made between training calls (never concurrently with one).

import { traceText } from '../trace.js';
import { attentionKey } from '../trace-data.js';

/**
 * The attention weights of every layer and head for `text`.
 * @param {object} engine from createEngine/loadEngine
 * @param {string} text the probe (characters outside the vocabulary are left out)
 * @returns {Promise<{ ids: number[], labels: string[], maps: Float32Array[][] }|null>} maps[l][h] is T×T; null for no tokens
 */
export async function probeAttention(engine, text) {
  const c = engine.config;
  const key = (l, h) => attentionKey(engine, l, h);
  const keys = [];
  for (let l = 0; l < c.n_layer; l++) for (let h = 0; h < c.n_head; h++) keys.push(key(l, h));
  const { input, trace } = await traceText(engine, text, { keys });
  if (input.ids.length === 0) return null;
  return {
    ids: Array.from(input.ids),
    labels: input.labels,
    maps: Array.from({ length: c.n_layer }, (_, l) => Array.from({ length: c.n_head }, (_, h) => trace[key(l, h)].data)),
  };
}

/**
 * An encoder-decoder's probe: `source` run with teacher forcing and step by step (the worker's
 * `translate`); its `maps` are the step-by-step pass's cross-attention, maps[l][h] T×T with
 * target rows and source columns, and `labels` the padded source.
 * @returns {Promise<{ ids: number[], labels: string[], maps: number[][][], cross: true, translation: object }>}
 */
export async function probeSeq2Seq(engine, source) {
  const translation = await engine.translate(source);
  return { ids: translation.source.map((_, i) => i), labels: translation.source, maps: translation.cross, cross: true, translation };
}

/** The probe a model's family has: an encoder-decoder's translation, else the attention of `text`. */
export function probeModel(engine, text) {
  return engine.config.family === 'encoder_decoder' ? probeSeq2Seq(engine, text) : probeAttention(engine, text);
}

/**
 * `n` tokens continuing `prompt`, drawn with the engine's generator restarted at `seed` (so a
 * sample can be drawn again).
 * @returns {Promise<{ prompt: string, text: string }>} the prompt as the model saw it, and its continuation
 */
export async function sampleText(engine, prompt, { n, temperature, seed }) {
  const { ids } = await engine.encode(prompt);
  await engine.setSeed(seed);
  const out = await engine.generate(ids, n, temperature, 0, 1);
  return { prompt: Array.from(ids, (id) => engine.vocab[id]).join(''), text: await engine.decode(out) };
}
