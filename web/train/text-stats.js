// The training text's statistics (its length in characters and how many distinct ones), computed
// once per change of the text: at once for a short text, in a worker of their own for a long
// one, so that typing into a text of megabytes never holds the page up.

import { textStats } from './data.js';

const INLINE_UNITS = 1 << 16; // UTF-16 units: a shorter text is counted at once (well under a millisecond)

/**
 * @param {() => void} onCounted called when the statistics of the latest text arrive from the worker
 * @returns {{ set: (text: string) => void, get: () => { length: number, vocab: number } | null }}
 *   set: the text changed; get: its statistics, or null while they are being counted
 */
export function createTextStats(onCounted) {
  let worker = null;
  let version = 0; // of the text set last
  let stats = textStats('');

  function count(text, v) {
    worker ??= new Worker(new URL('./text-stats-worker.js', import.meta.url), { type: 'module' });
    worker.onmessage = (event) => {
      if (event.data.version !== version) return; // a newer text is being counted
      stats = event.data.stats;
      onCounted();
    };
    worker.postMessage({ text, version: v });
  }

  return {
    set(text) {
      version += 1;
      if (text.length <= INLINE_UNITS) {
        stats = textStats(text);
        return;
      }
      stats = null;
      count(text, version);
    },
    get: () => stats,
  };
}
