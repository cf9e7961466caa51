// Where a widget's model may come from, and fetching it with a size limit. A model URL is
// http(s) only and, unless the page says otherwise, same-origin (or the widget's own origin):
// a page allows other origins with
//   <meta name="transformer-playground-models" content="https://models.example.org https://…">
// so an attribute alone can never make a widget fetch from elsewhere.

import { joinChunks } from '../engine/bytes.js';

export const MAX_URL = 2048; // characters
export const MAX_MODEL_BYTES = 64 << 20; // a widget's checkpoint is small; this refuses anything huge
const ALLOW_META = 'meta[name="transformer-playground-models"]';

/**
 * The origins a model may come from on this page: the page's own, the widget's own (where its
 * script is served from), and those listed in the page's meta tag.
 * @param {Document} doc
 * @param {string} scriptUrl the widget module's URL (import.meta.url)
 * @returns {string[]}
 */
export function allowedOrigins(doc, scriptUrl) {
  const origins = new Set([new URL(doc.baseURI).origin, new URL(scriptUrl).origin]);
  for (const meta of doc.querySelectorAll(ALLOW_META)) {
    for (const word of (meta.getAttribute('content') ?? '').split(/\s+/)) {
      try {
        const u = new URL(word);
        if (u.protocol === 'https:' || u.protocol === 'http:') origins.add(u.origin);
      } catch {
        // not a URL: ignored, the way a browser ignores a bad token in a CSP list
      }
    }
  }
  return [...origins];
}

/**
 * Validates a model URL.
 * @param {string} raw the attribute's value
 * @param {{ base: string, allowedOrigins: string[] }} context
 * @returns {{ url: string } | { error: string }}
 */
export function checkModelUrl(raw, { base, allowedOrigins: origins }) {
  if (raw.length > MAX_URL) return { error: `the URL is longer than ${MAX_URL} characters.` };
  let url;
  try {
    url = new URL(raw, base);
  } catch {
    return { error: 'not a valid URL.' };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return { error: `only http and https URLs are allowed, not ${url.protocol}` };
  if (url.username || url.password) return { error: 'a model URL may not contain a user name or password.' };
  if (!origins.includes(url.origin)) {
    return { error: `${url.origin} is not allowed: a model must come from this site, or from an origin the page lists in <meta name="transformer-playground-models">.` };
  }
  url.hash = '';
  return { url: url.href };
}

/**
 * Fetches a checkpoint's bytes, refusing a file larger than MAX_MODEL_BYTES (by its
 * Content-Length, or while reading when there is none) and a redirect to a disallowed origin.
 * @param {string} url validated with checkModelUrl
 * @param {string[]} origins allowed origins
 * @returns {Promise<Uint8Array>}
 */
export async function fetchModel(url, origins) {
  let response;
  try {
    response = await fetch(url, { credentials: 'same-origin' });
  } catch (err) {
    throw new Error(`the model could not be downloaded from ${url} (${err.message}); the site may not allow it (CORS or the page's Content-Security-Policy).`);
  }
  if (!origins.includes(new URL(response.url).origin)) throw new Error(`the model URL redirected to ${new URL(response.url).origin}, which is not allowed.`);
  if (!response.ok) throw new Error(`the model could not be downloaded from ${url}: the server answered ${response.status}.`);
  const declared = Number(response.headers.get('Content-Length'));
  const tooBig = () => new Error(`the model file is larger than ${MAX_MODEL_BYTES >> 20} MiB; a widget loads only small models.`);
  if (declared > MAX_MODEL_BYTES) throw tooBig();
  const reader = response.body.getReader();
  const parts = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > MAX_MODEL_BYTES) {
      reader.cancel();
      throw tooBig();
    }
    parts.push(value);
  }
  return joinChunks(parts, size);
}
