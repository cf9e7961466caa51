// The runs saved in this browser (storage.js), listed on the Train page, each with a button that
// opens it: the run shown is saved first and stays in the list. A run another open tab holds
// opens as a copy.

import { el } from '../views/dom.js';
import { listRuns } from './storage.js';
import { PSEUDO_RTL, language, t } from '../i18n/i18n.js';

/** "the grammar task · 1 layer, C = 32 · step 300 of 500". */
function describe({ summary }) {
  if (!summary) return t('train.savedRuns.unknown');
  const { data, step, maxSteps, sizes } = summary;
  return t('train.savedRuns.describe', {
    data: data === 'text' ? 'text' : data ? 'task' : 'checkpoint', task: data ?? '',
    sized: sizes?.layers ? 'yes' : 'no', layers: sizes?.layers ?? 0, embd: sizes?.embd ?? 0, ctx: sizes?.ctx ?? 0,
    step, limited: maxSteps ? 'yes' : 'no', maxSteps: maxSteps ?? 0,
  });
}

/** When a run was saved, in the page's language: "14:03:27" (today), "23 Nov 2026, 14:03" (English, 24-hour clock). */
function when(savedAt) {
  const d = new Date(savedAt);
  const today = d.toDateString() === new Date().toDateString();
  const code = language();
  const locale = code === 'en' || code === PSEUDO_RTL ? 'en-GB' : code;
  return new Intl.DateTimeFormat(locale, today ? { timeStyle: 'medium' } : { dateStyle: 'medium', timeStyle: 'short' }).format(d);
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
      const note = run.mine ? 'mine' : run.elsewhere ? 'elsewhere' : 'none';
      const button = el('button', { text: t('train.savedRuns.open'), attrs: { type: 'button' }, on: { click: () => onOpen(run.id) } });
      button.disabled = busy || run.mine;
      const text = t('train.savedRuns.item', { what: describe(run), time: when(run.savedAt), note });
      return el('li', { attrs: { 'data-run': run.id } }, el('span', { text }), ' ', button);

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
