// Giving the main thread back between pieces of a redraw, so that a keystroke's drawing is
// several short tasks rather than one long one: the browser can handle the next key and paint
// in between (a task over 50 ms is what the page is held for; see docs/RELIABILITY.md).

/**
 * Resolves in a later task, ahead of work queued after it where the browser can tell
 * (`scheduler.yield()`); elsewhere a MessageChannel message, which, unlike setTimeout, is not
 * clamped to 4 ms when nested.
 * @returns {Promise<void>}
 */
export function yieldToPage() {
  if (globalThis.scheduler?.yield) return globalThis.scheduler.yield();
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => resolve();
    channel.port2.postMessage(null);
  });
}

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
