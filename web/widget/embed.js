// embed.html: the widget for sites that allow an iframe but no script. Its attributes come from
// the address (embed.html#view=attention&text=…&layer=1&head=0), validated by the widget itself
// like any attribute; a parameter that is no attribute gets a note. Changing the address redraws.

import { ATTRIBUTES, unknownNames } from '../dist/transformer-playground.js';

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
  const unknown = unknownNames(new Set(params.keys()));
  notes.replaceChildren(...unknown.map((name) => {
    const p = document.createElement('p');
    p.className = 'embed-note';
    p.textContent = `The address has "${name}", which is not a widget setting; it is ignored.`;
    return p;
  }));
}

apply();
window.addEventListener('hashchange', apply);
