// How numbers, tokens and shapes are written on the page.

const MINUS = '\u2212'; // typographic minus sign, easier to read than '-'

/**
 * A number with `digits` significant digits, a real minus sign, and no trailing zeros.
 * @param {number} x
 * @param {number} [digits]
 */
export function fmt(x, digits = 4) {
  if (!Number.isFinite(x)) return x > 0 ? '+∞' : x < 0 ? `${MINUS}∞` : 'NaN';
  if (x === 0) return '0';
  const a = Math.abs(x);
  let s = a < 1e-4 || a >= 1e6 ? a.toExponential(digits - 1) : String(Number(a.toPrecision(digits)));
  s = s.replace(/\.?0+e/, 'e');
  return (x < 0 ? MINUS : '') + s;
}

/** `x` with `decimals` digits after the point and a real minus sign ("0.0000", never "−0.0000"). */
export function fixed(x, decimals) {
  const s = Math.abs(x).toFixed(decimals);
  return x < 0 && Number(s) !== 0 ? MINUS + s : s;
}

/**
 * An integer with thousands separators, "12,345". Written out rather than toLocaleString('en'),
 * whose first call loads the browser's number-formatting data: 25–50 ms on Explore's first draw
 * (measured, docs/PERFORMANCE.md).
 */
export function count(n) {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** A probability as a percentage, e.g. "23.4%" or "<0.1%". */
export function pct(p) {
  if (p === 0) return '0%';
  if (p < 0.001) return '<0.1%';
  return `${(100 * p).toFixed(p < 0.1 ? 1 : 0)}%`;
}

const INVISIBLE = /^[\p{C}\p{Z}\p{M}]$/u; // control, format, separator and combining characters

/**
 * How a token (one character) is drawn: space and newline get visible symbols; characters
 * that would be invisible or merge with their neighbour are written as their code point.
 * @param {string} ch
 */
export function tokenLabel(ch) {
  if (ch === ' ') return '␣';
  if (ch === '\n') return '↵';
  if (INVISIBLE.test(ch)) return `U+${ch.codePointAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
  return ch;
}

/** A character named for a message: 'é' (U+00E9), or just U+200B when it is invisible. */
export function describeChar(ch) {
  const code = `U+${ch.codePointAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
  const label = tokenLabel(ch);
  return label === code ? code : `'${label}' (${code})`;
}

/** "[22×64]" from [22, 64]. */
export function dims(...sizes) {
  return `[${sizes.join('×')}]`;
}

/** Subscript digits for formulas: 12 → "₁₂". */
export function sub(n) {
  return String(n).replace(/\d/g, (d) => '₀₁₂₃₄₅₆₇₈₉'[d]);
}
