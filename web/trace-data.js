// From a trace to what each view draws. `traceKeys` lists every key the page shows for the
// chosen layer and head (one forward call asks for all of them); `viewData` slices the
// trace into the plain objects that the views' update() methods take.

import { tokenLabel } from './views/format.js';

/** The key of block `layer`'s input: the embeddings for block 0, else the previous block's output. */
function blockInputKey(layer) {
  return layer === 0 ? 'embed' : `block${layer - 1}.residual`;
}

/**
 * Every trace key the views need for `layer` and `head`.
 * @param {{ n_layer: number, n_head: number }} config
 * @returns {string[]}
 */
export function traceKeys(config, layer, head) {
  const b = `block${layer}`;
  const h = `${b}.head${head}`;
  const keys = ['embed.tok', 'embed.pos', 'embed', blockInputKey(layer), `${b}.ln1`];
  keys.push(`${h}.q`, `${h}.k`, `${h}.v`, `${h}.scores`, `${h}.att`, `${h}.out`);
  keys.push(`${b}.attn.concat`, `${b}.attn.proj`, `${b}.res1`, `${b}.ffn.pre`, `${b}.ffn.act`);
  for (let l = 0; l < config.n_layer; l++) {
    for (let hh = 0; hh < config.n_head; hh++) keys.push(`block${l}.head${hh}.att`);
    keys.push(`block${l}.res1`, `block${l}.residual`);
  }
  keys.push('logits', 'probs');
  return [...new Set(keys)];
}

/** Euclidean length of every row of a rows×cols matrix. */
export function rowNorms(data, rows, cols) {
  const out = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let c = 0; c < cols; c++) s += data[r * cols + c] ** 2;
    out[r] = Math.sqrt(s);
  }
  return out;
}

/** The residual stream's stages (short names) and the keys they are read from. */
export function residualStages(nLayer) {
  const stages = [{ name: 'X₀', key: 'embed' }];
  for (let l = 0; l < nLayer; l++) stages.push({ name: `+attn ${l}`, key: `block${l}.res1` }, { name: `+MLP ${l}`, key: `block${l}.residual` });
  return stages;
}

/**
 * Slices a trace into each view's data.
 * @param {Record<string, {shape: number[], data: Float32Array}>} trace engine.forward's result
 * @param {{ config: object, vocab: string[], layer: number, head: number, input: object }} ctx
 */
export function viewData(trace, { config, vocab, layer, head, input }) {
  const T = input.ids.length;
  const C = config.n_embd;
  const NH = config.n_head;
  const HS = C / NH;
  const F = 4 * C;
  const V = vocab.length;
  const labels = input.labels.map(tokenLabel);
  const get = (key) => trace[key].data;
  const b = `block${layer}`;
  const h = `${b}.head${head}`;
  const stages = residualStages(config.n_layer);
  const norms = new Float32Array(stages.length * T);
  stages.forEach((s, i) => norms.set(rowNorms(get(s.key), T, C), i * T));
  const lastRow = (key) => get(key).slice((T - 1) * V, T * V);
  return {
    tokens: { items: input.items, hiddenBefore: input.hiddenBefore, ids: Array.from(input.ids), vocab, blockSize: config.block_size },
    embeddings: { labels, T, C, V, blockSize: config.block_size, tok: get('embed.tok'), pos: get('embed.pos'), sum: get('embed') },
    layernorm: { labels, T, C, layer, input: get(blockInputKey(layer)), output: get(`${b}.ln1`) },
    head: {
      labels, T, C, NH, HS, layer, head,
      x: get(`${b}.ln1`), q: get(`${h}.q`), k: get(`${h}.k`), v: get(`${h}.v`),
      scores: get(`${h}.scores`), att: get(`${h}.att`), out: get(`${h}.out`),
      concat: get(`${b}.attn.concat`), proj: get(`${b}.attn.proj`), res1: get(`${b}.res1`),
    },
    attention: {
      labels, T, layer, head,
      maps: Array.from({ length: config.n_layer }, (_, l) => Array.from({ length: NH }, (_, hh) => get(`block${l}.head${hh}.att`))),
    },
    ffn: { labels, T, C, F, layer, pre: get(`${b}.ffn.pre`), act: get(`${b}.ffn.act`) },
    residual: { labels, T, C, stages: stages.map((s) => s.name), norms },
    output: { vocab, text: input.labels.join(''), position: T - 1, C, logits: lastRow('logits'), probs: lastRow('probs') },
  };
}
