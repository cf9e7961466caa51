// Embedding space: every token's embedding row (wte) projected onto its two principal
// components (PCA), drawn as a scatter of the tokens, with the nearest neighbours (cosine
// similarity) of a chosen token. The rows come from the engine: the token embedding of every
// id, traced in chunks of the context length ('embed.tok' is wte[ids]).

import { el } from '../views/dom.js';
import { svgEl, exportButtons } from '../views/export.js';
import { fixed, tokenLabel } from '../views/format.js';
import { t } from '../i18n/i18n.js';
import { marked, messageNodes } from './glossary.js';

/** What the two axes hold, e.g. "PCA of the token embeddings: the two axes hold 31% and 12% of their spread". */
const axesText = (pca) => t('learn.space.axes', { a: Math.round(100 * pca.share[0]) / 100, b: Math.round(100 * pca.share[1]) / 100 });
const FILE = 'embedding space'; // i18n-exempt: the saved figure's file name
const MAX_TOKENS = 2000; // rows projected at most
const MAX_BPE_TOKENS = 256; // for GPT-2 (50,257 tokens): each row costs a token of a forward pass through the whole model
const SIZE = 360; // px: the scatter's side
const NEIGHBOURS = 5;
const ITERATIONS = 100; // power iterations per component

/** Rows centred on their mean: (n, C). */
function centred(rows, n, C) {
  const mean = new Float64Array(C);
  for (let i = 0; i < n; i++) for (let c = 0; c < C; c++) mean[c] += rows[i * C + c] / n;
  const x = new Float64Array(n * C);
  for (let i = 0; i < n; i++) for (let c = 0; c < C; c++) x[i * C + c] = rows[i * C + c] - mean[c];
  return x;
}

/**
 * The first two principal components of n rows of C numbers, by power iteration on the
 * covariance with deflation (deterministic: it starts from a fixed vector).
 * @returns {{ coords: Float64Array, share: [number, number] }} coords: (n, 2); share: each axis's part of the total variance
 */
export function pca2(rows, n, C) {
  const x = centred(rows, n, C);
  const cov = new Float64Array(C * C);
  for (let i = 0; i < n; i++) for (let a = 0; a < C; a++) for (let b = a; b < C; b++) cov[a * C + b] += x[i * C + a] * x[i * C + b];
  for (let a = 0; a < C; a++) for (let b = 0; b < a; b++) cov[a * C + b] = cov[b * C + a];
  let total = 0;
  for (let a = 0; a < C; a++) total += cov[a * C + a];
  const comps = [];
  const values = [];
  for (let k = 0; k < 2; k++) {
    let v = Float64Array.from({ length: C }, (_, i) => 1 + i / C);
    let lambda = 0;
    for (let it = 0; it < ITERATIONS; it++) {
      const w = new Float64Array(C);
      for (let a = 0; a < C; a++) for (let b = 0; b < C; b++) w[a] += cov[a * C + b] * v[b];
      lambda = Math.hypot(...w);
      if (lambda === 0) break;
      v = w.map((y) => y / lambda);
    }
    comps.push(v);
    values.push(lambda);
    for (let a = 0; a < C; a++) for (let b = 0; b < C; b++) cov[a * C + b] -= lambda * v[a] * v[b]; // deflate
  }
  const coords = new Float64Array(n * 2);
  for (let i = 0; i < n; i++) for (let k = 0; k < 2; k++) for (let c = 0; c < C; c++) coords[i * 2 + k] += x[i * C + c] * comps[k][c];
  return { coords, share: values.map((l) => (total ? l / total : 0)) };
}

/** The k rows most similar to row i by cosine similarity: [[index, similarity], …], most similar first. */
export function nearest(rows, n, C, i, k) {
  const norm = (j) => Math.hypot(...rows.subarray(j * C, (j + 1) * C)) || 1;
  const ni = norm(i);
  const sims = [];
  for (let j = 0; j < n; j++) {
    if (j === i) continue;
    let dot = 0;
    for (let c = 0; c < C; c++) dot += rows[i * C + c] * rows[j * C + c];
    sims.push([j, dot / (ni * norm(j))]);
  }
  return sims.sort((a, b) => b[1] - a[1]).slice(0, k);
}

/** Every token's embedding row (the first MAX_TOKENS), traced in chunks of the context length. */
export async function embeddingRows(engine) {
  const { config, vocab } = engine;
  const n = Math.min(vocab.length, engine.tokenizer === 'gpt2' ? MAX_BPE_TOKENS : MAX_TOKENS);
  const C = config.n_embd;
  const rows = new Float32Array(n * C);
  for (let start = 0; start < n; start += config.block_size) {
    const ids = Uint32Array.from({ length: Math.min(config.block_size, n - start) }, (_, i) => start + i);
    const { 'embed.tok': tok } = await engine.forward(ids, ['embed.tok']);
    rows.set(tok.data, start * C);
  }
  return { rows, n, C };
}

/** @param {HTMLElement} container */
export function createEmbeddingSpace(container) {
  const intro = el('p', { className: 'view-intro' }, ...marked(t('learn.space.intro')));
  const select = el('select', { attrs: { id: 'space-token', translate: 'no' } }); // its options are tokens
  const note = el('p', { className: 'hint' });
  const plot = el('div', { className: 'space-plot', attrs: { dir: 'ltr' } }); // a scatter of tokens: not mirrored
  const list = el('p', { className: 'space-neighbours', attrs: { 'aria-live': 'polite' } });
  let shown = null; // { engine, rows, n, C, pca, labels }
  let chosen = null;
  const buttons = exportButtons(() => (shown ? scatter(true) : null), () => FILE);
  container.append(intro, el('div', { className: 'view-tools' }, el('label', {}, t('learn.space.pick'), ' ', select), buttons), note, plot, list);
  select.addEventListener('change', () => choose(Number(select.value)));

  function scatter(standalone = false) {
    const { pca, n, labels } = shown;
    const xs = Array.from({ length: n }, (_, i) => pca.coords[2 * i]);
    const ys = Array.from({ length: n }, (_, i) => pca.coords[2 * i + 1]);
    const span = (v) => [Math.min(...v), Math.max(...v)];
    const [x0, x1] = span(xs);
    const [y0, y1] = span(ys);
    const px = (x) => 20 + ((x - x0) / (x1 - x0 || 1)) * (SIZE - 40);
    const py = (y) => SIZE - 20 - ((y - y0) / (y1 - y0 || 1)) * (SIZE - 40);
    const near = new Set(nearest(shown.rows, n, shown.C, chosen, NEIGHBOURS).map(([j]) => j));
    const svg = svgEl('svg', { xmlns: 'http://www.w3.org/2000/svg', width: SIZE, height: SIZE, viewBox: `0 0 ${SIZE} ${SIZE}`, class: 'space-svg', role: 'img', 'aria-label': axesText(pca) });
    if (standalone) svg.append(svgEl('rect', { x: 0, y: 0, width: SIZE, height: SIZE, fill: '#ffffff' }));
    for (let i = 0; i < n; i++) {
      const cls = i === chosen ? 'space-token is-chosen' : near.has(i) ? 'space-token is-near' : 'space-token'; // i18n-exempt: class lists
      const fill = standalone ? { fill: i === chosen ? '#c2570c' : near.has(i) ? '#2456a6' : '#4a4f57' } : {};
      svg.append(svgEl('text', { x: px(xs[i]), y: py(ys[i]), translate: 'no', 'text-anchor': 'middle', 'font-size': i === chosen ? 15 : 11, 'font-family': 'ui-monospace, monospace', class: cls, ...fill }, labels[i])); // i18n-exempt: a font list
    }
    return svg;
  }

  function choose(i) {
    chosen = i;
    select.value = String(i);
    plot.replaceChildren(scatter());
    const near = nearest(shown.rows, shown.n, shown.C, i, NEIGHBOURS);
    list.replaceChildren(...messageNodes('learn.space.neighbours', {}, { token: shown.labels[i], list: near.map(([j, s]) => `${shown.labels[j]} ${fixed(s, 2)}`).join(t('learn.space.separator')) }));
  }

  return {
    /** Shows `engine`'s embeddings (traced once per engine, or again with `fresh`: they changed); `token` is chosen first. */
    async update(engine, token, { fresh = false } = {}) {
      // the same engine, a token already chosen: the plot stays as it is (drawn again on every
      // keystroke, its 2,000 labels held a key 42 ms at V = 262,144)
      if (shown?.engine === engine && !fresh && chosen !== null) return;
      if (!shown || shown.engine !== engine || fresh) {
        const { rows, n, C } = await embeddingRows(engine);
        const labels = engine.vocab.slice(0, n).map(tokenLabel);
        shown = { engine, rows, n, C, pca: pca2(rows, n, C), labels };
        select.replaceChildren(...labels.map((l, i) => new Option(l, String(i))));
        note.textContent = engine.vocab.length > n
          ? t('learn.space.noteTooMany', { axes: axesText(shown.pca), v: engine.vocab.length, max: n })
          : t('learn.space.note', { axes: axesText(shown.pca) });
        chosen = null;
      }
      choose(chosen ?? Math.min(token, shown.n - 1));
    },
  };
}
