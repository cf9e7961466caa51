// The widget's attributes: one table (name, type, default, limits), read and
// validated in one place for the custom element, the iframe embed (URL parameters) and the
// README's table. Nothing here throws: a bad value becomes a message for the widget's box.

import { MAX_TEXT, MAX_TEMPERATURE, quote, capNotices } from '../state.js';
import { checkModelUrl } from './model-url.js';

/** What a widget can show. */
const VIEWS = ['tokens', 'attention', 'attention-grid', 'cross-attention', 'head-steps', 'next-token', 'trainer'];
/** The trainer's generated tasks (the engine's `tasks`; a browser test checks that the lists agree). */
export const TASKS = ['copy', 'reverse', 'sort', 'addition', 'brackets', 'grammar'];
const MAX_STEPS = 5000; // trainer: the longest run a widget offers
const MAX_SEED = 2 ** 32 - 1;

/**
 * One row per attribute (the README's table says what each does). `max` may depend on the
 * model's limits `{ nLayer, nHead, vocabSize }`; before the model is known only the syntax is checked.
 */
export const ATTRIBUTES = [
  { name: 'view', type: 'enum', values: VIEWS, def: 'attention' },
  { name: 'text', type: 'text', def: null }, // null: the model's example
  { name: 'layer', type: 'int', def: 0, min: 0, max: (m) => m.nLayer - 1 },
  { name: 'head', type: 'int', def: 0, min: 0, max: (m) => m.nHead - 1 },
  { name: 'temperature', type: 'number', def: 1, min: 0, max: MAX_TEMPERATURE }, // next-token: the slider's start
  { name: 'top-k', type: 'int', def: 0, min: 0, max: (m) => m.vocabSize }, // next-token; 0: off
  { name: 'top-p', type: 'number', def: 1, min: 0.01, max: 1 }, // next-token; 1: off
  { name: 'seed', type: 'int', def: 1, min: 0, max: MAX_SEED }, // trainer: weights and batches
  { name: 'model', type: 'url', def: null }, // null: the default model (engine-hub.js)
  { name: 'task', type: 'enum', values: TASKS, def: 'sort' }, // trainer
  { name: 'steps', type: 'int', def: 500, min: 1, max: MAX_STEPS }, // trainer: one run's length
  { name: 'layout', type: 'enum', values: ['compact', 'full'], def: 'compact' }, // head-steps: one step at a time, or all
];

const BY_NAME = new Map(ATTRIBUTES.map((a) => [a.name, a]));
const INT = /^\s*\d+\s*$/;
const NUMBER = /^\s*(\d+(\.\d*)?|\.\d+)\s*$/;

/** The limit of a row for the model's limits, or undefined while they are not known. */
function bound(x, limits) {
  if (typeof x !== 'function') return x;
  return limits ? x(limits) : undefined;
}

/** Why a number from the model is out of range, in the model's words. */
function modelHint(name, limits) {
  if (name === 'layer') return ` (this model has ${limits.nLayer} layer${limits.nLayer === 1 ? '' : 's'})`;
  if (name === 'head') return ` (this model has ${limits.nHead} head${limits.nHead === 1 ? '' : 's'} per layer)`;
  if (name === 'top-k') return ` (this model has ${limits.vocabSize} tokens)`;
  return '';
}

/**
 * Parses one attribute value.
 * @returns {{ value: any } | { error: string }}
 */
function parse(attr, raw, context) {
  const { name } = attr;
  switch (attr.type) {
    case 'enum':
      return attr.values.includes(raw) ? { value: raw } : { error: `${name}=${quote(raw)} is not one of ${attr.values.join(', ')}.` };
    case 'text': {
      if (raw.length === 0) return { error: 'text is empty: give the widget at least one character.' };
      const n = [...raw].length;
      return n > MAX_TEXT ? { error: `text has ${n} characters; a widget takes at most ${MAX_TEXT}.` } : { value: raw };
    }
    case 'url': {
      const r = checkModelUrl(raw, context);
      return r.error ? { error: `model=${quote(raw)}: ${r.error}` } : { value: r.url };
    }
    default: {
      const lo = attr.min;
      const hi = bound(attr.max, context.limits);
      const range = hi === undefined ? `at least ${lo}` : `from ${lo} to ${hi}`;
      const kind = attr.type === 'int' ? 'a whole number' : 'a number';
      const x = Number(raw);
      if (!(attr.type === 'int' ? INT : NUMBER).test(raw) || !Number.isFinite(x)) return { error: `${name}=${quote(raw)} is not ${kind} ${range}.` };
      if (x < lo || (hi !== undefined && x > hi)) {
        const hint = typeof attr.max === 'function' ? modelHint(name, context.limits) : '';
        return { error: `${name}=${quote(raw)} is out of range: it must be ${range}${hint}.` };
      }
      return { value: x };
    }
  }
}

/**
 * Reads and validates every attribute.
 * @param {(name: string) => string|null} get an attribute's raw value (null when absent)
 * @param {{ limits?: { nLayer: number, nHead: number, vocabSize: number }, base: string,
 *   allowedOrigins: string[] }} context limits: the model's, once it is loaded; base: the URL
 *   relative model URLs resolve against; allowedOrigins: where a model may come from
 * @returns {{ props: Record<string, any>, errors: string[] }} props: every attribute by name
 *   (defaults where absent or bad); errors: one message per bad value, for the widget's box
 */
export function readAttributes(get, context) {
  const props = {};
  const errors = [];
  for (const attr of ATTRIBUTES) {
    props[attr.name] = attr.def;
    const raw = get(attr.name);
    if (raw === null || raw === undefined) continue;
    const r = parse(attr, String(raw), context);
    if ('error' in r) errors.push(r.error);
    else props[attr.name] = r.value;
  }
  return { props, errors };
}

/**
 * Why `view` cannot show a model of `config` (null when it can): cross-attention is an
 * encoder-decoder's, and the other views follow one token stream.
 * @returns {string|null}
 */
export function viewProblem(view, config) {
  const encdec = config.family === 'encoder_decoder';
  if (view === 'cross-attention' && !encdec) return 'view="cross-attention" needs an encoder-decoder (a model trained on the Train page\'s reversal task); this model has no cross-attention.';
  if (view !== 'cross-attention' && encdec) return `view="${view}" follows one token stream, and this model is an encoder-decoder: show it with view="cross-attention".`;
  return null;
}

/**
 * Names in `names` that are not attributes (for the iframe embed's URL parameters).
 * @param {Iterable<string>} names
 * @returns {string[]}
 */
export function unknownNames(names) {
  return [...names].filter((n) => !BY_NAME.has(n));
}

/**
 * The iframe embed's notes about names in its address that are not attributes: each name quoted
 * and cut, MAX_NOTICES notes at most (the rest counted).
 * @param {Iterable<string>} names
 * @returns {string[]}
 */
export function unknownNameNotes(names) {
  const notes = unknownNames(names).map((name) => `The address has ${quote(name)}, which is not a widget setting; it is ignored.`);
  return capNotices(notes, 'names in the address that are not widget settings; they are ignored');
}
