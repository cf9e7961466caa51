// The page's two fixed colour scales, both readable with the common colour-vision deficiencies:
//   sequential (viridis) for values that cannot be negative: attention weights, probabilities, norms;
//   diverging (blue – neutral – orange) for signed values: embeddings, Q, K, V, scores, FFN.
// A scale maps a value to a colour through a fixed domain, so a colour means the same number
// from one keystroke to the next; every heatmap shows its domain in a legend.

// viridis at 0, 0.1, …, 1 (matplotlib's table, sampled)
const VIRIDIS = [
  [68, 1, 84], [72, 36, 117], [65, 68, 135], [53, 95, 141], [42, 120, 142], [33, 145, 140],
  [34, 168, 132], [68, 191, 112], [122, 209, 81], [189, 223, 38], [253, 231, 37],
];
const BLUE = [[16, 64, 140], [84, 145, 204]]; // far, near zero (negative side)
const ORANGE = [[166, 76, 8], [240, 160, 80]]; // far, near zero (positive side)
const NEUTRAL_LIGHT = [244, 244, 244];
const NEUTRAL_DARK = [48, 51, 58];

function mix(a, b, t) {
  return [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t];
}

/** Viridis colour of t ∈ [0, 1] (clamped), as [r, g, b] in 0–255. */
function sequential(t) {
  const x = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(x));
  return mix(VIRIDIS[i], VIRIDIS[i + 1], x - i);
}

/**
 * Diverging colour of t ∈ [−1, 1] (clamped): blue below zero, orange above, a neutral grey at
 * zero that matches the theme (light or dark) so that zeros recede.
 */
function diverging(t, dark = false) {
  const x = Math.min(1, Math.max(-1, Number.isFinite(t) ? t : 0));
  const mid = dark ? NEUTRAL_DARK : NEUTRAL_LIGHT;
  const [far, near] = x < 0 ? BLUE : ORANGE;
  const a = Math.abs(x);
  return a < 0.5 ? mix(mid, near, a / 0.5) : mix(near, far, (a - 0.5) / 0.5);
}

const NICE = [1, 1.5, 2, 3, 4, 6, 8, 10]; // mantissas of the legend's end values

/** The smallest "nice" number (NICE × 10^k) ≥ x, so legends stay readable and change in steps. */
export function niceCeil(x) {
  if (!(x > 0) || !Number.isFinite(x)) return 1;
  const p = 10 ** Math.floor(Math.log10(x));
  for (const m of NICE) if (m * p >= x * (1 - 1e-9)) return Number((m * p).toPrecision(2));
  return 10 * p;
}

/**
 * The domain a scale uses for `data`: [0, 1] for weights/probabilities ("unit"), [0, nice max]
 * for non-negative values ("positive"), [−m, m] with a nice m for signed values ("signed").
 * @param {'unit'|'positive'|'signed'} kind
 * @param {ArrayLike<number>[]} arrays every array drawn with the same scale
 */
export function domainFor(kind, arrays) {
  if (kind === 'unit') return [0, 1];
  let m = 0;
  for (const a of arrays) for (let i = 0; i < a.length; i++) { const v = Math.abs(a[i]); if (v > m && Number.isFinite(v)) m = v; }
  const n = niceCeil(m);
  return kind === 'positive' ? [0, n] : [-n, n];
}

const STEPS = 256; // colours in a scale's lookup table
const tables = new Map(); // "signed|dark" etc. → Uint8ClampedArray of STEPS × (r, g, b)

/**
 * The colours of a domain as a lookup table: `rgb` holds STEPS colours (r, g, b bytes) from
 * the low end of the domain to the high end, and `index(v)` is the entry of value v (clamped;
 * NaN gives the low end).
 * @param {[number, number]} domain
 * @param {boolean} dark the page's dark theme is on (the diverging scale's middle follows it)
 * @returns {{ rgb: Uint8ClampedArray, index: (v: number) => number }}
 */
export function colourTable(domain, dark) {
  const [lo, hi] = domain;
  const signed = lo < 0;
  const key = `${signed}|${dark}`;
  if (!tables.has(key)) {
    const rgb = new Uint8ClampedArray(3 * STEPS);
    for (let i = 0; i < STEPS; i++) rgb.set(signed ? diverging((2 * i) / (STEPS - 1) - 1, dark) : sequential(i / (STEPS - 1)), 3 * i);
    tables.set(key, rgb);
  }
  const k = (STEPS - 1) / (hi - lo);
  const index = (v) => {
    const i = Math.round((v - lo) * k);
    return i > 0 ? (i < STEPS ? i : STEPS - 1) : 0;
  };
  return { rgb: tables.get(key), index };
}

/** True when the page shows its dark theme (the CSS follows prefers-color-scheme). */
export function isDark() {
  return window.matchMedia?.('(prefers-color-scheme: dark)').matches ?? false; // i18n-exempt: a media query
}
