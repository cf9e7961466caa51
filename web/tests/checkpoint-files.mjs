// Transformer Playground checkpoints made in a test, of any size: GPT-2's architecture (the
// engine's defaults) with seeded weights, the config and the character vocabulary in the header
// as the engine writes them, nanoGPT's tensor names and the tied head stored twice. Large
// models (tens of megabytes) are made here rather than committed.
import { safetensors, values } from './gpt2-files.mjs';

/** Printable ASCII and the newline: the default model's 96 characters. */
export const ASCII = '\n' + Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)).join('');

/**
 * @param {{ vocab?: string|string[], ctx?: number, layers?: number, heads?: number, embd?: number, metadata?: object }} o
 *   vocab: the characters, one token each; metadata: more header entries (step, data, train_config as a string, …)
 * @returns {Buffer} the .safetensors bytes
 */
export function playgroundCheckpoint({ vocab = ASCII, ctx = 64, layers = 1, heads = 2, embd = 16, metadata = {} } = {}) {
  const chars = [...vocab];
  const [V, C] = [chars.length, embd];
  let seed = 7;
  const t = (shape, std, mean = 0) => ({ shape, data: values(shape.reduce((a, b) => a * b, 1), seed++, std, mean) });
  const wte = t([V, C], 0.3);
  const tensors = { 'transformer.wte.weight': wte, 'lm_head.weight': wte, 'transformer.wpe.weight': t([ctx, C], 0.1) };
  for (let l = 0; l < layers; l++) {
    const p = `transformer.h.${l}.`;
    Object.assign(tensors, {
      [`${p}ln_1.weight`]: t([C], 0.1, 1),
      [`${p}ln_1.bias`]: t([C], 0.1),
      [`${p}attn.c_attn.weight`]: t([3 * C, C], 0.2),
      [`${p}attn.c_attn.bias`]: t([3 * C], 0.05),
      [`${p}attn.c_proj.weight`]: t([C, C], 0.1),
      [`${p}attn.c_proj.bias`]: t([C], 0.05),
      [`${p}ln_2.weight`]: t([C], 0.1, 1),
      [`${p}ln_2.bias`]: t([C], 0.1),
      [`${p}mlp.c_fc.weight`]: t([4 * C, C], 0.1),
      [`${p}mlp.c_fc.bias`]: t([4 * C], 0.05),
      [`${p}mlp.c_proj.weight`]: t([C, 4 * C], 0.1),
      [`${p}mlp.c_proj.bias`]: t([C], 0.05),
    });
  }
  tensors['transformer.ln_f.weight'] = t([C], 0.1, 1);
  tensors['transformer.ln_f.bias'] = t([C], 0.1);
  const config = { vocab_size: V, block_size: ctx, n_layer: layers, n_head: heads, n_embd: C };
  return safetensors(tensors, {
    format: 'transformer-playground',
    format_version: '1',
    config: JSON.stringify(config),
    vocab: JSON.stringify(chars),
    ...metadata,
  });
}
