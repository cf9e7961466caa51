// A jump to a section (steps bar, map, tour, the address's view) that ends at its heading. The
// page still changes while a jump's scroll runs: the engine answers the lens, the ablation or the
// heads' probe, a section away from sight is brought up to date as the scroll passes it, a canvas
// takes its data's size. Each browser takes a change of height above the target its own way:
// Firefox's scroll anchoring makes up for it with a scroll of its own, which cancels the smooth
// scroll (a jump to the first step stopped 12,930 px short), and WebKit has no scroll anchoring,
// so its scroll ends off by the change. So a jump stays aimed while it lasts: a section that
// changes size aims it again at once. It lasts until the scroll has stopped on a settled page
// (`settled`: nothing left to draw), or until the reader scrolls, clicks or presses a key, or
// something else scrolls the page once the jump's scroll has stopped, or the next jump: neither
// the reader nor the page's own scrolling is fought.

const STILL_FRAMES = 5; // frames without scrolling that count as a scroll that has stopped (a smooth scroll moves every frame)
const READER = ['wheel', 'touchstart', 'pointerdown', 'keydown']; // the reader takes over the scrolling

/**
 * @param {{ root: HTMLElement, settled: () => boolean, onEnd: () => void }} options
 *   root: its children are the sections whose size a jump follows;
 *   settled: nothing is left to draw that could change a section's size;
 *   onEnd: a jump ended (not called when the next jump replaces it)
 * @returns {{ jump: (target: Element, options?: ScrollIntoViewOptions) => void, jumping: () => boolean }}
 *   jump: scrolls `target` into view and keeps it aimed; jumping: whether a jump lasts
 */
export function createJumps({ root, settled, onEnd }) {
  let jump = null; // the jump in progress: { target, options, lastY, still, stoppedAt }
  const resized = new ResizeObserver(() => {
    if (jump) aim(jump);
  });
  for (const child of root.children) resized.observe(child);
  for (const type of READER) addEventListener(type, () => { if (jump) end(); }, { capture: true, passive: true });

  function end() {
    jump = null;
    onEnd();
  }

  function aim(j) {
    j.target.scrollIntoView(j.options);
    j.still = 0;
    j.stoppedAt = null; // moving again
  }

  /** Once a frame while the jump lasts: it ends once its scroll has stopped on a settled page, or something else scrolled after it stopped. */
  function watch(j) {
    if (jump !== j) return; // ended, or the next jump watches itself
    const y = scrollY;
    if (j.stoppedAt !== null && y !== j.stoppedAt) { // scrolled by something else (with scroll anchoring, the browser keeps the target in place from here)
      end();
      return;
    }
    j.still = y === j.lastY ? j.still + 1 : 0;
    j.lastY = y;
    if (j.still >= STILL_FRAMES) {
      j.stoppedAt = y;
      if (settled() || !j.target.isConnected) {
        end();
        return;
      }
    }
    requestAnimationFrame(() => watch(j));
  }

  const start = (target, options = {}) => {
    const j = { target, options, lastY: null, still: 0, stoppedAt: null };
    jump = j;
    target.scrollIntoView(options);
    requestAnimationFrame(() => watch(j));
  };
  return { jump: start, jumping: () => jump !== null };
}
