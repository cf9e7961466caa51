// The page's state in the URL hash, so that a reload or a shared link shows the same thing
// (tensorflow/playground's PROPS table). Every value is validated against the model: a bad or
// unknown one falls back to its default and yields a message; nothing here throws.

/** The sections of the page, in the order data flows; `view` names the one in sight. */
export const VIEWS = ['tokens', 'embeddings', 'layernorm', 'head', 'attention', 'ffn', 'residual', 'output'];
export const MAX_TEXT = 2000; // characters: a longer text from a URL is cut (with a message)
export const MAX_TEMPERATURE = 2;
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
];

const value = (x, limits) => (typeof x === 'function' ? x(limits) : x);

/** The default state for a model's limits. */
export function defaults(limits) {
  return Object.fromEntries(PROPS.map((p) => [p.name, value(p.def, limits)]));
}

/** Parses one raw string for `prop`; returns { ok, value } or { ok: false, why }. */
function parse(prop, raw, limits) {
  if (prop.type === 'text') {
    const chars = [...raw];
    if (chars.length > MAX_TEXT) return { ok: true, value: chars.slice(0, MAX_TEXT).join(''), why: `the text was cut to its first ${MAX_TEXT} characters` };
    return { ok: true, value: raw };
  }
  if (prop.type === 'enum') {
    return prop.values.includes(raw) ? { ok: true, value: raw } : { ok: false, why: `${prop.name} must be one of ${prop.values.join(', ')}` };
  }
  const lo = value(prop.min, limits);
  const hi = value(prop.max, limits);
  const pattern = prop.type === 'int' ? /^\d+$/ : /^\d+(\.\d+)?$|^\.\d+$/;
  const x = Number(raw);
  if (!pattern.test(raw.trim()) || !Number.isFinite(x)) return { ok: false, why: `${prop.name} must be a ${prop.type === 'int' ? 'whole number' : 'number'} from ${lo} to ${hi}` };
  if (x < lo || x > hi) return { ok: false, why: `${prop.name} must be from ${lo} to ${hi}` };
  return { ok: true, value: x };
}

/**
 * Reads the state from a URL hash such as `#text=hello&layer=1`.
 * @param {string} hash location.hash (with or without '#')
 * @param {{ nLayer: number, nHead: number, vocabSize: number, example: string }} limits
 * @returns {{ state: object, messages: string[] }} messages say which values were replaced and why
 */
export function deserialize(hash, limits) {
  const state = defaults(limits);
  const messages = [];
  let params;
  try {
    params = new URLSearchParams(String(hash).replace(/^#/, ''));
  } catch {
    return { state, messages: ['The address could not be read; showing the defaults.'] };
  }
  const known = new Map(PROPS.map((p) => [p.name, p]));
  for (const [name, raw] of params) {
    const prop = known.get(name);
    if (!prop) {
      messages.push(`The address has an unknown setting "${name}"; it is ignored.`);
      continue;
    }
    const r = parse(prop, raw, limits);
    if (r.ok) state[name] = r.value;
    if (r.why) messages.push(r.ok ? `From the address: ${r.why}.` : `From the address: ${r.why}; using ${JSON.stringify(state[name])} instead.`);
  }
  return { state, messages };
}

/**
 * Writes the state as a URL hash (without '#'), every parameter in PROPS order.
 * @param {object} state
 * @returns {string}
 */
export function serialize(state) {
  const params = new URLSearchParams();
  for (const p of PROPS) params.set(p.name, String(state[p.name]));
  return params.toString();
}
