// Work that can wait: drawing that is out of sight runs in tasks of its own after input and
// rendering, so that a keystroke's task stays short (a task over 50 ms is what the page is held
// for; see docs/RELIABILITY.md).

/**
 * Runs `fn` in a task of its own once the page has nothing more urgent: after input and
 * rendering where the browser schedules by priority (`scheduler.postTask`), else after a
 * zero timeout.
 * @param {() => void} fn
 */
export function backgroundTask(fn) {
  if (globalThis.scheduler?.postTask) globalThis.scheduler.postTask(fn, { priority: 'background' });
  else setTimeout(fn, 0);
}
