// Model-size presets, the checks the form runs before anything is allocated, the size and
// memory estimates it shows, and the TrainConfig the engine takes. Plain data in, plain data
// out: no DOM, no engine (tested in Node).

import { TRAIN_PROPS } from '../state.js';
import { formatNumber, t } from '../i18n/i18n.js';

/** A preset fixes every size and the recipe (learning rate, steps); editing one makes it Custom. */
export const PRESETS = {
  tiny: { layers: 1, heads: 2, embd: 32, ctx: 32, batch: 16, lr: 0.01, steps: 500 },
  small: { layers: 2, heads: 4, embd: 64, ctx: 64, batch: 16, lr: 0.005, steps: 1000 },
  medium: { layers: 4, heads: 4, embd: 128, ctx: 128, batch: 32, lr: 0.002, steps: 2000 },
};
export const PRESET_FIELDS = ['layers', 'heads', 'embd', 'ctx', 'batch', 'lr', 'steps'];

/** WebGPU's default limits, which every adapter offers: the engine may get more on a real GPU. */
const DEFAULT_BINDING_BYTES = 128 * 2 ** 20; // maxStorageBufferBindingSize
const DEFAULT_BUFFER_BYTES = 256 * 2 ** 20; // maxBufferSize
const MEMORY_WARN_BYTES = 1024 * 2 ** 20; // above this a tab may run out of GPU memory
const F32 = 4; // bytes
const STATE_COPIES = 7; // weights, gradients, AdamW m and v, and the last good copy of weights, m, v
const BACKWARD_FACTOR = 1.5; // activation gradients, roughly half again the activations

const RANGES = Object.fromEntries(TRAIN_PROPS.filter((p) => p.min !== undefined).map((p) => [p.name, [p.min, p.max]]));

/** A preset's values for a family: a family's data may ask for its own context, batch or rate (FAMILIES). */
export function presetValues(name, family) {
  return PRESETS[name] && { ...PRESETS[name], ...familyOf(family).presetChanges };
}

/** The preset whose every field equals `settings`' (for its family), else 'custom'. */
export function presetOf(settings) {
  for (const name of Object.keys(PRESETS)) {
    const p = presetValues(name, settings.family);
    if (PRESET_FIELDS.every((f) => p[f] === settings[f])) return name;
  }
  return 'custom';
}

/**
 * Settings made consistent: a named preset sets its fields (for the settings' family), and
 * 'custom' that happens to equal a preset is named after it.
 * @param {object} settings TRAIN_PROPS values
 */
export function normalize(settings) {
  const p = presetValues(settings.preset, settings.family);
  const out = { ...settings };
  if (p) for (const f of PRESET_FIELDS) out[f] = p[f];
  out.preset = presetOf(out);
  return out;
}

/** The settings that choose the architecture (the Architecture fieldset), with GPT-2's values. */
export const ARCH_DEFAULTS = { norm: 'layer_norm', normpos: 'pre', positions: 'learned', ffn: 'gelu', head: 'tied' };

/**
 * The model families, one entry each (the form's Family choice is built from this list):
 * `config` is what the family sets in the engine's ModelConfig, `tasks` which data it trains on
 * ('lm': the tasks a model continues and the user's text; 'classify': the tasks with classes;
 * 'seq2seq': the encoder-decoder's reversal task), `mask`: its vocabulary gains [MASK]; `shows`: what
 * the Train page shows of it while it trains ('samples' of its writing, the default; 'masked': its
 * guesses for hidden tokens; 'classes': its class probabilities; 'seq2seq': its alignment and
 * teacher forcing vs step-by-step decoding), `presetChanges`: what its presets set otherwise than
 * GPT's, so that each family's Tiny visibly learns within a minute on the CPU engine
 * (web/tests/family-defaults.test.mjs; the numbers in the comments were measured there).
 * Its `label` and `explain` are the catalog's words (train.family.<name>.*), read when shown.
 */
const words = {
  get label() { return t(`train.family.${this.name}.label`); },
  get explain() { return t(`train.family.${this.name}.explain`); },
};
export const FAMILIES = [
  {
    name: 'decoder', tasks: 'lm', mask: false, config: { family: 'decoder', n_classes: 0 },
  },
  {
    // only the hidden 15% of the tokens teach it: on the grammar, context 32 and batch 16 went 3.22 → 2.52 in 500 steps;
    // context 16 and batch 64 (twice the tokens per step) halve it by step 225
    name: 'mlm', tasks: 'lm', mask: true, shows: 'masked', config: { family: 'encoder', n_classes: 0 },
    presetChanges: { ctx: 16, batch: 64 },
  },
  {
    // the bracket strings are short: at context 32 and batch 16 it stayed at 50/50; at 16 and 32, validation loss 0.004 by step 100
    name: 'cls', tasks: 'classify', mask: false, shows: 'classes', config: { family: 'encoder', n_classes: 2 },
    presetChanges: { ctx: 16, batch: 32 },
  },
  {
    // reversal: at batch 16 and rate 0.01 the loss stopped near 1.7 (the letters' frequencies); at 32 and 0.003, 0.013 after 500 steps
    name: 'encdec', tasks: 'seq2seq', mask: false, shows: 'seq2seq',
    config: { family: 'encoder_decoder', n_classes: 0 },
    presetChanges: { ctx: 8, batch: 32, lr: 0.003 },
  },
].map((f) => Object.setPrototypeOf(f, words));
export const familyOf = (name) => FAMILIES.find((f) => f.name === name) ?? FAMILIES[0];

/** The encoder-decoder's task in the engine's list (its only data). */
export const SEQ2SEQ_TASK = 'reversal';

/** Whether a task (from the engine's list) is one a family trains on. */
export function familyTakes(family, task) {
  const kind = task.name === SEQ2SEQ_TASK ? 'seq2seq' : (task.classes ?? []).length > 0 ? 'classify' : 'lm';
  return familyOf(family).tasks === kind;
}

/** Whether settings choose the encoder-decoder (trained and inspected through `translate`). */
export const isEncDec = (s) => familyOf(s?.family).tasks === 'seq2seq';

/** The model's sizes and architecture as the engine's ModelConfig (without vocab_size). */
export function modelConfig(s) {
  const a = { ...ARCH_DEFAULTS, ...s };
  return {
    block_size: s.ctx, n_layer: s.layers, n_head: s.heads, n_embd: s.embd,
    norm: a.norm, norm_position: a.normpos, positions: a.positions, ffn: a.ffn, tie_head: a.head === 'tied',
    ...familyOf(s.family).config,
  };
}

/** The family a ModelConfig belongs to (a loaded checkpoint's). */
function familyOfConfig(c) {
  const family = c.family ?? 'decoder';
  const classes = c.n_classes ?? 0;
  return (FAMILIES.find((f) => f.config.family === family && (f.config.n_classes > 0) === (classes > 0)) ?? FAMILIES[0]).name;
}

/** The form's settings for a ModelConfig's sizes and architecture (a loaded checkpoint's). */
export function settingsOfConfig(c) {
  return {
    layers: c.n_layer, heads: c.n_head, embd: c.n_embd, ctx: c.block_size,
    norm: c.norm ?? ARCH_DEFAULTS.norm, normpos: c.norm_position ?? ARCH_DEFAULTS.normpos,
    positions: c.positions ?? ARCH_DEFAULTS.positions, ffn: c.ffn ?? ARCH_DEFAULTS.ffn,
    head: c.tie_head === false ? 'untied' : 'tied',
    family: familyOfConfig(c),
  };
}

/** H, the FFN's hidden width (ModelConfig::ffn_width): 4C, or SwiGLU's 8C/3 rounded up to a multiple of 8. */
export function ffnWidth(ffn, embd) {
  return ffn === 'swi_glu' ? Math.ceil(Math.ceil((8 * embd) / 3) / 8) * 8 : 4 * embd;
}

/**
 * The engine's TrainConfig for these settings: nanoGPT's AdamW recipe, warmup over the first
 * tenth (at most 100 steps), cosine decay to a tenth of the peak learning rate.
 */
export function trainConfig(s) {
  return {
    batch_size: s.batch,
    learning_rate: s.lr,
    min_lr: s.lr / 10,
    warmup_steps: Math.min(100, Math.floor(s.steps / 10)),
    max_steps: s.steps,
    weight_decay: 0.1,
    beta1: 0.9,
    beta2: 0.99,
    eps: 1e-8,
    grad_clip: 1.0,
    seed: s.seed,
  };
}

/** Steps between evaluations (validation loss, a sample, the attention maps): about 40 per run. */
export function evalEvery(steps) {
  return Math.max(25, Math.round(steps / 40));
}

/** Parameters of a GPT with these sizes, architecture and `vocab` tokens (ModelConfig::param_count). */
export function paramCount(s, vocab) {
  const { layers, embd: c, ctx } = s;
  const a = { ...ARCH_DEFAULTS, ...s };
  const h = ffnWidth(a.ffn, c);
  const fc = a.ffn === 'swi_glu' ? 2 * h : h;
  const norm = a.norm === 'rms_norm' ? c : 2 * c;
  const perBlock = 2 * norm + 4 * c * c + 4 * c + fc * c + fc + c * h + c;
  const wpe = a.positions === 'learned' ? ctx * c : 0;
  const head = a.head === 'untied' ? vocab * c : 0;
  const k = familyOf(s.family).config.n_classes;
  const classifier = k * c + k;
  // an encoder-decoder adds the encoder's final norm and decoder blocks with cross-attention (ln_x, c_q, c_kv, c_proj)
  const decoder = isEncDec(s) ? norm + layers * (perBlock + norm + 4 * c * c + 4 * c) : 0;
  return vocab * c + wpe + layers * perBlock + norm + head + classifier + decoder;
}

/**
 * What a training run allocates, roughly: the parameters in STATE_COPIES copies plus the
 * activations of one batch kept for the backward pass.
 * @returns {{ params: number, bytes: number, tokensPerStep: number, tensors: { what: string, bytes: number }[],
 *   largest: { what: string, bytes: number } }} tensors: the largest single tensors, each in one GPU buffer
 *   (ModelConfig::check_device checks the same four)
 */
export function estimate(s, vocab) {
  const { layers: L, heads: NH, embd: C, ctx: T, batch: B } = s;
  const params = paramCount(s, vocab);
  const perLayer = 15 * B * T * C + 2 * B * NH * T * T;
  const stacks = isEncDec(s) ? 2 : 1; // an encoder-decoder keeps both stacks' activations (and more: cross-attention)
  const activations = stacks * L * perLayer + 2 * B * T * vocab + B * T * C;
  const bytes = F32 * (STATE_COPIES * params + BACKWARD_FACTOR * activations);
  const tensors = [ // what: TENSORS' key
    { what: 'ffn', bytes: F32 * B * T * (s.ffn === 'swi_glu' ? 2 * ffnWidth('swi_glu', C) : 4 * C) },
    { what: 'logits', bytes: F32 * B * T * vocab },
    { what: 'attention', bytes: F32 * B * NH * T * T },
    { what: 'embedding', bytes: F32 * vocab * C },
  ];
  const largest = tensors.reduce((a, b) => (b.bytes > a.bytes ? b : a));
  return { params, bytes, tokensPerStep: B * T, tensors, largest };
}

/** "1.2 MB", "340 kB", "3.1 GB", "1,824.4 GB" (decimal units; the number as the page's language writes it). */
export function formatBytes(bytes) {
  const one = (x) => formatNumber(x, { minimumFractionDigits: 1, maximumFractionDigits: 1 });
  if (bytes >= 1e9) return `${one(bytes / 1e9)} GB`;
  if (bytes >= 1e6) return `${one(bytes / 1e6)} MB`;
  return `${formatNumber(Math.max(1, Math.round(bytes / 1e3)))} kB`;
}

/** The tensors `estimate` names: [their name in words, e.g. "the logits (B×T×V)"; the warning where one is the largest]. */
const TENSORS = {
  ffn: ['train.tensor.ffn', 'train.check.largestWarn.ffn'],
  logits: ['train.tensor.logits', 'train.check.largestWarn.logits'],
  attention: ['train.tensor.attention', 'train.check.largestWarn.attention'],
  embedding: ['train.tensor.embedding', 'train.check.largestWarn.embedding'],
};
const tensorName = (what) => t(TENSORS[what][0]);

/**
 * Checks the settings as the form shows them; nothing is allocated. `errors` (keyed by field) and
 * `refused` (what the engine could not hold, named with the numbers) block Start; `warnings` do not.
 * @param {object} s settings (numbers may be NaN when a field is not a number)
 * @param {number} vocab tokens in the vocabulary the data gives
 * @param {{ runsOn: 'webgpu'|'cpu'|null, limits?: { maxBufferSize: number, maxStorageBufferBindingSize: number },
 *   memory?: { bytes: number, why: string }|null }} [target] where the run would train (engine-choice.js):
 *   the adapter's limits on WebGPU, and the memory the tab can use; runsOn null: not known yet
 * @returns {{ errors: Record<string, string>, refused: string[], warnings: string[] }}
 */
export function check(s, vocab, target = { runsOn: null }) {
  const errors = {};
  for (const [f, [lo, hi]] of Object.entries(RANGES)) {
    const x = s[f];
    const field = t(`train.field.${f}`);
    // the bounds as the form's fields take them (0.00001, not 1e-5)
    const range = { field, lo: String(lo), hi: String(hi) };
    if (!Number.isFinite(x) || (f !== 'lr' && !Number.isInteger(x))) errors[f] = t(f === 'lr' ? 'train.check.notNumber' : 'train.check.notWhole', range);
    else if (x < lo || x > hi) errors[f] = t('train.check.outOfRange', { ...range, x: String(x) });
  }
  if (!errors.embd && !errors.heads && s.embd % s.heads !== 0) {
    const lower = s.embd - (s.embd % s.heads);
    errors.embd = t('train.check.divisible', { c: s.embd, heads: s.heads, a: lower || s.heads, b: lower + s.heads });
  } else if (!errors.embd && !errors.heads && s.positions === 'rotary' && (s.embd / s.heads) % 2 !== 0) {
    errors.embd = t('train.check.rotaryEven', { hs: s.embd / s.heads, a: s.embd + s.heads, b: 2 * s.heads });
  }
  if (Object.keys(errors).length > 0) return { errors, refused: [], warnings: [] };
  const e = estimate(s, vocab);
  const refused = [];
  const warnings = [];
  if (target.memory && e.bytes > target.memory.bytes) {
    refused.push(t('train.check.memoryRefused', { size: formatBytes(e.bytes), limit: target.memory.why, batch: s.batch, ctx: s.ctx }));
  } else if (e.bytes > MEMORY_WARN_BYTES) {
    warnings.push(t('train.check.memoryWarn', { size: formatBytes(e.bytes) }));
  }
  if (target.runsOn === 'webgpu') {
    const { maxStorageBufferBindingSize: binding, maxBufferSize: buffer } = target.limits;
    const over = e.tensors.filter((x) => x.bytes > binding);
    if (over.length) {
      const list = over.map((x) => t('train.check.tensorSize', { tensor: tensorName(x.what), size: formatBytes(x.bytes) })).join(t('train.check.listSeparator'));
      refused.push(t('train.check.bufferRefused', { limit: formatBytes(binding), list }));
    }
    if (F32 * e.params > buffer) {
      refused.push(t('train.check.weightsRefused', { size: formatBytes(F32 * e.params), limit: formatBytes(buffer) }));
    }
  } else if (target.runsOn === null) {
    if (e.largest.bytes > DEFAULT_BINDING_BYTES) {
      warnings.push(t(TENSORS[e.largest.what][1], { size: formatBytes(e.largest.bytes), limit: formatBytes(DEFAULT_BINDING_BYTES) }));
    }
    if (F32 * e.params > DEFAULT_BUFFER_BYTES) {
      warnings.push(t('train.check.weightsWarn', { size: formatBytes(F32 * e.params) }));
    }
  }
  return { errors, refused, warnings };
}

