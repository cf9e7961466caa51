// embed.html: the widget for sites that allow an iframe but no script. Its attributes come from
// the address (embed.html#view=attention&text=…&layer=1&head=0), validated by the widget itself
// like any attribute; a parameter that is no attribute gets a note (a few at most, the rest
// counted). Changing the address redraws. The language is the query's `lang=` (embed.html?lang=es#…),
// else the browser's: the page and its widget speak it.

import { ATTRIBUTES, unknownNameNotes, widgetLanguage } from '../dist/transformer-playground.js';
import { pageLanguage, PSEUDO_RTL } from '../i18n/language.js';

const lang = pageLanguage(location.search, navigator.languages);
await widgetLanguage(lang); // the notes below are in it, and so is the widget (its lang attribute)
document.documentElement.lang = lang;
document.documentElement.dir = lang === PSEUDO_RTL ? 'rtl' : 'ltr';

const main = document.getElementById('embed');
const widget = document.createElement('transformer-playground');
widget.setAttribute('lang', lang);
const notes = document.createElement('div');
main.append(notes, widget);

/** Sets the widget's attributes to the address's parameters (removing those no longer there). */
function apply() {
  const params = new URLSearchParams(location.hash.replace(/^#/, ''));
  for (const { name } of ATTRIBUTES) {
    const value = params.get(name);
    if (value === null) widget.removeAttribute(name);
    else widget.setAttribute(name, value);
  }
  notes.replaceChildren(...unknownNameNotes(new Set(params.keys())).map((text) => {
    const p = document.createElement('p');
    p.className = 'embed-note';
    p.textContent = text;
    return p;
  }));
}

apply();
window.addEventListener('hashchange', apply);
