// The architecture map: the loaded model drawn from the engine's description of it
// (crates/playground-web/src/architecture.rs), in the spirit of figure 1 of "Attention Is All
// You Need": one column per stack (decoder, encoder, or an encoder-decoder's two), its block's
// sublayers in order with the norms where the model puts them (pre- or post-norm), how
// positions enter, the feed-forward's activation and width, and the output head. Every box
// goes to its step; the layer and head chips pick the layer and head the steps show, and the
// current ones are highlighted. Saved as SVG or PNG like the other figures.

import { el } from '../views/dom.js';
import { svgEl, exportButtons } from '../views/export.js';
import { t } from '../i18n/i18n.js';

/** The map's words, in the page's language (names of norms and activations are the same in every language). */
const words = () => ({
  stack: { '': '', 'encoder.': t('learn.map.stack.encoder'), 'decoder.': t('learn.map.stack.decoder') },
  text: t('learn.map.text'),
  source: t('learn.map.source'),
  target: t('learn.map.target'),
  tokens: (v) => t('learn.map.tokens', { v }),
  embed: (c) => t('learn.map.embed', { c }),
  positions: { learned: t('learn.map.positions.learned'), sinusoidal: t('learn.map.positions.sinusoidal'), rotary: t('learn.map.positions.rotary') },
  norm: { layer_norm: 'LayerNorm', rms_norm: 'RMSNorm' },
  attention: { causal: t('learn.map.attention.causal'), bidirectional: t('learn.map.attention.bidirectional'), cross: t('learn.map.attention.cross') },
  heads: (nh, nkv) => (nkv < nh ? t('learn.map.headsKv', { nh, nkv }) : t('learn.map.heads', { nh })),
  ffn: { gelu: 'GELU', gelu_tanh: 'GELU (tanh)', relu: 'ReLU', swi_glu: 'SwiGLU' }, // i18n-exempt: the activations' names
  mlp: (act, width) => t('learn.map.mlp', { act, width }),
  add: t('learn.map.add'),
  repeat: (n) => t('learn.map.repeat', { n }),
  layerChips: t('learn.map.layerChips'),
  headChips: t('learn.map.headChips'),
  finalNorm: (norm, key) => (key === 'lne' ? t('learn.map.finalNormMemory', { norm }) : t('learn.map.finalNorm', { norm })),
  headTied: t('learn.map.headTied'),
  headOwn: t('learn.map.headOwn'),
  outNext: t('learn.map.outNext'),
  outMask: t('learn.map.outMask'),
  outClasses: (k) => t('learn.map.outClasses', { k }),
  memory: t('learn.map.memory'),
  goTo: (what) => t('learn.map.goTo', { what }),
  pickLayer: (l) => t('learn.map.pickLayer', { l }),
  pickHead: (h) => t('learn.map.pickHead', { h }),
  post: t('learn.map.post'),
  pre: t('learn.map.pre'),
});
const FILE = 'architecture'; // the saved figure's file name

const COL = 300; // px: one stack's column
const BOX_H = 28;
const GAP = 12;
const PAD = 16;
const CHIP = 18;
/** Colours of the saved figure (white background, light theme), by the class a shape has on the page. */
const EXPORT = {
  'map-bg': { fill: '#ffffff' },
  'map-box': { fill: '#eef1f6', stroke: '#8a93a3' },
  'map-attn': { fill: '#fde7d3', stroke: '#c2570c' },
  'map-ffn': { fill: '#dff0e4', stroke: '#3f8a56' },
  'map-norm': { fill: '#fff6c8', stroke: '#a88a12' },
  'map-frame': { fill: 'none', stroke: '#8a93a3' },
  'map-line': { stroke: '#4a4f57', fill: 'none' },
  'map-text': { fill: '#15181d' },
  'map-soft': { fill: '#4a4f57' },
  'map-chip': { fill: '#ffffff', stroke: '#8a93a3' },
  'map-chip is-current': { fill: '#c2570c', stroke: '#c2570c' }, // i18n-exempt: a class list
};
const FONT = 'system-ui, sans-serif'; // i18n-exempt: a font list

let measure = null; // a canvas context that measures text

/** The font size (px, at most `size`) at which `label` fits `width` px: a long translation is drawn smaller. */
function fitSize(label, width, size = 12) {
  measure ??= document.createElement('canvas').getContext('2d');
  measure.font = `${size}px ${FONT}`;
  const w = measure.measureText(label).width;
  return w <= width ? size : Math.max(8, Math.floor(((size * width) / w) * 10) / 10);
}

/** A label's text nodes, each of the `data` names in it in a translate="no" tspan. */
function withData(label, data) {
  const names = data.filter((d) => d && label.includes(d));
  if (!names.length) return [label];
  const escape = (d) => d.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const parts = label.split(new RegExp(`(${names.map(escape).join('|')})`));
  return parts.filter((p) => p !== '').map((p) => (names.includes(p) ? svgEl('tspan', { translate: 'no' }, p) : p));
}

/** Where each kind of box goes on the page. */
const STEP = { tokens: 'tokens', embed: 'embeddings', norm: 'layernorm', attention: 'head', ffn: 'ffn', add: 'residual', out: 'output' };

/**
 * The map as an SVG element.
 * @param {object} arch the engine's description (engine.architecture)
 * @param {{ layer: number, head: number }} sel the layer and head the steps show
 * @param {{ standalone?: boolean }} [options] standalone: colours written into the figure (for saving)
 */
export function mapSvg(arch, { layer, head }, { standalone = false } = {}) {
  const WORDS = words();
  const cols = arch.stacks.length;
  const shapes = [];
  const add = (node) => {
    shapes.push(node);
    return node;
  };
  /** A box; `data`: names in its label that are not words (a norm's, an activation's), kept from translators. */
  const boxAt = (x, y, w, label, cls, step, data = []) => {
    const g = add(svgEl('g', { class: `map-link${step ? '' : ' is-static'}`, ...(step ? { 'data-step': step, tabindex: 0, role: 'link', 'aria-label': WORDS.goTo(label) } : {}) }));
    g.append(svgEl('rect', { x, y, width: w, height: BOX_H, rx: 6, class: cls }));
    g.append(svgEl('text', { x: x + w / 2, y: y + BOX_H / 2 + 4, 'text-anchor': 'middle', 'font-size': fitSize(label, w - 8), 'font-family': FONT, class: 'map-text' }, ...withData(label, data)));
    return g;
  };
  const line = (x1, y1, x2, y2) => add(svgEl('path', { d: `M${x1} ${y1} L${x2} ${y2}`, class: 'map-line', 'marker-end': 'url(#map-arrow)' }));
  const note = (x, y, s, anchor = 'middle') => add(svgEl('text', { x, y, 'text-anchor': anchor, 'font-size': 11, 'font-family': FONT, class: 'map-soft' }, s));
  /** A row of numbered chips from x (wrapping at `perRow`); returns the height used. */
  const chips = (x, y, n, current, kind, perRow) => {
    const g = add(svgEl('g', { class: 'map-chips' }));
    g.append(svgEl('text', { x, y: y + 13, 'font-size': 11, 'font-family': FONT, class: 'map-soft', 'text-anchor': 'end' }, WORDS[`${kind}Chips`]));
    for (let i = 0; i < n; i++) {
      const cx = x + 6 + (i % perRow) * (CHIP + 4);
      const cy = y + Math.floor(i / perRow) * (CHIP + 4);
      const label = kind === 'layer' ? WORDS.pickLayer(i) : WORDS.pickHead(i);
      const chip = svgEl('g', { class: 'map-pick', tabindex: 0, role: 'button', 'aria-label': label, 'aria-pressed': String(i === current), [`data-${kind}`]: i });
      chip.append(svgEl('rect', { x: cx, y: cy, width: CHIP, height: CHIP, rx: 4, class: `map-chip${i === current ? ' is-current' : ''}` }));
      chip.append(svgEl('text', { x: cx + CHIP / 2, y: cy + 13, 'text-anchor': 'middle', 'font-size': 11, 'font-family': FONT, class: i === current ? 'map-chip-text is-current' : 'map-chip-text' }, String(i))); // i18n-exempt: class lists
      g.append(chip);
    }
    return Math.ceil(n / perRow) * (CHIP + 4);
  };
  const perRow = (x) => Math.floor((COL - PAD - x - 10) / (CHIP + 4));

  const w = COL - 2 * PAD;
  const tops = [];
  let height = 0;
  const memoryAt = []; // [x, y] of each stack's output, for cross-attention's arrow
  arch.stacks.forEach((stack, s) => {
    const x0 = s * COL + PAD;
    const mid = x0 + w / 2;
    let y = PAD + (cols > 1 ? 16 : 0);
    if (cols > 1) note(mid, PAD + 6, WORDS.stack[stack.name]);
    const encdec = cols > 1;
    boxAt(x0, y, w, encdec ? (s === 0 ? WORDS.source : WORDS.target) : WORDS.text, 'map-box', null);
    y += BOX_H + GAP;
    line(mid, y - GAP, mid, y);
    boxAt(x0, y, w, WORDS.tokens(arch.vocab_size), 'map-box', STEP.tokens);
    y += BOX_H + GAP;
    line(mid, y - GAP, mid, y);
    boxAt(x0, y, w, WORDS.embed(arch.n_embd), 'map-box', STEP.embed);
    y += BOX_H + 4;
    note(mid, y + 10, WORDS.positions[arch.positions] ?? arch.positions);
    y += 16 + GAP;
    line(mid, y - GAP, mid, y);
    // one block, drawn once, repeated N times (figure 1's "N×")
    const frameTop = y;
    note(x0 + 4, y + 14, WORDS.repeat(stack.blocks), 'start');
    note(x0 + w - 4, y + 14, WORDS[arch.norm_position], 'end');
    y += 22;
    const isCurrentStack = s === cols - 1;
    if (isCurrentStack) {
      y += chips(x0 + 44, y, stack.blocks, layer, 'layer', perRow(44)) + 6;
    }
    const first = stack.sublayers.filter((sub) => sub.block === 0);
    for (const sub of first) {
      const normBox = () => {
        boxAt(x0 + 20, y, w - 40, WORDS.norm[arch.norm], 'map-norm', STEP.norm, [WORDS.norm[arch.norm]]);
        y += BOX_H + GAP;
        line(mid, y - GAP, mid, y);
      };
      const start = y;
      if (arch.norm_position === 'pre') normBox();
      if (sub.op === 'attention') {
        if (sub.kind === 'cross') memoryAt.push([x0 + 20, y + BOX_H / 2]);
        boxAt(x0 + 20, y, w - 40, WORDS.attention[sub.kind], 'map-attn', STEP.attention);
        y += BOX_H + 2;
        note(mid, y + 10, WORDS.heads(sub.n_head, sub.n_kv_head));
        y += 14;
        if (sub.kind !== 'cross' && isCurrentStack) y += chips(x0 + 60, y, sub.n_head, head, 'head', perRow(60)) - 4;
      } else {
        const act = WORDS.ffn[sub.activation] ?? sub.activation;
        boxAt(x0 + 20, y, w - 40, WORDS.mlp(act, sub.width), 'map-ffn', STEP.ffn, [act]);
        y += BOX_H;
      }
      y += GAP;
      line(mid, y - GAP, mid, y);
      boxAt(x0 + 60, y, w - 120, WORDS.add, 'map-box', STEP.add);
      // the residual connection: around the sublayer, from its input to the add
      add(svgEl('path', { d: `M${x0 + 20} ${start - 6} H${x0 + 6} V${y + BOX_H / 2} H${x0 + 60}`, class: 'map-line', 'marker-end': 'url(#map-arrow)' }));
      y += BOX_H + GAP;
      line(mid, y - GAP, mid, y);
      if (arch.norm_position === 'post') normBox();
    }
    add(svgEl('rect', { x: x0 - 4, y: frameTop, width: w + 8, height: y - frameTop - 4, rx: 8, class: 'map-frame' }));
    boxAt(x0, y, w, WORDS.finalNorm(WORDS.norm[arch.norm], stack.norm_key), 'map-norm', STEP.norm, [WORDS.norm[arch.norm]]);
    y += BOX_H + GAP;
    if (s === cols - 1) {
      line(mid, y - GAP, mid, y);
      boxAt(x0, y, w, arch.tied_head ? WORDS.headTied : WORDS.headOwn, 'map-box', STEP.out);
      y += BOX_H + GAP;
      line(mid, y - GAP, mid, y);
      const out = arch.classes ? WORDS.outClasses(arch.classes) : arch.family === 'encoder' ? WORDS.outMask : WORDS.outNext;
      boxAt(x0, y, w, out, 'map-box', STEP.out);
      y += BOX_H;
    } else {
      tops.push([mid, y - GAP]);
    }
    height = Math.max(height, y + PAD);
  });
  // an encoder-decoder: the encoder's output (the memory) feeds every cross-attention
  if (tops.length && memoryAt.length) {
    const [mx, my] = tops[0];
    const [cx, cy] = memoryAt[0];
    add(svgEl('path', { d: `M${mx} ${my} V${my + 10} H${cx - 24} V${cy} H${cx}`, class: 'map-line', 'marker-end': 'url(#map-arrow)' }));
    note(mx + 6, my + 22, WORDS.memory, 'start');
  }
  const width = cols * COL;
  const svg = svgEl('svg', { xmlns: 'http://www.w3.org/2000/svg', width, height, viewBox: `0 0 ${width} ${height}`, class: `arch-svg cols-${cols}`, role: 'group', 'aria-label': t('learn.map.title') }); // i18n-exempt: a class list
  const marker = svgEl('marker', { id: 'map-arrow', viewBox: '0 0 8 8', refX: 7, refY: 4, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' });
  marker.append(svgEl('path', { d: 'M0 0 L8 4 L0 8 z', class: 'map-arrowhead' }));
  svg.append(svgEl('defs', {}, marker));
  if (standalone) svg.append(svgEl('rect', { x: 0, y: 0, width, height, class: 'map-bg' }));
  svg.append(...shapes);
  if (standalone) {
    for (const node of svg.querySelectorAll('[class]')) Object.entries(EXPORT[node.getAttribute('class')] ?? {}).forEach(([k, v]) => node.setAttribute(k, v));
    svg.querySelector('.map-arrowhead').setAttribute('fill', EXPORT['map-soft'].fill);
    for (const t of svg.querySelectorAll('.map-chip-text')) t.setAttribute('fill', t.classList.contains('is-current') ? '#ffffff' : '#15181d');
  }
  return svg;
}

/**
 * The map in `container`.
 * @param {HTMLElement} container
 * @param {{ onGoto: (view: string) => void, onPick: (changes: { layer?: number, head?: number }) => void }} hooks
 */
export function createArchMap(container, { onGoto, onPick }) {
  const intro = el('p', { className: 'view-intro', text: t('learn.map.intro') });
  const figure = el('div', { className: 'arch-map', attrs: { dir: 'ltr' } }); // a diagram: laid out left to right in every language
  let shown = null; // { arch, sel }
  const buttons = exportButtons(() => (shown ? mapSvg(shown.arch, shown.sel, { standalone: true }) : null), () => FILE);
  container.append(intro, el('div', { className: 'view-tools' }, buttons), figure);
  const act = (target) => {
    const g = target instanceof Element ? target.closest('[data-step], [data-layer], [data-head]') : null;
    if (!g) return;
    if (g.dataset.step) onGoto(g.dataset.step);
    else if (g.dataset.layer !== undefined) onPick({ layer: Number(g.dataset.layer) });
    else onPick({ head: Number(g.dataset.head) });
  };
  figure.addEventListener('click', (e) => act(e.target));
  figure.addEventListener('keydown', (e) => {
    if (e.key !== 'Enter' && e.key !== ' ') return;
    e.preventDefault();
    act(e.target);
  });
  return {
    /** Draws `arch` with `sel` ({ layer, head }) highlighted; redraws only when either changed. */
    update(arch, sel) {
      if (shown && shown.arch === arch && shown.sel.layer === sel.layer && shown.sel.head === sel.head) return;
      const focused = document.activeElement?.closest?.('.arch-map [data-layer], .arch-map [data-head]');
      const refocus = focused && (focused.dataset.layer !== undefined ? `[data-layer="${focused.dataset.layer}"]` : `[data-head="${focused.dataset.head}"]`);
      shown = { arch, sel: { ...sel } };
      figure.replaceChildren(mapSvg(arch, sel));
      if (refocus) figure.querySelector(refocus)?.focus();
    },
  };
}
