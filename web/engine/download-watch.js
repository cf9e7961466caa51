// Giving up a download that stalls or trickles: a server that sends nothing, or a byte a second,
// would otherwise keep a "Loading…" on screen for ever. Used for a widget's model, a checkpoint
// file or a hub model's files.

import { localError } from '../notices.js';

export const STALL_MS = 10_000; // no byte for this long: the download has stalled
export const MIN_BYTES_PER_S = 16 * 1024; // averaged from the start, once STALL_MS have passed

/**
 * An abort signal for one download: aborted by `outer`, by a stall (no byte for STALL_MS) or
 * by a trickle (less than MIN_BYTES_PER_S on average after STALL_MS); `why()` is the Error that
 * says which (null while none happened).
 */
export function downloadWatch(url, outer) {
  const controller = new AbortController();
  const t0 = performance.now();
  let lastByte = t0;
  let bytes = 0;
  let reason = null;
  const stop = (english, key, params) => {
    reason ??= localError(`${english}.`, key, params);
    controller.abort();
  };
  const onOuter = () => stop('the download was cancelled', 'widget.url.cancelled'); // i18n-exempt: English for logs; the reader sees its key
  outer?.addEventListener('abort', onOuter);
  if (outer?.aborted) onOuter();
  // Once both rules hold (a few bytes, then none for STALL_MS), which one speaks must not depend
  // on how late a tick runs: a download that brought bytes is too slow, one that brought none stalled.
  const timer = setInterval(() => {
    const now = performance.now();
    const slow = now - t0 > STALL_MS && bytes / ((now - t0) / 1000) < MIN_BYTES_PER_S;
    if (slow && bytes > 0) {
      const seconds = Math.round((now - t0) / 1000);
      stop(`the model from ${url} arrives too slowly (${bytes.toLocaleString('en')} bytes in ${seconds} s)`, 'widget.url.slow', { url, bytes, seconds }); // i18n-exempt: English for logs; the reader sees its key
    } else if (now - lastByte > STALL_MS) {
      stop(`nothing arrived from ${url} for ${STALL_MS / 1000} s: the server stalled`, 'widget.url.stalled', { url, seconds: STALL_MS / 1000 }); // i18n-exempt: English for logs; the reader sees its key
    }
  }, 1000);
  return {
    signal: controller.signal,
    got(n) {
      bytes += n;
      lastByte = performance.now();
    },
    why: () => reason,
    stop() {
      clearInterval(timer);
      outer?.removeEventListener('abort', onOuter);
    },
  };
}
