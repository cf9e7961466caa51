// Coalescing for work driven by typing: at most one run in flight, and requests made meanwhile
// collapse into one more run with the latest arguments. Ten fast keystrokes trace the text
// twice, not ten times, and a stale result is never drawn over a newer one.

/**
 * @param {(...args: any[]) => Promise<void>} task called with the request's arguments and,
 *   last, `isStale()`: true once a newer request waits (the task should then skip drawing)
 * @param {(err: Error) => void} onError
 * @returns {(...args: any[]) => Promise<void>} request; resolves once a run that is not stale has finished after it
 */
export function latestOnly(task, onError) {
  let running = false;
  let pending = null; // the newest request's arguments
  let waiters = []; // resolvers of requests that the next run serves

  async function pump() {
    running = true;
    while (pending) {
      const args = pending;
      const served = waiters;
      pending = null;
      waiters = [];
      try {
        await task(...args, () => pending !== null);
      } catch (err) {
        onError(err);
      }
      // a newer request arrived meanwhile: this run's result is stale, so its callers wait for the next
      if (pending) waiters = served.concat(waiters);
      else served.forEach((resolve) => resolve());
    }
    running = false;
  }

  return (...args) =>
    new Promise((resolve) => {
      pending = args;
      waiters.push(resolve);
      if (!running) pump();
    });
}
