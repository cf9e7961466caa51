// The page's state in the URL hash, so that a reload or a shared link shows the same thing
// (tensorflow/playground's PROPS table). Every value is validated against the model: a bad or
// unknown one falls back to its default and yields a message; nothing here throws.
// Two pages share the hash: Explore (PROPS below) and Train (`page=train`, TRAIN_PROPS).

import { t } from './i18n/i18n.js';

/** The sections of the page, in the order data flows; `view` names the one in sight. */
export const VIEWS = ['tokens', 'embeddings', 'layernorm', 'head', 'attention', 'ffn', 'residual', 'output', 'lens', 'ablation', 'cost'];
export const MAX_TEXT = 2000; // characters: a longer text from a URL is cut (with a message)
export const MAX_TEMPERATURE = 2;
export const TOUR_LENGTH = 15; // stops of the guided tour (web/learn/tour-stops.js)
const MAX_SEED = 2 ** 32 - 1;

/**
 * One row per URL parameter. `def`, `min` and `max` may depend on the model's limits
 * `{ nLayer, nHead, vocabSize, example }`.
 */
const PROPS = [
  { name: 'text', type: 'text', def: (m) => m.example },
  { name: 'layer', type: 'int', def: 0, min: 0, max: (m) => m.nLayer - 1 },
  { name: 'head', type: 'int', def: 0, min: 0, max: (m) => m.nHead - 1 },
  { name: 'view', type: 'enum', def: 'tokens', values: VIEWS },
  { name: 'temp', type: 'number', def: 1, min: 0, max: MAX_TEMPERATURE },
  { name: 'topk', type: 'int', def: 0, min: 0, max: (m) => m.vocabSize },
  { name: 'topp', type: 'number', def: 1, min: 0.01, max: 1 },
  { name: 'seed', type: 'int', def: 1, min: 0, max: MAX_SEED },
  { name: 'tour', optional: true, type: 'int', def: 0, min: 0, max: TOUR_LENGTH }, // the guided tour's stop (0: none)
  // a model of the Hugging Face hub (owner/name) or a base URL in its layout, opened in place of the default (web/hub-model.js)
  { name: 'model', optional: true, type: 'repo', def: '' },
];

/** A repo name as the hub spells it: `name` or `owner/name`. */
export const REPO = /^[A-Za-z0-9][A-Za-z0-9._-]*(\/[A-Za-z0-9][A-Za-z0-9._-]*)?$/;

/**
 * True for a model Explore can be asked to open: a repo name of the hub, or an http(s) base URL
 * in the hub's layout. Only the spelling: where a URL may be fetched from is checked when it is
 * opened (web/hub-model.js hubSource).
 */
export function isModelName(raw) {
  if (REPO.test(raw)) return !raw.includes('..');
  try {
    const url = new URL(raw);
    return (url.protocol === 'https:' || url.protocol === 'http:') && !url.username && !url.password;
  } catch {
    return false;
  }
}

/** The generated tasks (crates/playground-core/src/data.rs, the [CLS] classifier's "balanced"
 * in data/classify.rs and the encoder-decoder's "reversal" in data/seq2seq.rs), then the user's own text. */
export const DATA_CHOICES = ['copy', 'reverse', 'sort', 'addition', 'brackets', 'grammar', 'balanced', 'reversal', 'text'];
export const PRESET_NAMES = ['tiny', 'small', 'medium', 'custom'];
export const ENGINES = ['auto', 'webgpu', 'cpu'];
/**
 * Architecture choices, in ModelConfig's spelling (crates/playground-core/src/architecture.rs);
 * the first of each is GPT-2's. FFN_CHOICES is where GPT-2's tanh GELU ('gelu_tanh') joins once
 * the engine runs it.
 */
export const NORM_CHOICES = ['layer_norm', 'rms_norm'];
export const NORM_POSITIONS = ['pre', 'post'];
export const POSITION_CHOICES = ['learned', 'sinusoidal', 'rotary'];
export const FFN_CHOICES = ['gelu', 'relu', 'swi_glu'];
export const HEAD_CHOICES = ['tied', 'untied'];
/** Model families (web/train/presets.js FAMILIES describes each); the first is GPT's. */
export const FAMILY_CHOICES = ['decoder', 'mlm', 'cls', 'encdec'];

/**
 * The Train page's settings, one row per URL parameter; `page=train` marks the page. The
 * ranges are the form's; the engine checks the sizes again against the device's limits.
 */
export const TRAIN_PROPS = [
  { name: 'page', type: 'enum', def: 'train', values: ['train'] },
  { name: 'data', type: 'enum', def: 'grammar', values: DATA_CHOICES },
  { name: 'preset', type: 'enum', def: 'tiny', values: PRESET_NAMES },
  { name: 'layers', type: 'int', def: 1, min: 1, max: 12 },
  { name: 'heads', type: 'int', def: 2, min: 1, max: 16 },
  { name: 'embd', type: 'int', def: 32, min: 4, max: 1024 },
  { name: 'ctx', type: 'int', def: 32, min: 4, max: 1024 },
  { name: 'batch', type: 'int', def: 16, min: 1, max: 512 },
  { name: 'lr', type: 'number', def: 0.01, min: 0.00001, max: 1 },
  { name: 'steps', type: 'int', def: 500, min: 1, max: 1_000_000 },
  { name: 'seed', type: 'int', def: 1, min: 0, max: MAX_SEED },
  { name: 'engine', type: 'enum', def: 'auto', values: ENGINES },
  { name: 'norm', optional: true, type: 'enum', def: 'layer_norm', values: NORM_CHOICES },
  { name: 'normpos', optional: true, type: 'enum', def: 'pre', values: NORM_POSITIONS },
  { name: 'positions', optional: true, type: 'enum', def: 'learned', values: POSITION_CHOICES },
  { name: 'ffn', optional: true, type: 'enum', def: 'gelu', values: FFN_CHOICES },
  { name: 'head', optional: true, type: 'enum', def: 'tied', values: HEAD_CHOICES },
  { name: 'family', optional: true, type: 'enum', def: 'decoder', values: FAMILY_CHOICES },
];

const value = (x, limits) => (typeof x === 'function' ? x(limits) : x);
const QUOTED = 40; // characters of an address's value a message repeats, at most
/** Messages about one address, at most: the rest are counted in one more (an address can name thousands of settings). */
export const MAX_NOTICES = 8;

/** `"abc"` quoted for a message, cut when long (an address can hold anything, of any length). */
export function quote(raw) {
  const chars = [];
  for (const ch of raw) { // no array of every character of a long value
    if (chars.length === QUOTED) return JSON.stringify(`${chars.join('')}…`);
    chars.push(ch);
  }
  return JSON.stringify(raw);
}

/**
 * `messages` cut to MAX_NOTICES, the rest counted in a last one.
 * @param {string[]} messages
 * @param {string} moreKey the message that counts the rest, with its `{n}`
 */
export function capNotices(messages, moreKey) {
  if (messages.length <= MAX_NOTICES) return messages;
  const rest = messages.length - (MAX_NOTICES - 1);
  return [...messages.slice(0, MAX_NOTICES - 1), t(moreKey, { n: rest })];
}

/** The default state for a model's limits. */
export function defaults(limits, props = PROPS) {
  return Object.fromEntries(props.map((p) => [p.name, value(p.def, limits)]));
}

/** True when a URL hash addresses the Train page (`page=train`). */
export function isTrainHash(hash) {
  try {
    return new URLSearchParams(String(hash).replace(/^#/, '')).get('page') === 'train';
  } catch {
    return false;
  }
}

/** Parses one raw string for `prop`; returns { ok, value } or { ok: false, why }. */
function parse(prop, raw, limits) {
  if (prop.type === 'text') {
    const chars = [...raw];
    if (chars.length > MAX_TEXT) return { ok: true, value: chars.slice(0, MAX_TEXT).join(''), why: t('page.state.textCut', { max: String(MAX_TEXT) }) };
    return { ok: true, value: raw };
  }
  if (prop.type === 'repo') {
    return isModelName(raw) ? { ok: true, value: raw } : { ok: false, why: t('page.state.badRepo', { name: prop.name }) };
  }
  if (prop.type === 'enum') {
    return prop.values.includes(raw) ? { ok: true, value: raw } : { ok: false, why: t('page.state.notOneOf', { name: prop.name, values: prop.values.join(', ') }) };
  }
  const lo = value(prop.min, limits);
  const hi = value(prop.max, limits);
  const pattern = prop.type === 'int' ? /^\d+$/ : /^\d+(\.\d+)?$|^\.\d+$/;
  const x = Number(raw);
  if (!pattern.test(raw.trim()) || !Number.isFinite(x)) return { ok: false, why: t('page.state.notANumber', { name: prop.name, kind: prop.type, lo: String(lo), hi: String(hi) }) };
  if (x < lo || x > hi) return { ok: false, why: t('page.state.outOfRange', { name: prop.name, lo: String(lo), hi: String(hi) }) };
  return { ok: true, value: x };
}

/**
 * Reads the state from a URL hash such as `#text=hello&layer=1`.
 * @param {string} hash location.hash (with or without '#')
 * @param {{ nLayer: number, nHead: number, vocabSize: number, example: string }} limits
 * @param {object[]} [props] PROPS (Explore) or TRAIN_PROPS
 * @returns {{ state: object, messages: string[] }} messages say which values were replaced and why
 */
export function deserialize(hash, limits, props = PROPS) {
  const state = defaults(limits, props);
  const messages = [];
  let params;
  try {
    params = new URLSearchParams(String(hash).replace(/^#/, ''));
  } catch {
    return { state, messages: [t('page.state.unreadable')] };
  }
  const known = new Map(props.map((p) => [p.name, p]));
  for (const [name, raw] of params) {
    const prop = known.get(name);
    if (!prop) {
      messages.push(t('page.state.unknown', { name: quote(name) }));
      continue;
    }
    const r = parse(prop, raw, limits);
    if (r.ok) state[name] = r.value;
    if (r.why) messages.push(r.ok ? t('page.state.changed', { why: r.why }) : t('page.state.replaced', { why: r.why, value: JSON.stringify(state[name]) }));
  }
  return { state, messages: capNotices(messages, 'page.state.more') };
}

/**
 * Writes the state as a URL hash (without '#'), every parameter in PROPS order.
 * @param {object} state
 * @param {object[]} [props] PROPS (Explore) or TRAIN_PROPS
 * @returns {string}
 */
export function serialize(state, props = PROPS) {
  const params = new URLSearchParams();
  // optional props (the architecture) are written only when they differ from their default
  for (const p of props) if (!(p.optional && state[p.name] === p.def)) params.set(p.name, String(state[p.name]));
  return params.toString();
}

/** The Train page's settings from a hash; see `deserialize`. */
export function deserializeTrain(hash) {
  return deserialize(hash, {}, TRAIN_PROPS);
}

/** The Train page's settings as a hash (without '#'), starting with `page=train`. */
export function serializeTrain(state) {
  return serialize({ ...state, page: 'train' }, TRAIN_PROPS);
}
