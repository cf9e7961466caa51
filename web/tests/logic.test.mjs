// The page's plain-JavaScript parts, in Node without a browser: the URL state, what the model
// is given for a text, the trace keys (named by the wasm engine's steps, run here on the CPU),
// the coalescing of requests, how counts are written, and which sampling rule leaves out which
// tokens.
import { test } from 'node:test';
import { readFileSync } from 'node:fs';
import assert from 'node:assert/strict';
import { initSync, Playground } from '../pkg/playground_web.js';
import { serialize, deserialize, defaults, MAX_TEXT } from '../state.js';
import { prepareInput } from '../input.js';
import { traceKeys, viewData } from '../trace-data.js';
import { latestOnly } from '../latest.js';
import { count } from '../views/format.js';
import { samplingRules } from '../views/sampling.js';
import { descendingPrefix } from '../views/rank.js';
import { useLanguage } from '../i18n/i18n.js';
import { createProgressMeter } from '../explore/hub-progress.js';

await useLanguage('en', { setDocument: false }); // the messages under test come from the catalogs

initSync({ module: readFileSync(new URL('../pkg/playground_web_bg.wasm', import.meta.url)) });

/** A fresh model of `config` on the CPU engine, as the page sees it: its config and steps (engine/worker.js). */
async function engineOf(config) {
  const pg = await Playground.create({ config: { vocab_size: 0, block_size: 8, n_embd: 8, ...config }, seed: 1, vocab: 'abc', backend: 'cpu' });
  const engine = { config: pg.config(), steps: pg.traceSteps() };
  pg.free();
  return engine;
}

const LIMITS = { nLayer: 2, nHead: 4, vocabSize: 96, example: 'the cat' };
const VOCAB = ['\n', ...Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i))];

/** What engine.encode returns for `text` with VOCAB. */
function encode(text) {
  const ids = [];
  const unknown = [];
  [...text].forEach((ch, position) => {
    const id = VOCAB.indexOf(ch);
    if (id < 0) unknown.push({ position, char: ch });
    else ids.push(id);
  });
  return { ids: Uint32Array.from(ids), unknown };
}

test('the URL state round-trips, newlines and symbols included', () => {
  const state = { text: 'a b\n&=#%+é', layer: 1, head: 3, view: 'attention', temp: 0.75, topk: 5, topp: 0.9, seed: 42, tour: 7, model: 'HuggingFaceTB/SmolLM2-135M' };
  const { state: back, messages } = deserialize('#' + serialize(state), LIMITS);
  assert.deepEqual(back, state);
  assert.deepEqual(messages, []);
  assert.deepEqual(deserialize('', LIMITS), { state: defaults(LIMITS), messages: [] });
});

test('bad URL values fall back to their defaults with a message, and never throw', () => {
  const { state, messages } = deserialize('#layer=2&head=1.5&view=nope&temp=-1&topk=97&topp=0&seed=x&what=1&text=ok&model=a/../b', LIMITS);
  assert.deepEqual(state, { ...defaults(LIMITS), text: 'ok' });
  assert.equal(messages.length, 8, 'nine notices: seven listed, the last two counted');
  assert.match(messages.join('\n'), /layer must be from 0 to 1; using 0 instead/);
  assert.match(messages.at(-1), /…and 2 more unknown or replaced settings in the address, not listed/);
  const counted = deserialize('#what=1&model=a/../b', LIMITS).messages.join('\n'); // the two counted above
  assert.match(counted, /unknown setting "what"/);
  assert.match(counted, /model must name a model of the Hugging Face hub/);
  const long = deserialize('#text=' + 'x'.repeat(MAX_TEXT + 5), LIMITS);
  assert.equal(long.state.text.length, MAX_TEXT);
  assert.match(long.messages[0], /cut to its first 2000 characters/);
  for (const hash of ['#%', '#text=%E0%A4%A', '#=&&=', '#layer', '#layer=1e0']) assert.doesNotThrow(() => deserialize(hash, LIMITS), hash);
});

test('the address names a hub model by owner/name or by an http(s) base URL, and nothing else', () => {
  for (const model of ['gpt2', 'HuggingFaceTB/SmolLM2-135M', 'https://huggingface.co/gpt2', 'http://127.0.0.1:8000/hub/llama']) {
    assert.equal(deserialize('#' + serialize({ ...defaults(LIMITS), model }), LIMITS).state.model, model, model);
  }
  for (const model of ['a/../b', 'javascript:alert(1)', 'file:///etc/passwd', 'https://user:pw@example.com/x', 'a/b/c']) {
    const { state, messages } = deserialize('#' + new URLSearchParams({ model }), LIMITS);
    assert.equal(state.model, '', model);
    assert.match(messages.join(), /model must name a model of the Hugging Face hub \(owner\/name\) or a base URL/, model);
  }
});

test('a hub download reads as bytes, the speed of the last seconds and the time left', () => {
  let ms = 0;
  const meter = createProgressMeter(() => ms);
  const file = 'model.safetensors';
  assert.deepEqual(meter({ file: 'config.json', loaded: 700, total: 700, cached: true }), { value: 700, max: 700, text: "config.json: from this browser's cache" });
  assert.equal(meter({ file, loaded: 43.7e6, total: 270e6, cached: false }).text, 'model.safetensors: 43.7 of 270.0 MB', 'no speed from one sample');
  ms = 1000;
  assert.deepEqual(meter({ file, loaded: 52.1e6, total: 270e6, cached: false }), { value: 52.1e6, max: 270e6, text: 'model.safetensors: 52.1 of 270.0 MB · 8.4 MB/s · 26 s left' });
  ms = 9000; // the speed is the last 3 s's: 1 MB/s now, not the 6.8 MB/s since the start
  meter({ file, loaded: 60e6, total: 270e6, cached: false });
  ms = 11000;
  assert.equal(meter({ file, loaded: 62e6, total: 270e6, cached: false }).text, 'model.safetensors: 62.0 of 270.0 MB · 1.0 MB/s · 4 min left');
  assert.equal(meter({ file: 'model-00002.safetensors', loaded: 1e6, total: null, cached: false }).text, 'model-00002.safetensors: 1.0 MB · 1.5 MB/s',
    'a size not given: no time left; the speed counts every file');
  const slow = createProgressMeter(() => ms);
  slow({ file, loaded: 0, total: 300e3, cached: false });
  ms += 1000;
  assert.equal(slow({ file, loaded: 60e3, total: 300e3, cached: false }).text, 'model.safetensors: 0.1 of 0.3 MB · 0.06 MB/s · 4 s left', 'under 1 MB/s, two digits');
});

test('the model gets the last block_size tokens; unknown characters are named, not fatal', () => {
  const text = 'é' + 'abcdefghij'.repeat(7); // 1 unknown + 70 known
  const r = prepareInput(text, encode(text), 64, VOCAB);
  assert.equal(r.total, 70);
  assert.equal(r.dropped, 6);
  assert.equal(r.ids.length, 64);
  assert.equal(r.labels[0], 'g', 'the window starts at the 7th known character');
  assert.equal(r.items.filter((i) => i.status === 'used').length, 64);
  assert.deepEqual(r.items.filter((i) => i.status === 'used').map((i) => i.position), [...Array(64).keys()]);
  assert.equal(r.items.filter((i) => i.status === 'unknown').length, 1);
  assert.match(r.messages.map((m) => m.text).join('\n'), /70 tokens.*at most block_size = 64.*first 6/s);
  assert.match(r.messages.map((m) => m.text).join('\n'), /'é' \(U\+00E9\) at character 0/);

  const empty = prepareInput('', encode(''), 64, VOCAB);
  assert.equal(empty.ids.length, 0);
  assert.match(empty.messages[0].text, /The text is empty/);
  const none = prepareInput('éé', encode('éé'), 64, VOCAB);
  assert.match(none.messages[0].text, /None of these characters/);
});

test('byte-level tokens of one character share one group, cut at the context like the rest', () => {
  // ids 0..3 stand for <s>, E4 B8, AD, ␣a (as engine.trace answers for a byte-level tokenizer)
  const vocab = ['<s>', 'E4 B8', 'AD', '␣a'];
  const groups = [{ first: 0, len: 1, text: '<s>', complete: true }, { first: 1, len: 2, text: '中', complete: true }, { first: 3, len: 1, text: ' a', complete: true }];
  const r = prepareInput('中 a', { ids: Uint32Array.of(0, 1, 2, 3), unknown: [], groups }, 3, vocab, { byToken: true });
  assert.deepEqual(r.items.map((i) => [i.char, i.position, i.group?.text ?? null]), [['<s>', null, null], ['E4 B8', 0, '中'], ['AD', 1, '中'], ['␣a', 2, null]]);
  assert.equal(r.items[1].group, r.items[2].group, 'one group object for the tokens it joins');
});

test('one forward call asks for every key the views show, as the engine names them', async () => {
  const keys = traceKeys(await engineOf({ n_layer: 2, n_head: 4 }), 1, 2);
  for (const k of ['embed.tok', 'embed.pos', 'embed', 'block0.residual', 'block1.ln1', 'block1.head2.q', 'block1.head2.scores', 'block1.attn.concat', 'block1.ffn.act', 'block0.head3.att', 'block1.head0.att', 'logits', 'probs']) {
    assert.ok(keys.includes(k), k);
  }
  assert.equal(new Set(keys).size, keys.length, 'no duplicates');
  assert.ok(!keys.includes('block0.ln1'), 'per-layer details only for the chosen layer');
});

test('the keys and view data follow the architecture: no position table for rotary, post-norm inputs, SwiGLU’s gate', async () => {
  const rotary = traceKeys(await engineOf({ n_layer: 1, n_head: 2, positions: 'rotary', norm_position: 'post' }), 0, 0);
  assert.ok(!rotary.includes('embed.pos'), 'the engine refuses embed.pos for rotary models');
  assert.ok(rotary.includes('block0.res1'), 'post-norm: ln1 normalizes x + attention');
  // a fake trace of T = 2 tokens, C = 8, H = 16 (SwiGLU: ffn.pre holds gate and up, 32 wide)
  const engine = await engineOf({ n_layer: 1, n_head: 2, ffn: 'swi_glu', positions: 'rotary' });
  const keys = traceKeys(engine, 0, 0);
  const widths = { 'block0.ffn.pre': 32, 'block0.ffn.act': 16, logits: 3, probs: 3 };
  const trace = Object.fromEntries(keys.map((k) => {
    const w = widths[k] ?? (k.includes('.head') ? 4 : 8);
    return [k, { shape: [2, w], data: Float32Array.from({ length: 2 * w }, (_, i) => i) }];
  }));
  const input = { ids: [0, 1], labels: ['a', 'b'], items: [], hiddenBefore: 0 };
  const d = viewData(trace, { ...engine, vocab: ['a', 'b', 'c'], layer: 0, head: 0, input });
  assert.equal(d.embeddings.pos, null);
  assert.equal(d.ffn.F, 16);
  assert.equal(d.ffn.ffn, 'swi_glu');
  assert.deepEqual(Array.from(d.ffn.pre.slice(14, 18)), [14, 15, 32, 33], 'the gate: the first 16 of each row of 32');
  assert.deepEqual(d.residual.stages, ['X₀', '+attn 0', '+MLP 0']);
});

test('counts get thousands separators as toLocaleString writes them, without its formatting data', () => {
  for (const n of [0, 7, 999, 1000, 12_345, 100_000, 1_234_567, 120_000_000, 9_007_199_254_740_991]) {
    assert.equal(count(n), n.toLocaleString('en'));
  }
});

test('requests made while one runs collapse into one more run with the latest arguments', async () => {
  const runs = [];
  let release;
  const task = async (x, isStale) => {
    runs.push(x);
    if (x === 1) await new Promise((r) => { release = r; });
    runs.push(`${x} stale=${isStale()}`);
  };
  const request = latestOnly(task, (e) => { throw e; });
  const first = request(1);
  const others = [request(2), request(3), request(4)];
  release();
  await Promise.all([first, ...others]);
  assert.deepEqual(runs, [1, '1 stale=true', 4, '4 stale=false']);
});

test('sampling: each rule counts what it leaves out; a probability that rounds to 0 is not a rule', async () => {
  const { default: init, Playground } = await import('../pkg/playground_web.js'); // the engine's own sampling distribution
  await init({ module_or_path: readFileSync(new URL('../pkg/playground_web_bg.wasm', import.meta.url)) });
  const rules = (logits, params) => samplingRules(logits, Playground.samplingProbabilities(logits, params.temperature, params.topK, params.topP), params);
  // 96 logits 1.25 apart: at τ = 0.5 token i has e^(-2.5 i)/Z, below float32's least subnormal
  // (1.4e-45) from i = 42 on
  const logits = Float32Array.from({ length: 96 }, (_, i) => 10 - 1.25 * i);
  const off = rules(logits, { temperature: 0.5, topK: 0, topP: 1 });
  assert.deepEqual([off.byTopK, off.byTopP, off.drawable], [0, 0, 96], 'no rule leaves a token out');
  assert.equal(off.zero, 96 - 42, 'the engine gives 42 tokens a probability above 0');
  assert.equal(rules(logits, { temperature: 1, topK: 0, topP: 1 }).zero, 13, 'fewer at τ = 1');
  // top-k 5 leaves out 91; top-p 0.9 then keeps the first alone (0.92 at τ = 0.5)
  const k5 = rules(logits, { temperature: 0.5, topK: 5, topP: 0.9 });
  assert.deepEqual([k5.byTopK, k5.byTopP, k5.drawable, k5.zero], [91, 4, 1, 0]);
  const p99 = rules(logits, { temperature: 0.5, topK: 0, topP: 0.99 });
  assert.deepEqual([p99.byTopK, p99.byTopP, p99.drawable, p99.zero], [0, 94, 2, 0]);
  assert.deepEqual(rules(logits, { temperature: 0, topK: 3, topP: 0.5 }), { V: 96, greedy: 95, byTopK: 0, byTopP: 0, drawable: 1, zero: 0 });
});

test('descendingPrefix: the first ids of a full sort (largest first, ties to the lower id), with −0 equal to +0', () => {
  let seed = 7;
  const random = () => { // a fixed sequence in [0, 1): mulberry32
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
  const kinds = {
    spread: () => (random() - 0.5) * 40, // logits, both signs
    ties: () => Math.round((random() - 0.5) * 6) / 2, // few distinct values, −0 among them
    zeros: () => [0, -0, 1e-30, -1e-30, 3][Math.floor(random() * 5)],
    signedZeros: () => (random() < 0.5 ? 0 : -0), // the prefix ends among zeros
    huge: () => (random() < 0.5 ? -1 : 1) * 3e38 * random(),
  };
  for (const V of [1, 2, 7, 300, 70_000]) {
    for (const [kind, draw] of Object.entries(kinds)) {
      const values = Float32Array.from({ length: V }, draw); // (V)
      const full = Array.from({ length: V }, (_, i) => i).sort((a, b) => values[b] - values[a] || a - b);
      for (const m of [1, 3, 50, V]) {
        const got = Array.from(descendingPrefix(values, m));
        assert.ok(got.length >= Math.min(m, V), `${kind} V=${V} m=${m}: ${got.length} ids`);
        assert.deepEqual(got, full.slice(0, got.length), `${kind} V=${V} m=${m}`);
      }
    }
  }
});
