// The widget's entry point, bundled by scripts/build-web.sh into web/dist/transformer-playground.js:
// defines <transformer-playground> and exports the attribute table (the iframe embed and the
// playground's Share button read it).

import { TransformerPlaygroundElement } from './element.js';

export { TransformerPlaygroundElement };
export { ATTRIBUTES, VIEWS, TASKS, readAttributes, unknownNames } from './attributes.js';
export { allowedOrigins } from './model-url.js';

if (!customElements.get('transformer-playground')) customElements.define('transformer-playground', TransformerPlaygroundElement);
