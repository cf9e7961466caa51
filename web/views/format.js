// How numbers, tokens and shapes are written on the page. Numbers follow the page's language
// (its decimal mark and grouping, through Intl); English, the default (and Node's, where no
// catalog is loaded), is written out by hand, without Intl's formatting data.

import { formatNumber, language, PSEUDO_RTL } from '../i18n/i18n.js';

const MINUS = '\u2212'; // typographic minus sign, easier to read than '-'

/** True when numbers are written as English writes them (English and the pseudo-locale). */
const english = () => language() === 'en' || language() === PSEUDO_RTL;

const decimalMarks = new Map(); // language → its decimal mark

/** `s` (digits, '.' as the decimal mark) with the language's decimal mark. */
function localMark(s) {
  if (english()) return s;
  const code = language();
  if (!decimalMarks.has(code)) decimalMarks.set(code, formatNumber(1.5).replace(/\d/g, ''));
  return s.replace('.', decimalMarks.get(code));
}

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
  return (x < 0 ? MINUS : '') + localMark(s);
}

/** `x` with `decimals` digits after the point and a real minus sign ("0.0000", never "−0.0000"). */
export function fixed(x, decimals) {
  const s = Math.abs(x).toFixed(decimals);
  return x < 0 && Number(s) !== 0 ? MINUS + localMark(s) : localMark(s);
}

/**
 * An integer with thousands separators, "12,345" (in Spanish "12.345"). English is written out
 * rather than toLocaleString('en'), whose first call loads the browser's number-formatting data:
 * 25–50 ms on Explore's first draw (measured, docs/PERFORMANCE.md).
 */
export function count(n) {
  if (!english()) return formatNumber(n);
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** A probability as a percentage, e.g. "23.4%" or "<0.1%" (as the language writes percentages). */
export function pct(p) {
  if (!english()) {
    if (p !== 0 && p < 0.001) return `<${pct(0.001)}`;
    const digits = p === 0 || p >= 0.1 ? 0 : 1;
    return formatNumber(p, { style: 'percent', minimumFractionDigits: digits, maximumFractionDigits: digits });
  }
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

/** Text that several tokens spell together, with its spaces, newlines and tabs made visible. */
export function spelled(text) {
  return text.replace(/ /g, '␣').replace(/\n/g, '↵').replace(/\t/g, '⇥');
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
