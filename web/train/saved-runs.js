// The runs saved in this browser (storage.js), listed on the Train page, each with a button that
// opens it: the run shown is saved first and stays in the list. A run another open tab holds
// opens as a copy.

import { el } from '../views/dom.js';
import { listRuns } from './storage.js';

/** "the grammar task · 1 layer, C = 32 · step 300 of 500". */
function describe({ summary }) {
  if (!summary) return 'a saved run';
  const { data, step, maxSteps, sizes } = summary;
  const what = data === 'text' ? 'your text' : data ? `the ${data} task` : 'a loaded checkpoint';
  const size = sizes?.layers ? ` · ${sizes.layers} layer${sizes.layers === 1 ? '' : 's'}, C = ${sizes.embd}, context ${sizes.ctx}` : '';
  return `${what}${size} · step ${step.toLocaleString('en')}${maxSteps ? ` of ${maxSteps.toLocaleString('en')}` : ''}`;
}

/** "saved 14:03:27" (today) or "saved 2026-11-23 14:03". */
function when(savedAt) {
  const d = new Date(savedAt);
  const today = d.toDateString() === new Date().toDateString();
  return `saved ${today ? d.toLocaleTimeString('en-GB') : `${d.toISOString().slice(0, 10)} ${d.toLocaleTimeString('en-GB').slice(0, 5)}`}`;
}

/**
 * @param {HTMLElement} container the list (an <ol>)
 * @param {{ onOpen: (id: string) => void }} actions
 * @returns {{ refresh: () => void, setBusy: (busy: boolean) => void, runs: () => object[] }}
 *   refresh: lists the runs again (after a save, an open, a reset); setBusy: the Open buttons wait while the engine works
 */
export function createSavedRuns(container, { onOpen }) {
  let runs = [];
  let busy = false;
  let listing = null; // the listing in flight
  let again = false; // refresh asked for while listing

  function draw() {
    container.replaceChildren(...runs.map((run) => {
      const note = run.mine ? ' (shown here)' : run.elsewhere ? ' (open in another tab: opens a copy)' : '';
      const button = el('button', { text: 'Open', attrs: { type: 'button' }, on: { click: () => onOpen(run.id) } });
      button.disabled = busy || run.mine;
      return el('li', { attrs: { 'data-run': run.id } }, el('span', { text: `${describe(run)}, ${when(run.savedAt)}${note}` }), ' ', button);
    }));
    container.hidden = runs.length === 0;
  }

  function refresh() {
    if (listing) {
      again = true;
      return;
    }
    listing = listRuns().then((list) => {
      runs = list;
      draw();
    }, () => {}).finally(() => {
      listing = null;
      if (again) {
        again = false;
        refresh();
      }
    });
  }

  return {
    refresh,
    setBusy(next) {
      if (next === busy) return;
      busy = next;
      draw();
    },
    runs: () => runs.map((r) => ({ ...r, text: describe(r) })),
  };
}
