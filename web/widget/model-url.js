// Where a widget's model may come from, and fetching it with a size limit. A model is a
// checkpoint file (a URL whose path ends in .safetensors) or a Hugging Face model: a hub name
// (owner/name) or a base URL in the hub's layout (its files at <base>/resolve/main/<file>), as
// Explore's hub form takes them. A model URL is
// http(s) only and, unless the page says otherwise, same-origin (or the widget's own origin):
// a page allows other origins with
//   <meta name="transformer-playground-models" content="https://models.example.org https://…">
// so an attribute alone can never make a widget fetch from elsewhere.

import { joinChunks } from '../engine/bytes.js';
import { t } from '../i18n/i18n.js';
import { localError } from '../notices.js';
import { hubBase } from '../engine/hub.js';
import { downloadWatch } from '../engine/download-watch.js';
import { REPO } from '../state.js';

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

/** Whether a model URL names a checkpoint file rather than a Hugging Face model's base URL. */
export function isCheckpointUrl(url) {
  return new URL(url).pathname.endsWith('.safetensors');
}

/**
 * Validates a model URL; a hub name becomes its base URL on the hub (whose origin the page must
 * allow, as any other).
 * @param {string} raw the attribute's value
 * @param {{ base: string, allowedOrigins: string[] }} context
 * @returns {{ url: string } | { error: string }} url: a checkpoint's, or a hub model's base (isCheckpointUrl)
 */
export function checkModelUrl(raw, { base, allowedOrigins: origins }) {
  if (raw.length > MAX_URL) return { error: t('widget.url.tooLong', { max: String(MAX_URL) }) };
  const hubName = REPO.test(raw) && raw.includes('/') && !raw.includes('..') && !raw.endsWith('.safetensors');
  let url;
  try {
    url = new URL(hubName ? hubBase(raw) : raw, base);
  } catch {
    return { error: t('widget.url.invalid') };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return { error: t('widget.url.protocol', { protocol: url.protocol }) };
  if (url.username || url.password) return { error: t('widget.url.credentials') };
  if (!origins.includes(url.origin)) return { error: t('widget.url.origin', { origin: url.origin }) };
  url.hash = '';
  if (!isCheckpointUrl(url.href)) url.pathname = url.pathname.replace(/\/+$/, ''); // a base: its files are <base>/resolve/main/<file>
  return { url: url.href };
}

/**
 * Fetches a checkpoint's bytes, refusing a file larger than MAX_MODEL_BYTES (by its
 * Content-Length, or while reading when there is none) and any redirect: a browser does not
 * show where a redirect leads before following it, so none is followed (the allowed origins are
 * the only ones asked). A download that stalls for STALL_MS, or that after STALL_MS brings less
 * than MIN_BYTES_PER_S on average, is given up with a message; `signal` aborts it (the widgets
 * that wanted it left the page).
 * @param {string} url validated with checkModelUrl (so from an allowed origin)
 * @param {{ signal?: AbortSignal }} [options]
 * @returns {Promise<Uint8Array>}
 */
export async function fetchModel(url, { signal } = {}) {
  const watch = downloadWatch(url, signal);
  try {
    const response = await request(url, watch.signal, watch);
    if (response.type === 'opaqueredirect') {
      throw localError('the model URL redirects to another address, which a widget does not follow: give the address of the file itself.', 'widget.url.redirect'); // i18n-exempt: English for logs; the reader sees its key
    }
    if (!response.ok) {
      throw localError(`the model could not be downloaded from ${url}: the server answered ${response.status}.`, 'widget.url.status', { url, status: String(response.status) }); // i18n-exempt: English for logs; the reader sees its key
    }
    return await readBody(response, watch);
  } finally {
    watch.stop();
  }
}

/** The response's headers, with no redirect followed; a failure names why. */
async function request(url, signal, watch) {
  try {
    const response = await fetch(url, { credentials: 'same-origin', redirect: 'manual', signal });
    watch.got(0);
    return response;
  } catch (err) {
    if (watch.why()) throw watch.why();
    throw localError(`the model could not be downloaded from ${url} (${err.message}); the site may not allow it (CORS or the page's Content-Security-Policy).`, // i18n-exempt: English for logs; the reader sees its key
      'widget.url.fetchFailed', { url, detail: err.message });
  }
}

/** The body's bytes, read in parts, within MAX_MODEL_BYTES. */
async function readBody(response, watch) {
  const declared = Number(response.headers.get('Content-Length'));
  const tooBig = () => localError(`the model file is larger than ${MAX_MODEL_BYTES >> 20} MiB; a widget loads only small models.`, 'widget.url.tooBig', { mib: MAX_MODEL_BYTES >> 20 }); // i18n-exempt: English for logs; the reader sees its key
  if (declared > MAX_MODEL_BYTES) throw tooBig();
  const reader = response.body.getReader();
  const parts = [];
  let size = 0;
  for (;;) {
    let part;
    try {
      part = await reader.read();
    } catch (err) {
      throw watch.why() ?? localError(`the model's download broke off (${err.message}).`, 'widget.url.brokeOff', { detail: err.message }); // i18n-exempt: English for logs; the reader sees its key
    }
    if (part.done) break;
    watch.got(part.value.length);
    size += part.value.length;
    if (size > MAX_MODEL_BYTES) {
      reader.cancel();
      throw tooBig();
    }
    parts.push(part.value);
  }
  return joinChunks(parts, size);
}
