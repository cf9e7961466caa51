// The learner's path without a browser: every marked term has a definition (the steps in both
// registers and every tour stop on a made-up trace), the head-label scores on synthetic
// attention maps, the probe, and the tour's stop in the address.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GLOSSARY } from '../learn/glossary-terms.js';
import { termsIn, plainText, definition } from '../learn/glossary.js';
import { STEP_WORDS } from '../learn/step-words.js';
import { STOPS } from '../learn/tour-stops.js';
import { textScores, inductionScore, labelHead, broadness, probeIds, LABEL_AT } from '../learn/heads.js';
import { labelAll } from '../learn/heads-view.js';
import { compareLayers } from '../learn/rnn-view.js';
import { pca2, nearest } from '../learn/embedding-space.js';
import { shuffleOrder, zeroTensor, shuffleChange } from '../learn/positions-view.js';
import { deserialize, serialize, TOUR_LENGTH } from '../state.js';
import { useLanguage } from '../i18n/i18n.js';

await useLanguage('en', { setDocument: false }); // the messages under test come from the catalogs

const LIMITS = { nLayer: 2, nHead: 4, vocabSize: 65, example: 'hello' };

/** A (T, T) causal map whose row t puts `pick(t)`'s weight w and spreads the rest evenly over the other keys it sees. */
function causalMap(T, pick, w = 1) {
  const att = new Float32Array(T * T);
  for (let t = 0; t < T; t++) {
    const j = pick(t);
    for (let k = 0; k <= t; k++) att[t * T + k] = t === 0 ? 1 : k === j ? w : (1 - w) / t;
  }
  return att;
}

/** A (T, T) causal map whose row t spreads evenly over keys 0..t. */
function uniformCausal(T) {
  const att = new Float32Array(T * T);
  for (let t = 0; t < T; t++) for (let k = 0; k <= t; k++) att[t * T + k] = 1 / (t + 1);
  return att;
}

/** A made-up trace context for the tour's stops: T tokens, C = 4, 2 layers × 2 heads. */
function fakeContext() {
  const T = 6;
  const C = 4;
  const labels = ['h', 'e', 'l', 'l', 'o', '!'];
  const rows = (n) => Float32Array.from({ length: T * n }, (_, i) => Math.sin(i + 1));
  const att = causalMap(T, (t) => Math.max(0, t - 1), 0.7);
  const data = (key) => (key.endsWith('.att') ? att : key.endsWith('ffn.act') ? rows(4 * C) : rows(C));
  const logits = Float32Array.from({ length: 10 }, (_, i) => i / 3);
  const heads = [{ layer: 1, head: 0, scores: { previous: 0.7, first: 0.1, self: 0.1, induction: 0.5, broad: 0.3 } }];
  return {
    T, labels, ids: [1, 2, 3, 3, 4, 5], V: 10, vocab: 'abcdefghij'.split(''),
    config: { n_layer: 2, n_head: 2, n_embd: C }, arch: { family: 'decoder' }, layer: 0, head: 1, data,
    lnInputKey: 'embed', lnKey: 'block0.ln1', attKey: 'block0.head1.att', actKey: 'block0.ffn.act', lastOutputKey: 'block1.residual',
    firstShare: () => 0.25, probs: Float32Array.from(logits, (z) => z / 15), logits, temperature: 1, heads,
  };
}

test('every term the steps mark, in plain and technical words, has a definition', () => {
  for (const [view, words] of Object.entries(STEP_WORDS)) {
    for (const mode of ['plain', 'technical']) {
      const terms = termsIn(words[mode]);
      assert.ok(terms.length > 0, `${view} (${mode}) marks at least one term`);
      for (const t of terms) assert.ok(definition(t), `${view} (${mode}) marks "${t}", which the glossary lacks`);
      assert.doesNotMatch(plainText(words[mode]), /\[\[|\]\]/);
    }
  }
});

test('the tour has TOUR_LENGTH stops; each says something with numbers and marks only defined terms', () => {
  assert.equal(STOPS.length, TOUR_LENGTH);
  const ctx = fakeContext();
  const withNumbers = STOPS.filter((s) => /\d/.test(plainText(s.text(ctx)))).length;
  assert.ok(withNumbers >= 12, `${withNumbers} stops quote a number`);
  for (const [i, s] of STOPS.entries()) {
    const text = s.text(ctx);
    for (const t of termsIn(text)) assert.ok(definition(t), `stop ${i + 1} marks "${t}", which the glossary lacks`);
  }
  assert.match(plainText(STOPS[2].text(ctx)), /6 tokens.*“h”.*number 1.*vocabulary of 10/);
  assert.match(plainText(STOPS[5].text(ctx)), /“!” gives 70% of its attention to “o” at position 4/);
});

test('a made-up term is caught, and text from the reader cannot forge a mark', () => {
  assert.deepEqual(termsIn('a [[tokn]] and a [[head|heads]]'), ['tokn', 'head']);
  assert.equal(definition('tokn'), undefined);
  assert.equal(definition('constructor'), undefined, 'only the glossary’s own entries count');
  const ctx = { ...fakeContext(), labels: ['[', '[', 'x', ']', ']', '!'] };
  assert.deepEqual(termsIn(STOPS[0].text(ctx)).filter((t) => !definition(t)), []);
  assert.ok(Object.keys(GLOSSARY).length >= 30);
});

test('head scores on synthetic maps: previous token, first token, self, broad', () => {
  const T = 8;
  const prev = textScores(causalMap(T, (t) => t - 1), T, true);
  assert.deepEqual([prev.previous, prev.first, prev.self], [1, 1 / (T - 1), 0]); // row 1's previous token is the first
  assert.deepEqual(labelHead(prev), { label: 'previous', score: 1, pattern: 'previous' });
  const first = textScores(causalMap(T, () => 0, 0.9), T, true);
  assert.equal(labelHead(first).label, 'first');
  assert.ok(Math.abs(first.first - 0.9) < 1e-6, String(first.first));
  assert.equal(labelHead(textScores(causalMap(T, (t) => t), T, true)).label, 'self');
  const uniform = uniformCausal(T);
  assert.ok(Math.abs(broadness(uniform, T, true) - 1) < 1e-6);
  const u = textScores(uniform, T, true);
  assert.ok(u.previous < LABEL_AT && u.first < LABEL_AT);
  assert.equal(labelHead(u).label, 'broad');
  // a bidirectional map: row t spreads over all T keys
  const even = new Float32Array(T * T).fill(1 / T);
  assert.ok(Math.abs(broadness(even, T, false) - 1) < 1e-6);
  assert.equal(labelHead({ previous: 0.2, first: 0.2, self: 0.2, induction: 0.1, broad: 0.5 }).label, 'mixed');
});

test('induction on the probe: the token after the earlier copy, and not the copy itself', () => {
  const n = 5;
  const T = 2 * n;
  const induction = causalMap(T, (t) => (t >= n ? t - n + 1 : t - 1));
  assert.equal(inductionScore(induction, n), 1);
  const copy = causalMap(T, (t) => (t >= n ? t - n : t - 1)); // looks at the copy: not induction
  assert.equal(inductionScore(copy, n), 0);
  const maps = { 'block0.head0.att': causalMap(T, (t) => t - 1), 'block0.head1.att': induction };
  const text = { 'block0.head0.att': causalMap(6, (t) => t - 1), 'block0.head1.att': uniformCausal(6) };
  const steps = { stacks: [{ blocks: [[{ op: 'causal', heads: [{ att: 'block0.head0.att' }, { att: 'block0.head1.att' }] }]] }] }; // the engine's, in part
  const labelled = labelAll({ config: { n_layer: 1, n_head: 2 }, steps }, (k) => text[k], 6, (k) => maps[k], n, true);
  assert.deepEqual(labelled.map((h) => [h.layer, h.head, h.label]), [[0, 0, 'previous'], [0, 1, 'induction']]);
  assert.equal(labelled[1].score, 1);
});

test('the probe: n random ids, then the same n again; the same every time; fits the context', () => {
  const a = probeIds(65, 64);
  assert.equal(a.n, 24);
  assert.deepEqual(a.ids.slice(0, 24), a.ids.slice(24));
  assert.equal(new Set(a.ids).size, 24, 'no token repeats within a half');
  assert.deepEqual(probeIds(65, 64), a);
  assert.equal(probeIds(65, 10).n, 5);
  assert.ok(probeIds(65, 64, (id) => id > 30).ids.every((id) => id > 30));
});

test('the tour stop lives in the address: #tour=5 resumes, a bad stop is refused with a message, 0 is not written', () => {
  assert.equal(deserialize('#tour=5', LIMITS).state.tour, 5);
  const bad = deserialize(`#tour=${TOUR_LENGTH + 1}`, LIMITS);
  assert.equal(bad.state.tour, 0);
  assert.match(bad.messages[0], /tour must be from 0 to 15/);
  const state = deserialize('', LIMITS).state;
  assert.doesNotMatch(serialize(state), /tour/);
  assert.match(serialize({ ...state, tour: 3 }), /&tour=3$/);
});

test('why not an RNN: table 1 of the paper computed for T and C', () => {
  const c = compareLayers(34, 64);
  assert.deepEqual(c.attention, { flops: 4 * 34 * 34 * 64, sequential: 1, path: 1 });
  assert.deepEqual(c.rnn, { flops: 4 * 34 * 64 * 64, sequential: 34, path: 33 });
  assert.ok(c.ratio < 1, 'attention is cheaper while T < C');
  assert.ok(compareLayers(128, 64).ratio === 2);
});

test('embedding space: PCA finds the directions of most spread, nearest neighbours by cosine', () => {
  // points on a line along (1, 2, 0) with a little spread along (0, 0, 1): the first axis holds almost all the variance
  const n = 20;
  const rows = new Float32Array(n * 3);
  for (let i = 0; i < n; i++) rows.set([i, 2 * i, (i % 2) * 0.5], i * 3);
  const { coords, share } = pca2(rows, n, 3);
  assert.ok(share[0] > 0.99 && share[1] < 0.01 && share[1] > 0, String(share));
  const first = Array.from({ length: n }, (_, i) => coords[2 * i]);
  const steps = first.slice(1).map((x, i) => x - first[i]);
  assert.ok(steps.every((d) => Math.abs(Math.abs(d) - Math.sqrt(5)) < 0.05), 'one unit along the line is √5 along the first axis');
  const near = nearest(Float32Array.from([1, 0, 0, 0.9, 0.1, 0, 0, 1, 0, -1, 0, 0]), 4, 3, 0, 2);
  assert.deepEqual(near.map(([j]) => j), [1, 2]);
  assert.ok(Math.abs(near[1][1]) < 1e-9);
});

test('positions matter: a seeded shuffle that moves something, a zeroed tensor in a safetensors file, the change measured per family', async () => {
  const order = shuffleOrder(5);
  assert.deepEqual([...order].sort(), [0, 1, 2, 3, 4]);
  assert.notDeepEqual(order, [0, 1, 2, 3, 4]);
  assert.deepEqual(shuffleOrder(5), order);
  assert.deepEqual(shuffleOrder(2), [1, 0]);
  // a safetensors file with two tensors: only the named one becomes 0
  const json = JSON.stringify({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, 'transformer.wpe.weight': { dtype: 'F32', shape: [2], data_offsets: [8, 16] } });
  const header = new TextEncoder().encode(json.padEnd(Math.ceil(json.length / 8) * 8)); // padded with spaces, as safetensors does
  const bytes = new Uint8Array(8 + header.length + 16);
  new DataView(bytes.buffer).setBigUint64(0, BigInt(header.length), true);
  bytes.set(header, 8);
  new Float32Array(bytes.buffer, 8 + header.length, 4).set([1, 2, 3, 4]);
  const zeroed = zeroTensor(bytes, 'transformer.wpe.weight');
  assert.deepEqual(Array.from(new Float32Array(zeroed.buffer, 8 + header.length, 4)), [1, 2, 0, 0]);
  assert.deepEqual(Array.from(new Float32Array(bytes.buffer, 8 + header.length, 4)), [1, 2, 3, 4], 'the original is left alone');
  assert.equal(zeroTensor(bytes, 'nope'), null);
  // a "model" whose logits for token t are [id, 2·id]: a bag (order-free) model changes nothing when shuffled
  const bag = async (ids) => ({ x: Float32Array.from(ids.flatMap((id) => [id, 2 * id])) });
  assert.deepEqual((await shuffleChange(bag, [3, 1, 4, 1, 5], false)).change, { x: 0 });
  const sums = async (ids) => ({ x: Float32Array.from(ids.flatMap((id, t) => [ids.slice(0, t + 1).reduce((a, b) => a + b, 0), 0])) });
  assert.deepEqual((await shuffleChange(sums, [3, 1, 4, 1, 5], true)).change, { x: 0 }, 'a causal bag: the last row is the same');
  const positional = async (ids) => ({ x: Float32Array.from(ids.flatMap((id, t) => [id * (t + 1), 0])) });
  assert.ok((await shuffleChange(positional, [3, 1, 4, 1, 5], false)).change.x > 0);
});
