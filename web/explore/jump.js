// A jump to a section (steps bar, map, tour, the address's view) that ends at its heading. The
// page still changes while a jump's scroll runs: the engine answers the lens, the ablation or the
// heads' probe, a section away from sight is brought up to date as the scroll passes it, a canvas
// takes its data's size. Each browser takes a change of height above the target its own way:
// Firefox's scroll anchoring makes up for it with a scroll of its own, which cancels the smooth
// scroll (a jump to the first step stopped 12,930 px short), and WebKit has no scroll anchoring,
// so its scroll ends off by the change. So a jump stays aimed while it lasts: a section that
// changes size aims it again at once, and a scroll that has stopped is aimed again until aiming
// moves nothing, which is where the browser puts the target. It lasts until then and the page has
// nothing left to draw (`settled`), or until the reader scrolls, clicks or presses a key (the
// reader's scroll is never fought), or the next jump.

const STILL_FRAMES = 3; // frames without scrolling that count as a scroll that has stopped
const READER = ['wheel', 'touchstart', 'pointerdown', 'keydown']; // the reader takes over the scrolling

/**
 * @param {{ root: HTMLElement, settled: () => boolean }} options
 *   root: its children are the sections whose size a jump follows;
 *   settled: nothing is left to draw that could change a section's size
 * @returns {(target: Element, options?: ScrollIntoViewOptions) => void} jump: scrolls `target` into view and keeps it aimed
 */
export function createJumps({ root, settled }) {
  let jump = null; // the jump in progress: { target, options, lastY, still, verifyAt }
  const resized = new ResizeObserver(() => {
    if (jump) aim();
  });
  for (const child of root.children) resized.observe(child);
  for (const type of READER) addEventListener(type, () => { jump = null; }, { capture: true, passive: true });

  /** Scrolls to the target; whether it got there is known once the scroll stops. */
  function aim() {
    jump.target.scrollIntoView(jump.options);
    jump.still = 0;
    jump.verifyAt = null;
  }

  /** Once a frame while the jump lasts: a stopped scroll is aimed again, and the jump ends once the aim holds on a settled page. */
  function watch(watched) {
    if (jump !== watched) return; // ended, or the next jump watches itself
    const y = scrollY;
    jump.still = y === jump.lastY ? jump.still + 1 : 0;
    jump.lastY = y;
    if (jump.still >= STILL_FRAMES) {
      if (jump.verifyAt !== y) { // stopped: where aiming again moves nothing, the target is where the browser puts it
        aim();
        jump.verifyAt = y;
      } else if (settled() || !jump.target.isConnected) {
        jump = null;
        return;
      }
    }
    requestAnimationFrame(() => watch(watched));
  }

  return (target, options = {}) => {
    const started = { target, options, lastY: null, still: 0, verifyAt: null };
    jump = started;
    target.scrollIntoView(options);
    requestAnimationFrame(() => watch(started));
  };
}
