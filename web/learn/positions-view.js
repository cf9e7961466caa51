// Positions matter: the same model with its position table zeroed (a copy of its checkpoint
// with transformer.wpe.weight set to 0, run by the engine like any other), on the reader's text
// and on the text shuffled. Without positions, attention sees a bag of tokens: an encoder's
// outputs are the same rows, only reordered. In a decoder the last token's vector after the
// first layer is the same for a shuffled past, but deeper layers still see order: each earlier
// token carries what the causal mask let it see. With positions, everything changes.

import { el } from '../views/dom.js';
import { fmt, tokenLabel } from '../views/format.js';
import { t } from '../i18n/i18n.js';
import { blockOutputKey } from '../trace-data.js';
import { marked, messageNodes } from './glossary.js';

/** The rows compared, by trace key (named by the engine's steps), and what each row says. */
const ROWS = {
  causal: (engine) => ({ [blockOutputKey(engine, 0)]: t('learn.positions.rows.lastAfterLayer0'), [engine.steps.logits]: t('learn.positions.rows.lastLogits') }),
  bag: (engine) => ({ [engine.steps.logits]: t('learn.positions.rows.allLogits') }),
};
const SEED = 7;

/** A permutation of 0..n−1 that moves at least one element (seeded, the same every time). */
export function shuffleOrder(n, seed = SEED) {
  const order = Array.from({ length: n }, (_, i) => i);
  let state = seed;
  const random = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  if (n > 1 && order.every((v, i) => v === i)) [order[0], order[1]] = [order[1], order[0]];
  return order;
}

/** A copy of safetensors `bytes` with tensor `name`'s data set to zero; null when it has no such tensor. */
export function zeroTensor(bytes, name) {
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
  if (!header[name]) return null;
  const [start, end] = header[name].data_offsets;
  const out = Uint8Array.from(bytes);
  out.fill(0, 8 + n + start, 8 + n + end);
  return out;
}

/** max |a − b|. */
function maxDiff(a, b) {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/**
 * How much traced rows change when the tokens are shuffled. Causal: the tokens before the last
 * are shuffled, and the last token's rows compared. Bidirectional: all are shuffled, and each
 * token's rows compared with its own rows in the shuffled run.
 * @param {(ids: number[]) => Promise<Record<string, Float32Array>>} rowsOf (T, width) rows per key of a token sequence
 * @returns {Promise<{ order: number[], change: Record<string, number> }>} change: max |difference| per key
 */
export async function shuffleChange(rowsOf, ids, causal) {
  const T = ids.length;
  const order = causal ? [...shuffleOrder(T - 1), T - 1] : shuffleOrder(T);
  const [a, b] = [await rowsOf(ids), await rowsOf(order.map((i) => ids[i]))];
  const change = {};
  for (const [key, rows] of Object.entries(a)) {
    const w = rows.length / T;
    const row = (m, t) => m.subarray(t * w, (t + 1) * w);
    change[key] = causal ? maxDiff(row(rows, T - 1), row(b[key], T - 1)) : Math.max(...order.map((from, to) => maxDiff(row(rows, from), row(b[key], to))));
  }
  return { order, change };
}

/**
 * @param {HTMLElement} container
 * @param {{ load: (bytes: Uint8Array) => Promise<object> }} hooks load: an engine from checkpoint bytes
 */
export function createPositionsView(container, { load }) {
  const intro = el('p', { className: 'view-intro' }, ...marked(t('learn.positions.intro')));
  const button = el('button', { text: t('learn.positions.run'), attrs: { type: 'button', id: 'positions-run' } });
  const out = el('div', { className: 'positions-out', attrs: { 'aria-live': 'polite' } });
  container.append(intro, el('p', {}, button), out);
  let current = null; // { engine, ids, labels }
  let bare = null; // { of: engine, engine: the same model without positions }

  async function run() {
    const { engine, ids, labels } = current;
    const { architecture: arch } = engine;
    if (ids.length < 3) return out.replaceChildren(el('p', { text: t('learn.positions.short') }));
    if (arch.positions !== 'learned') return out.replaceChildren(el('p', { text: t('learn.positions.computed') }));
    if (engine.tokenizer === 'gpt2') return out.replaceChildren(el('p', { text: t('learn.positions.gpt2') }));
    out.replaceChildren(el('p', { text: t('learn.positions.running') }));
    if (bare?.of !== engine) {
      await bare?.engine.dispose();
      bare = { of: engine, engine: await load(zeroTensor(await engine.exportCheckpoint(), 'transformer.wpe.weight')) };
    }
    const causal = arch.family !== 'encoder';
    const names = ROWS[causal ? 'causal' : 'bag'](engine);
    const rowsOf = (model) => async (seq) => {
      const trace = await model.forward(seq, Object.keys(names));
      return Object.fromEntries(Object.keys(names).map((k) => [k, trace[k].data]));
    };
    const withPos = await shuffleChange(rowsOf(engine), ids, causal);
    const without = await shuffleChange(rowsOf(bare.engine), ids, causal);
    const rows = Object.entries(names).map(([key, name]) => el('tr', { attrs: { 'data-key': key } }, el('th', { text: name }),
      el('td', { className: 'num', text: fmt(withPos.change[key], 3), attrs: { 'data-with': '' } }),
      el('td', { className: 'num', text: fmt(without.change[key], 3), attrs: { 'data-without': '' } })));
    out.replaceChildren(
      el('p', { className: 'probe-line' }, ...messageNodes('learn.positions.shuffled', {}, { text: withPos.order.map((i) => labels[i]).join('') })),
      el('div', { className: 'table-scroll' }, el('table', { className: 'cost-table' }, el('tr', {}, ...[t('learn.positions.head.change'), t('learn.positions.head.with'), t('learn.positions.head.without')].map((h) => el('th', { text: h }))), ...rows)),
      el('p', { className: 'callout' }, ...(causal ? messageNodes('learn.positions.verdictCausal', {}, { token: labels[ids.length - 1] }) : marked(t('learn.positions.verdictBag')))),
    );
  }

  button.addEventListener('click', () => run().catch((err) => out.replaceChildren(el('p', { text: String(err?.message ?? err) }))));
  return {
    /** The text and model on screen (a result shown for an older one is cleared). */
    update(engine, ids) {
      const next = { engine, ids: Array.from(ids), labels: Array.from(ids, (id) => tokenLabel(engine.vocab[id])) };
      if (current && (current.engine !== engine || current.ids.join() !== next.ids.join())) out.replaceChildren();
      current = next;
    },
  };
}
