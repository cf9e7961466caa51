// The page's words: every user-facing string comes from the catalogs in web/locales/<code>/
// (one JSON file per area of the page, keys prefixed with the area's name) through t() or
// tNodes(), and static HTML names its keys in data-i18n attributes (translateTree).
//
// One language per document: useLanguage() loads its catalogs before the first view draws
// (the page awaits it at boot; a widget before it renders). Text shown as data (what the reader
// typed, tokens, model names, numbers in a matrix) is not a message: its element carries
// translate="no", which also keeps browser translators off it.

import { formatMessage, formatNodes, numberFormat, numberText } from './messages.js';
import { LANGUAGES, PSEUDO_RTL, supportedLanguage } from './language.js';

/** Catalog areas, one file each in every language (web/locales/<code>/<area>.json). */
export const AREAS = ['common', 'page', 'views', 'train', 'learn', 'widget'];

let current = 'en';
let messages = null; // null until useLanguage() has loaded a catalog
let fallback = {};

/* global TP_LOCALES */
// Where the catalogs are: web/locales/ beside the page's modules, or, in the widget bundle (whose
// build defines TP_LOCALES), the locales/ folder copied next to it, so that a widget fetches only
// its language's files rather than carrying every language in its script.
const LOCALES = new URL(typeof TP_LOCALES === 'string' ? TP_LOCALES : '../locales/', import.meta.url);

/** One area's catalog of one language. */
async function loadArea(code, area) {
  const url = new URL(`${code}/${area}.json`, LOCALES);
  if (url.protocol === 'file:') return (await import(url.href, { with: { type: 'json' } })).default; // Node's tests
  const response = await fetch(url);
  if (!response.ok) throw new Error(`the ${code} messages (${area}) could not be loaded: HTTP ${response.status}`);
  return response.json();
}

async function loadCatalog(code, areas) {
  const files = await Promise.all(areas.map((area) => loadArea(code, area)));
  return Object.assign({}, ...files);
}

/**
 * Loads the catalogs of `tag` (a supported language, else English) and makes it the document's
 * language: `<html lang>` and `dir` follow when `setDocument` is true (the page; not a widget,
 * whose host owns its <html>).
 * @param {string} tag
 * @param {{ areas?: string[], setDocument?: boolean }} [options]
 * @returns {Promise<string>} the language in use
 */
export async function useLanguage(tag, { areas = AREAS, setDocument = true } = {}) {
  const code = supportedLanguage(tag) ?? 'en';
  const catalogCode = code === PSEUDO_RTL ? 'en' : code;
  const [loaded, english] = await Promise.all([
    loadCatalog(catalogCode, areas),
    catalogCode === 'en' ? null : loadCatalog('en', areas),
  ]);
  current = code;
  messages = loaded;
  fallback = english ?? loaded;
  if (setDocument) {
    document.documentElement.lang = code;
    document.documentElement.dir = textDirection(code);
  }
  return code;
}

/** The language in use: 'en', 'es', 'zh' or the pseudo-locale. */
export function language() {
  return current;
}

/** 'rtl' for the pseudo-locale, else 'ltr'. */
export function textDirection(code = current) {
  return code === PSEUDO_RTL ? 'rtl' : 'ltr';
}

/** The locale Intl formats numbers in (the pseudo-locale writes numbers as English does). */
function intlLocale() {
  return current === PSEUDO_RTL ? 'en' : current;
}

function lookup(key) {
  if (messages === null) throw new Error(`i18n: t("${key}") before useLanguage() loaded a catalog`);
  const message = messages[key] ?? fallback[key];
  if (message === undefined) {
    console.error(`i18n: no message "${key}"`);
    return key;
  }
  return message;
}

/**
 * A message as text.
 * @param {string} key e.g. 'train.run.start'
 * @param {Record<string, unknown>} [params]
 */
export function t(key, params = {}) {
  return formatMessage(lookup(key), params, intlLocale(), pseudoText);
}

/**
 * A message as nodes, its <code>/<strong>/<em>/<kbd>/<sub>/<sup> markup as elements (parameters
 * are always text). Use with element.append(...tNodes(key)) or replaceChildren.
 * @returns {Array<string|Node>}
 */
export function tNodes(key, params = {}) {
  return formatNodes(lookup(key), params, intlLocale(), makeElement, pseudoText);
}

/**
 * A number as the language writes it (decimal mark, grouping) through Intl.NumberFormat.
 * @param {number} value
 * @param {Intl.NumberFormatOptions} [options]
 */
export function formatNumber(value, options) {
  return options ? numberFormat(intlLocale(), options).format(value) : numberText(value, intlLocale());
}

/**
 * Fills the static HTML's words under `root`: `data-i18n="key"` sets an element's content (its
 * markup as elements), `data-i18n-attr="aria-label:key; placeholder:key2"` sets attributes.
 * @param {ParentNode} root
 */
export function translateTree(root) {
  for (const node of root.querySelectorAll('[data-i18n]')) node.replaceChildren(...tNodes(node.dataset.i18n));
  for (const node of root.querySelectorAll('[data-i18n-attr]')) {
    for (const pair of node.dataset.i18nAttr.split(';')) {
      const [name, key] = pair.split(':').map((s) => s.trim());
      if (name && key) node.setAttribute(name, t(key));
    }
  }
}

function makeElement(tag, children) {
  const node = document.createElement(tag);
  node.append(...children);
  return node;
}

const ACCENTED = Object.fromEntries([...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ']
  .map((c, i) => [c, [...'ȧƀƈḓḗƒɠħīĵķŀḿƞǿƥɋřşŧŭṽẇẋẏẑȦƁƇḒḖƑƓĦĪĴĶĿḾȠǾƤɊŘŞŦŬṼẆẊẎẐ'][i]]));

const PLAIN = Object.fromEntries(Object.entries(ACCENTED).map(([plain, accented]) => [accented, plain]));

/**
 * A key a message carries (a glossary mark's term) as written, back in ASCII: the pseudo-locale
 * accents it with the rest of the message's text.
 */
export function plainKey(written) {
  return current === PSEUDO_RTL ? [...written].map((c) => PLAIN[c] ?? c).join('') : written;
}

/** The pseudo-locale's letters: every ASCII letter of a message's own text accented. */
function pseudoText(text) {
  return current === PSEUDO_RTL ? text.replace(/[A-Za-z]/g, (c) => ACCENTED[c]) : text;
}

export { LANGUAGES, PSEUDO_RTL };
