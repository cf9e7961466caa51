// What the playground's Share button hands out for the state in its address: the link, the
// widget snippet (a script tag and one element) and the iframe snippet for sites without scripts.
// Attribute values are HTML-escaped, so any text the reader typed pastes as text.

/** The widget that shows each section of the playground best. */
const WIDGET_FOR_SECTION = {
  tokens: 'tokens',
  embeddings: 'attention',
  layernorm: 'attention',
  head: 'head-steps',
  attention: 'attention-grid',
  ffn: 'attention',
  residual: 'attention',
  output: 'next-token',
};
const USES_HEAD = new Set(['attention', 'attention-grid', 'head-steps']);
const IFRAME_HEIGHT = { tokens: 360, attention: 620, 'attention-grid': 720, 'head-steps': 900, 'next-token': 640 }; // px

/** `s` safe inside a double-quoted HTML attribute. */
export function escapeAttribute(s) {
  return String(s).replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * The widget attributes for the playground's state (its address's parameters).
 * @param {URLSearchParams} params text, layer, head, view (the section), temp, topk, topp
 * @returns {[string, string][]} name, value pairs in the README's order
 */
export function widgetAttributes(params) {
  const view = WIDGET_FOR_SECTION[params.get('view')] ?? 'attention';
  const attrs = [['view', view]];
  if (params.has('text')) attrs.push(['text', params.get('text')]);
  if (USES_HEAD.has(view)) for (const name of ['layer', 'head']) if (params.has(name)) attrs.push([name, params.get(name)]);
  if (view === 'next-token') {
    const sampling = [['temperature', 'temp', '1'], ['top-k', 'topk', '0'], ['top-p', 'topp', '1']];
    for (const [name, key, def] of sampling) if (params.has(key) && params.get(key) !== def) attrs.push([name, params.get(key)]);
  }
  return attrs;
}

/**
 * @param {string} hash the playground's location.hash
 * @param {string} pageUrl the playground's address (embed.html and dist/ live beside it)
 * @returns {{ link: string, widget: string, iframe: string }}
 */
export function shareTexts(hash, pageUrl) {
  const params = new URLSearchParams(String(hash).replace(/^#/, ''));
  const attrs = widgetAttributes(params);
  const page = new URL(pageUrl);
  page.hash = params.toString();
  const script = new URL('dist/transformer-playground.js', page).href;
  const element = `<transformer-playground${attrs.map(([n, v]) => ` ${n}="${escapeAttribute(v)}"`).join('')}></transformer-playground>`;
  const embed = new URL('embed.html', page);
  embed.hash = new URLSearchParams(attrs).toString();
  const view = attrs[0][1];
  const iframe =
    // the snippet is HTML an author pastes into their own page, in no language of ours
    `<iframe src="${escapeAttribute(embed.href)}" title="Transformer Playground: ${view}" width="100%" ` + // i18n-exempt: HTML for the author's page
    `height="${IFRAME_HEIGHT[view] ?? 600}" loading="lazy"></iframe>`;
  return { link: page.href, widget: `<script type="module" src="${escapeAttribute(script)}"></script>\n${element}`, iframe }; // i18n-exempt: HTML
}
