// The playground page's language: chosen from the address and the browser (language.js), its
// catalogs loaded, the static HTML's words filled in and the header's picker set up. Modules
// that write words await `pageLanguageReady` before their first t().

import { useLanguage, translateTree, t } from './i18n.js';
import { LANGUAGES, addressWithLanguage, pageLanguage } from './language.js';

/** @type {Promise<string>} the language in use, once its catalogs are loaded and the HTML filled */
export const pageLanguageReady = useLanguage(pageLanguage(location.search, navigator.languages)).then((code) => {
  translateTree(document);
  document.title = t('common.title');
  document.querySelector('meta[name="description"]')?.setAttribute('content', t('common.description'));
  setUpPicker(code);
  return code;
});

/** The header's language menu: choosing one reloads the page with `?lang=` in the address. */
function setUpPicker(code) {
  const picker = /** @type {HTMLSelectElement | null} */ (document.getElementById('lang-picker'));
  if (!picker) return;
  picker.replaceChildren(...LANGUAGES.map(({ code: value, name }) => {
    const option = new Option(name, value, false, value === code);
    option.lang = value;
    option.translate = false;
    return option;
  }));
  picker.addEventListener('change', () => {
    location.href = addressWithLanguage(location.href, picker.value);
  });
}
