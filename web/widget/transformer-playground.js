// The widget's entry point, bundled by scripts/build-web.sh into web/dist/transformer-playground.js:
// defines <transformer-playground> and exports the attribute table (the iframe embed reads it).

import { TransformerPlaygroundElement, widgetLanguage } from './element.js';

export { TransformerPlaygroundElement, widgetLanguage };
export { ATTRIBUTES, unknownNames, unknownNameNotes } from './attributes.js';

if (!customElements.get('transformer-playground')) customElements.define('transformer-playground', TransformerPlaygroundElement);
