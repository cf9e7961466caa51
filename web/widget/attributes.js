// The widget's attributes: one table (name, type, default, limits), read and
// validated in one place for the custom element, the iframe embed (URL parameters) and the
// README's table. Nothing here throws: a bad value becomes a message for the widget's box.

import { MAX_TEXT, MAX_TEMPERATURE, quote, capNotices } from '../state.js';
import { checkModelUrl } from './model-url.js';
import { t } from '../i18n/i18n.js';

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

/** What the model has that bounds attribute `name`, for the out-of-range message's select. */
function modelHint(name, limits) {
  if (name === 'layer') return { hint: 'layers', count: limits.nLayer };
  if (name === 'head') return { hint: 'heads', count: limits.nHead };
  if (name === 'top-k') return { hint: 'tokens', count: limits.vocabSize };
  return { hint: 'none', count: 0 };
}

/**
 * Parses one attribute value.
 * @returns {{ value: any } | { error: string }}
 */
function parse(attr, raw, context) {
  const { name } = attr;
  switch (attr.type) {
    case 'enum':
      return attr.values.includes(raw) ? { value: raw } : { error: t('widget.attr.notOneOf', { name, value: quote(raw), values: attr.values.join(', ') }) };
    case 'text': {
      if (raw.length === 0) return { error: t('widget.attr.textEmpty') };
      const n = [...raw].length;
      return n > MAX_TEXT ? { error: t('widget.attr.textLong', { n: String(n), max: String(MAX_TEXT) }) } : { value: raw };
    }
    case 'url': {
      const r = checkModelUrl(raw, context);
      return r.error ? { error: t('widget.attr.badModel', { value: quote(raw), why: r.error }) } : { value: r.url };
    }
    default: {
      const lo = String(attr.min);
      const max = bound(attr.max, context.limits);
      const range = { lo, hi: String(max ?? ''), bounded: max === undefined ? 'no' : 'yes' };
      const x = Number(raw);
      if (!(attr.type === 'int' ? INT : NUMBER).test(raw) || !Number.isFinite(x)) {
        return { error: t('widget.attr.notANumber', { name, value: quote(raw), kind: attr.type, ...range }) };
      }
      if (x < attr.min || (max !== undefined && x > max)) {
        const hint = typeof attr.max === 'function' ? modelHint(name, context.limits) : modelHint('', null);
        return { error: t('widget.attr.outOfRange', { name, value: quote(raw), ...range, ...hint }) };
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
  if (view === 'cross-attention' && !encdec) return t('widget.attr.needsEncDec');
  if (view !== 'cross-attention' && encdec) return t('widget.attr.isEncDec', { view });
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
  const notes = unknownNames(names).map((name) => t('widget.attr.unknownName', { name: quote(name) }));
  return capNotices(notes, 'widget.attr.more');
}
