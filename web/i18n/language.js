// Which language the page speaks: the address's `?lang=` when it names one we have, else the
// first of the browser's languages we have, else English. Pure, so Node tests run it.

/** The languages with complete catalogs (web/locales/<code>/), as the picker lists them. */
export const LANGUAGES = [
  { code: 'en', name: 'English' },
  { code: 'es', name: 'Español' },
  { code: 'zh', name: '简体中文' },
];

/**
 * The right-to-left pseudo-locale: English with every letter accented, laid out right to left.
 * Only the address selects it (`?lang=ar-XB`); tests use it to find text outside the catalogs
 * (unaccented) and layouts that do not mirror.
 */
export const PSEUDO_RTL = 'ar-XB';

/**
 * The catalog to use for a BCP 47 tag, or null when we have none: 'es-MX' → 'es',
 * 'zh-CN' / 'zh-Hans' / 'zh' → 'zh' (Traditional Chinese tags too, rather than English).
 * @param {string | null | undefined} tag
 */
export function supportedLanguage(tag) {
  if (!tag) return null;
  if (tag.toLowerCase() === PSEUDO_RTL.toLowerCase()) return PSEUDO_RTL;
  const primary = tag.toLowerCase().split(/[-_]/)[0];
  return LANGUAGES.some((l) => l.code === primary) ? primary : null;
}

/**
 * @param {string} search the address's query, e.g. location.search
 * @param {readonly string[]} preferred the browser's languages, e.g. navigator.languages
 */
export function pageLanguage(search, preferred) {
  const asked = supportedLanguage(new URLSearchParams(search).get('lang'));
  if (asked) return asked;
  for (const tag of preferred ?? []) {
    const found = supportedLanguage(tag);
    if (found && found !== PSEUDO_RTL) return found;
  }
  return 'en';
}

/** The address with `?lang=` set to `code` (removed for the browser's own default). */
export function addressWithLanguage(href, code) {
  const url = new URL(href);
  url.searchParams.set('lang', code);
  return url.href;
}
