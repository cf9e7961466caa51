// embed.html: the widget for sites that allow an iframe but no script. Its attributes come from
// the address (embed.html#view=attention&text=…&layer=1&head=0), validated by the widget itself
// like any attribute; a parameter that is no attribute gets a note (a few at most, the rest
// counted). Changing the address redraws.

import { ATTRIBUTES, unknownNameNotes } from '../dist/transformer-playground.js';

const main = document.getElementById('embed');
const widget = document.createElement('transformer-playground');
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
