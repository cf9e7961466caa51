// Explore's sections brought up to date where the reader is. On a keystroke every view changes,
// and laying out and painting all of them made each key a task of 59–106 ms (docs/RELIABILITY.md):
// a section within a screen of the viewport is updated at once, in the keystroke's task; one
// further away is marked stale and updated when it comes near, or once the typing pauses, in a
// background task of its own, one section per task. A jump brings every stale section up to date
// first: a section's height changes when it updates, and a jump must end at its heading in every
// browser (WebKit has no scroll anchoring to make up for a section above the target growing later).

import { backgroundTask } from '../views/tasks.js';

const NEAR = '100% 0px'; // a section within one screen of the viewport counts as in sight
const QUIET_MS = 300; // the stale sections are brought up to date once no update came for this long

/**
 * @param {{ root: HTMLElement, onCurrent: () => void }} options
 *   root: has the attribute data-views-current while no section is stale or waits for the engine;
 *   onCurrent: the last such section was just brought up to date
 */
export function createSections({ root, onCurrent }) {
  const away = new WeakSet(); // sections the observer reported beyond NEAR (until it first reports, a section counts as near)
  const stale = new Map(); // section → its latest update, not yet run (in document order of first marking)
  let quietUntil = 0; // performance.now() before which the stale sections wait (the reader is typing)
  let scheduled = false; // a drain step is on its way
  let busy = 0; // updates started that wait for the engine
  const watched = new WeakSet(); // sections given to the observer
  root.setAttribute('data-views-current', '');

  const sight = new IntersectionObserver((entries) => {
    for (const e of entries) {
      if (e.isIntersecting) away.delete(e.target);
      else away.add(e.target);
    }
    // came near while stale: updated before it shows
    const ran = entries.filter((e) => e.isIntersecting && run(e.target));
    if (ran.length > 0) settle();
  }, { rootMargin: NEAR });

  /** Runs the stale update of `section`; false if it had none. */
  function run(section) {
    const update = stale.get(section);
    if (!update) return false;
    stale.delete(section);
    start(update);
    return true;
  }

  /** Runs `update`; one that answers a promise (it asks the engine) counts as pending until it settles. */
  function start(update) {
    const result = update();
    if (typeof result?.then !== 'function') return;
    busy += 1;
    root.removeAttribute('data-views-current');
    result.finally(() => {
      busy -= 1;
      settle();
    });
  }

  /** A section was brought up to date: once none is stale or pending, the page is current and says so. */
  function settle() {
    if (stale.size > 0 || busy > 0) return;
    root.setAttribute('data-views-current', '');
    onCurrent();
  }

  /**
   * Brings the first stale section up to date in a task of its own, then the next one, once
   * nothing was marked stale for QUIET_MS: while the reader types, the sections away from sight
   * wait, and the keys keep the main thread.
   */
  function drain() {
    scheduled = false;
    const next = stale.keys().next();
    if (next.done) return;
    const wait = quietUntil - performance.now();
    if (wait > 0) {
      schedule(wait);
      return;
    }
    try {
      run(next.value);
    } finally { // a view that throws is reported as uncaught; the sections after it still follow
      settle();
      schedule(0);
    }
  }

  function schedule(delay) {
    if (scheduled) return;
    scheduled = true;
    setTimeout(() => backgroundTask(drain), delay);
  }

  return {
    /**
     * Brings `section` up to date with `update` now if it is near the viewport, else later
     * (replacing an update still waiting for it). Returns whether it ran now.
     * @param {HTMLElement} section
     * @param {() => void|Promise<void>} update a promise: the section is current once it settles
     */
    update(section, update) {
      if (!watched.has(section)) {
        watched.add(section);
        sight.observe(section);
      }
      if (!away.has(section)) {
        stale.delete(section);
        start(update);
        return true;
      }
      stale.set(section, update);
      root.removeAttribute('data-views-current');
      quietUntil = performance.now() + QUIET_MS;
      schedule(QUIET_MS);
      return false;
    },
    /** Every stale section now (before a jump, printing, or reading the whole page). */
    flush() {
      if (stale.size === 0) return;
      for (const section of [...stale.keys()]) run(section);
      settle();
    },
    /** Whether no section is stale or waits for the engine. */
    get isCurrent() {
      return stale.size === 0 && busy === 0;
    },
  };
}
