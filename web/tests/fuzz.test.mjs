// Property-based fuzzing of every JavaScript parser of outside data, with a seeded generator
// (no dependency): the page's URL state (Explore and Train), the widget's attributes and the
// iframe embed's address, the Train page's custom size fields, a checkpoint header's metadata,
// the page meta tag of allowed model origins, and the Share snippets. Thousands of hostile values
// (web/tests/fixtures/hostile-values.json: markup, javascript: URLs, huge, negative and NaN
// numbers, lone surrogates, prototype keys, broken percent-escapes, plus generated ones): nothing
// throws, every result is a valid value or the default, and every refused value has a message.
// The seed is printed; FUZZ_SEED=n replays a run, FUZZ_RUNS=n runs longer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { deserialize, serialize, deserializeTrain, serializeTrain, isTrainHash, VIEWS, MAX_TEXT, TRAIN_PROPS, DATA_CHOICES, ENGINES, PRESET_NAMES, TOUR_LENGTH, isModelName } from '../state.js';
import { readAttributes, unknownNames, ATTRIBUTES, TASKS } from '../widget/attributes.js';
import { allowedOrigins } from '../widget/model-url.js';
import { shareTexts } from '../widget/snippet.js';
import { check, normalize, estimate } from '../train/presets.js';
import { safetensorsMetadata, runInfo, checkpointName } from '../train/files.js';
import { runInputs, textStats } from '../train/data.js';
import { useLanguage } from '../i18n/i18n.js';

await useLanguage('en', { setDocument: false }); // the messages under test come from the catalogs

const HOSTILE = JSON.parse(readFileSync(new URL('./fixtures/hostile-values.json', import.meta.url), 'utf8'));
const SEED = Number(process.env.FUZZ_SEED ?? 20261123);
const RUNS = Number(process.env.FUZZ_RUNS ?? 2000); // cases per property
const MAX_MESSAGE = 400; // characters: a message never repeats a whole hostile value
const SLOW_MS = 1000; // one parse of one input, at most (on two busy cores)

console.log(`fuzz: seed ${SEED}, ${RUNS} cases per property, ${HOSTILE.length} corpus values`);

/** mulberry32: a small seeded generator of floats in [0, 1). */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Hostile value generators, built on one seeded stream. */
function generators(seed) {
  const r = rng(seed);
  const int = (n) => Math.floor(r() * n);
  const pick = (xs) => xs[int(xs.length)];
  const numbers = () => pick([
    String(int(10)), String(int(1e6)), String(-int(1e6)), String(r() * 10), String(-r()), String(2 ** (int(80) - 10)),
    String(Number.MAX_VALUE), String(Number.MIN_VALUE), (r() * 1e30).toExponential(), '9'.repeat(1 + int(500)),
    `${int(100)}.${'0'.repeat(int(30))}${int(10)}`, `0x${int(255).toString(16)}`, `${int(10)}e${int(400) - 200}`,
  ]);
  const chars = () => {
    const n = int(12);
    let s = '';
    for (let i = 0; i < n; i++) {
      const k = int(6);
      if (k === 0) s += String.fromCharCode(int(0x80)); // ASCII, controls included
      else if (k === 1) s += String.fromCharCode(0xd800 + int(0x800)); // a lone surrogate
      else if (k === 2) s += String.fromCodePoint(int(0x110000));
      else if (k === 3) s += pick(['<', '>', '"', "'", '&', '%', '=', '#', '\\', '/', ':', '\u0000', '\u2028']);
      else s += String.fromCharCode(0x20 + int(0x5f));
    }
    return s;
  };
  const long = () => { // up to 20,000 UTF-16 units: ten times what any field takes
    const unit = pick(['x', 'é', '\ud83d\ude00', '<script>', '\ud800', '9']);
    return unit.repeat(1 + int(20_000 / unit.length));
  };
  const value = () => {
    const k = int(10);
    if (k < 4) return pick(HOSTILE);
    if (k < 6) return numbers();
    if (k < 8) return chars();
    if (k < 9 || r() < 0.5) return pick(HOSTILE) + pick(HOSTILE);
    return long();
  };
  return { r, int, pick, value, chars, numbers };
}

/** A hash of `pairs` as a page address holds it, percent-encoded or raw (as a hand-typed link). */
function hashOf(g, pairs) {
  const enc = g.r() < 0.7;
  // a browser's address holds no lone surrogate once encoded: it becomes U+FFFD (toWellFormed)
  const e = (s) => encodeURIComponent(s.toWellFormed());
  const body = pairs.map(([k, v]) => (enc ? `${e(k)}=${e(v)}` : `${k}=${v}`)).join('&');
  return g.r() < 0.5 ? `#${body}` : body;
}

/** Asserts `cond`; `why` (a function) writes the message only when it fails (inputs are long). */
function ok(cond, why) {
  if (!cond) assert.fail(why());
}

/** An input, shortened for a failure message. */
const show = (x, n = 200) => JSON.stringify(x)?.slice(0, n);

/** Runs `fn`, failing on a throw or a slow answer; returns its result. */
function timed(what, input, fn) {
  const t0 = performance.now();
  let out;
  try {
    out = fn();
  } catch (err) {
    assert.fail(`${what} threw ${err?.stack ?? err} on ${JSON.stringify(input).slice(0, 300)}`);
  }
  const ms = performance.now() - t0;
  ok(ms < SLOW_MS, () => `${what} took ${ms.toFixed(0)} ms on ${show(input)}`);
  return out;
}

function assertMessages(messages, input) {
  for (const m of messages) {
    assert.equal(typeof m, 'string');
    ok(m.length <= MAX_MESSAGE, () => `a ${m.length}-character message for ${show(input)}: ${m.slice(0, 200)}…`);
  }
}

/** No prototype pollution: a fresh object still has nothing it should not. */
function assertNoPollution() {
  assert.equal({}.polluted, undefined);
  assert.equal(Object.prototype.polluted, undefined);
  assert.equal(typeof Object.prototype.toString, 'function');
}

const codePoints = (s) => [...s].length;

// ---- URL state ---------------------------------------------------------------------------

const LIMITS = { nLayer: 2, nHead: 4, vocabSize: 96, example: 'the cat .' };
const EXPLORE = [
  ['text', 'text'], ['layer', 'int', 0, LIMITS.nLayer - 1], ['head', 'int', 0, LIMITS.nHead - 1], ['view', 'enum', VIEWS],
  ['temp', 'number', 0, 2], ['topk', 'int', 0, LIMITS.vocabSize], ['topp', 'number', 0.01, 1], ['seed', 'int', 0, 2 ** 32 - 1],
  ['tour', 'int', 0, TOUR_LENGTH],
  ['model', 'repo'], // a hub model: owner/name or a base URL (isModelName)
];
const TRAIN = TRAIN_PROPS.map((p) => (p.type === 'enum' ? [p.name, 'enum', p.values] : [p.name, p.type, p.min, p.max]));

/** Asserts that `state` holds exactly the rows' names, each a valid value. */
function assertValidState(state, rows, input) {
  ok(Object.keys(state).length === rows.length && rows.every(([n]) => Object.hasOwn(state, n)), () => `keys ${Object.keys(state)} for ${show(input)}`);
  assert.equal(Object.getPrototypeOf(state), Object.prototype);
  for (const [name, type, a, b] of rows) {
    const v = state[name];
    if (type === 'text') ok(typeof v === 'string' && codePoints(v) <= MAX_TEXT, () => `${name}: ${codePoints(String(v))} characters`);
    else if (type === 'enum') ok(a.includes(v), () => `${name}=${show(v)}`);
    else if (type === 'repo') ok(v === '' || isModelName(v), () => `${name}=${show(v)}`); // a hub name or a base URL
    else {
      ok(typeof v === 'number' && Number.isFinite(v) && v >= a && v <= b, () => `${name}=${v} for ${show(input)}`);
      if (type === 'int') ok(Number.isInteger(v), () => `${name}=${v} is not whole`);
    }
  }
}

for (const [page, rows, parse, props] of [
  ['Explore', EXPLORE, (h) => deserialize(h, LIMITS), undefined],
  ['Train', TRAIN, (h) => deserializeTrain(h), TRAIN_PROPS],
]) {
  test(`URL state (${page}): hostile addresses give valid state, a message per refused value, and round-trip`, () => {
    const g = generators(SEED + page.length);
    const names = [...rows.map(([n]) => n), ...HOSTILE.slice(0, 80)];
    for (let i = 0; i < RUNS; i++) {
      const pairs = Array.from({ length: 1 + g.int(5) }, () => [g.r() < 0.8 ? g.pick(names) : g.chars(), g.value()]);
      const hash = g.r() < 0.1 ? g.value() : hashOf(g, pairs); // sometimes a whole hostile string
      const { state, messages } = timed(`deserialize (${page})`, hash, () => parse(hash));
      assertValidState(state, rows, hash);
      assertMessages(messages, hash);
      // every parameter the address gave either set its value or has a message naming it
      const given = [...new URLSearchParams(String(hash).replace(/^#/, ''))];
      for (const [name, raw] of given) {
        const known = rows.find(([n]) => n === name);
        const quoted = JSON.stringify([...name].slice(0, 40).join('')).slice(0, 20); // as state.js quotes it
        if (!known) {
          ok(messages.some((m) => m.includes('unknown setting') && m.includes(quoted)), () => `no message for unknown ${show(name, 50)}`);
          continue;
        }
        const took = known[1] === 'text' ? state[name] === raw || messages.some((m) => m.includes('cut')) : String(state[name]) === raw.trim() || Number(raw) === state[name];
        if (!took) ok(messages.some((m) => m.includes(name)), () => `${name}=${show(raw, 80)} refused without a message`);
      }
      // what the page writes back reads back the same, without messages
      const again = props ? deserializeTrain(serializeTrain(state)) : deserialize(serialize(state), LIMITS);
      ok(again.messages.length === 0, () => `round trip of ${show(state)}: ${again.messages}`);
      assert.deepEqual(again.state, state);
      assert.equal(typeof isTrainHash(hash), 'boolean');
    }
    assertNoPollution();
  });
}

// ---- widget attributes and the iframe embed's address ---------------------------------------

const ORIGINS = ['https://blog.example.com', 'https://models.example.org'];
const CONTEXT = { base: 'https://blog.example.com/posts/a.html', allowedOrigins: ORIGINS };
const WIDGET_LIMITS = { nLayer: 2, nHead: 4, vocabSize: 96 };

/** Asserts the widget's props: every attribute present, each valid or its default. */
function assertValidProps(props, limits, input) {
  assert.deepEqual(Object.keys(props).sort(), ATTRIBUTES.map((a) => a.name).sort());
  for (const a of ATTRIBUTES) {
    const v = props[a.name];
    if (v === a.def) continue;
    const where = `${a.name}=${JSON.stringify(v).slice(0, 100)} from ${JSON.stringify(input).slice(0, 200)}`;
    if (a.type === 'enum') assert.ok(a.values.includes(v), where);
    else if (a.type === 'text') assert.ok(typeof v === 'string' && v.length > 0 && codePoints(v) <= MAX_TEXT, where);
    else if (a.type === 'url') {
      const u = new URL(v);
      assert.ok(['https:', 'http:'].includes(u.protocol) && ORIGINS.includes(u.origin) && !u.username && !u.password && !u.hash, where);
    } else {
      const hi = typeof a.max === 'function' ? (limits ? a.max(limits) : Infinity) : a.max;
      assert.ok(Number.isFinite(v) && v >= a.min && v <= hi, where);
      if (a.type === 'int') assert.ok(Number.isInteger(v), where);
    }
  }
}

test('widget attributes: hostile values give valid props or the default, and one bounded message per refused value', () => {
  const g = generators(SEED + 1);
  for (let i = 0; i < RUNS; i++) {
    const attrs = new Map();
    for (let k = 1 + g.int(6); k > 0; k--) attrs.set(g.pick(ATTRIBUTES).name, g.r() < 0.15 ? g.pick(['https://models.example.org/m.safetensors', '/m.safetensors', '7', '0.5', 'tokens']) : g.value());
    const limits = g.r() < 0.5 ? WIDGET_LIMITS : undefined;
    const { props, errors } = timed('readAttributes', [...attrs], () => readAttributes((n) => attrs.get(n) ?? null, { ...CONTEXT, limits }));
    assertValidProps(props, limits, [...attrs]);
    assertMessages(errors, [...attrs]);
    ok(errors.length <= attrs.size, () => `${errors.length} messages for ${attrs.size} attributes`);
    for (const [name, raw] of attrs) {
      const a = ATTRIBUTES.find((x) => x.name === name);
      const took = props[name] === raw || (props[name] !== null && Number(raw) === props[name]) || (a.type === 'url' && props[name] !== null);
      if (!took) ok(errors.some((e) => e.startsWith(`${name}=`) || e.startsWith(`${name} `)), () => `${name}=${show(raw, 80)} refused without a message: ${errors}`);
    }
  }
  assertNoPollution();
});

test('iframe embed address (embed.html#…): hostile hashes give valid props, messages, and a note per unknown name', () => {
  const g = generators(SEED + 2);
  const names = [...ATTRIBUTES.map((a) => a.name), ...HOSTILE.slice(0, 80)];
  for (let i = 0; i < RUNS; i++) {
    const pairs = Array.from({ length: 1 + g.int(6) }, () => [g.pick(names), g.value()]);
    const hash = hashOf(g, pairs);
    // what embed.js does with location.hash
    const params = timed('URLSearchParams', hash, () => new URLSearchParams(hash.replace(/^#/, '')));
    const { props, errors } = timed('readAttributes (embed)', hash, () => readAttributes((n) => params.get(n), CONTEXT));
    assertValidProps(props, undefined, hash);
    assertMessages(errors, hash);
    const unknown = unknownNames(new Set(params.keys()));
    for (const n of params.keys()) assert.equal(unknown.includes(n), !ATTRIBUTES.some((a) => a.name === n), n);
  }
  assertNoPollution();
});

test('allowed model origins: a hostile <meta name="transformer-playground-models"> gives only http(s) origins', () => {
  const g = generators(SEED + 3);
  for (let i = 0; i < RUNS / 4; i++) {
    const content = Array.from({ length: 1 + g.int(4) }, () => g.value()).join(g.pick([' ', '\t', '\n', '']));
    const doc = { baseURI: CONTEXT.base, querySelectorAll: () => [{ getAttribute: () => content }] };
    const origins = timed('allowedOrigins', content, () => allowedOrigins(doc, 'https://cdn.example.net/dist/transformer-playground.js'));
    for (const o of origins) assert.match(o, /^https?:\/\/[^/\s]+$/, o);
    assert.ok(origins.includes('https://blog.example.com') && origins.includes('https://cdn.example.net'));
  }
});

test('Share snippets: hostile state in the address pastes as text (attributes escaped, values intact)', () => {
  const g = generators(SEED + 4);
  for (let i = 0; i < RUNS / 2; i++) {
    const pairs = [['text', g.value()], ['view', g.pick([...VIEWS, g.value()])], ['layer', g.value()], ['head', g.value()], ['temp', g.value()]];
    const hash = hashOf(g, pairs);
    const { widget, iframe, link } = timed('shareTexts', hash, () => shareTexts(hash, 'https://play.example.com/'));
    const element = widget.slice(widget.indexOf('\n') + 1);
    assert.match(element, /^<transformer-playground( [a-z-]+="[^"<>]*")*><\/transformer-playground>$/, element.slice(0, 300));
    assert.match(iframe, /^<iframe src="[^"<>]*" title="[^"<>]*" width="100%" height="\d+" loading="lazy"><\/iframe>$/);
    assert.ok(new URL(link).origin === 'https://play.example.com');
    // each attribute unescapes to the address's value exactly
    const params = new URLSearchParams(hash.replace(/^#/, ''));
    const unescape = (s) => s.replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
    for (const [, name, value] of element.matchAll(/ ([a-z-]+)="([^"]*)"/g)) {
      if (name === 'text') assert.equal(unescape(value), params.get('text'));
    }
  }
});

// ---- the Train page's custom size fields ---------------------------------------------------

test('Train form fields: hostile typed values give a message per bad field and never reach the estimate', () => {
  const g = generators(SEED + 5);
  const fields = ['layers', 'heads', 'embd', 'ctx', 'batch', 'lr', 'steps', 'seed'];
  const good = { layers: 1, heads: 2, embd: 32, ctx: 32, batch: 16, lr: 0.01, steps: 500, seed: 1 };
  for (let i = 0; i < RUNS; i++) {
    const typed = Object.fromEntries(fields.map((f) => [f, g.r() < 0.3 ? g.value() : String(good[f])]));
    // what form.js read() does with each field
    const s = { ...Object.fromEntries(fields.map((f) => [f, typed[f].trim() === '' ? NaN : Number(typed[f].trim())])), data: 'grammar', engine: 'auto', preset: 'custom' };
    const { errors, warnings } = timed('check', typed, () => check(s, 1 + g.int(200)));
    assertMessages([...Object.values(errors), ...warnings], typed);
    for (const f of fields) {
      const p = TRAIN_PROPS.find((x) => x.name === f);
      const x = s[f];
      const valid = Number.isFinite(x) && x >= p.min && x <= p.max && (f === 'lr' || Number.isInteger(x));
      if (!valid) ok(errors[f], () => `${f}=${show(typed[f], 60)} accepted`);
    }
    if (Object.keys(errors).length === 0) {
      const e = estimate(s, 96);
      assert.ok(Number.isFinite(e.bytes) && e.bytes > 0 && Number.isFinite(e.params));
    }
    const n = timed('normalize', s, () => normalize({ ...s, preset: g.pick([...PRESET_NAMES, g.value()]) }));
    assert.ok(PRESET_NAMES.includes(n.preset));
  }
  assertNoPollution();
});

test('Train settings from the address always pass the form (except C divisible by heads, which has its message)', () => {
  const g = generators(SEED + 6);
  for (let i = 0; i < RUNS / 2; i++) {
    const pairs = TRAIN_PROPS.filter(() => g.r() < 0.5).map((p) => [p.name, g.r() < 0.5 ? g.value() : String(p.def)]);
    const hash = hashOf(g, pairs);
    const s = normalize(deserializeTrain(hash).state);
    assert.ok(DATA_CHOICES.includes(s.data) && ENGINES.includes(s.engine));
    const { errors } = check(s, 50);
    for (const f of Object.keys(errors)) assert.equal(f, 'embd', `${f}: ${errors[f]}`);
  }
});

// ---- a checkpoint's header metadata (read in JS before the engine sees the file) -------------

/** A safetensors header of `json` text, with a declared length (by default the real one). */
function header(json, declared) {
  const body = Buffer.from(json, 'utf8');
  const out = Buffer.alloc(8 + body.length);
  out.writeBigUInt64LE(BigInt(declared ?? body.length), 0);
  body.copy(out, 8);
  return new Uint8Array(out.buffer, out.byteOffset, out.length);
}

test('checkpoint metadata: hostile headers give null or plain strings, and run info of sane types', () => {
  const g = generators(SEED + 7);
  for (let i = 0; i < RUNS; i++) {
    const k = g.int(6);
    let bytes;
    if (k === 0) bytes = Uint8Array.from({ length: g.int(64) }, () => g.int(256)); // noise
    else if (k === 1) bytes = header(g.value(), g.pick([undefined, 2 ** 53, 0, 2 ** 24 + 1, 18446744073709551615n]));
    else if (k === 2) bytes = header('['.repeat(1 + g.int(20_000)));
    else {
      const meta = {};
      for (let n = g.int(6); n > 0; n--) meta[g.pick(['format', 'step', 'data', 'train_config', 'config', g.pick(HOSTILE)])] = g.r() < 0.8 ? g.value() : { nested: g.value() };
      if (g.r() < 0.3) meta.train_config = JSON.stringify({ batch_size: g.value(), learning_rate: g.numbers(), max_steps: g.value() });
      if (g.r() < 0.3) meta.step = g.numbers();
      bytes = header(JSON.stringify({ __metadata__: meta, '__proto__': { polluted: 1 } }));
    }
    const meta = timed('safetensorsMetadata', bytes.length, () => safetensorsMetadata(bytes));
    if (meta !== null) for (const v of Object.values(meta)) assert.equal(typeof v, 'string');
    const info = timed('runInfo', meta, () => runInfo(meta));
    assert.ok(info.data === null || info.data === 'text' || /^[a-z]+$/.test(info.data), info.data);
    assert.ok(info.step === null || Number.isSafeInteger(info.step), `step ${info.step}`);
    ok(info.train === null || (typeof info.train === 'object' && !Array.isArray(info.train)), () => `train ${show(info.train)}`);
    assert.match(checkpointName(info.data ?? g.value(), info.step ?? 0), /^playground-[A-Za-z0-9-]*-step\d+\.safetensors$/);
  }
  assertNoPollution();
});

test('training text: hostile texts give prompts and probes within the context, counted in code points', () => {
  const g = generators(SEED + 8);
  const tasks = TASKS.map((name) => ({ name, lesson: `${name}>x — a lesson`, alphabet: 'abc' }));
  for (let i = 0; i < RUNS / 2; i++) {
    const text = g.value();
    const ctx = 4 + g.int(60);
    const { prompt, probe } = timed('runInputs', text.length, () => runInputs(g.r() < 0.2 ? { task: g.pick([...TASKS, g.value()]) } : { text }, tasks, ctx));
    assert.ok(codePoints(prompt) <= ctx && codePoints(probe) <= ctx);
    const { length, vocab } = textStats(text);
    assert.ok(vocab <= length && length === codePoints(text));
  }
});
