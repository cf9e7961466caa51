// Which page shows, chosen by the address: Explore, or Train (`#page=train`, ./train/view.js,
// loaded on first use). Each page keeps the address it last had, so switching back returns to
// it, with one history entry per switch.

import { isTrainHash } from './state.js';
import { moveFocus } from './views/dom.js';
import { t } from './i18n/i18n.js';

/**
 * @param {{ store: { get: Function, update: Function }, explore: { show: (entering: boolean) => void, leave: () => void },
 *   train: (hash: string) => Promise<void> }} pages train: shows the Train page at the address `hash`
 */
export function createRouter({ store, explore, train }) {
  const $ = (id) => document.getElementById(id);
  const ui = {
    main: $('main'), trainPage: $('train-page'), navExplore: $('nav-explore'), navTrain: $('nav-train'),
    skipExplore: $('skip-explore'), skipTrain: $('skip-train'),
  };
  const addresses = { explore: '', train: 'page=train' }; // each page's address, to return to it

  /** Shows the other page at the address it last had. */
  function go(to) {
    if (to === store.get().page) return;
    location.hash = addresses[to];
    if (addresses[to] === '' && location.hash === '') route(); // '' → '' fires no hashchange
  }

  /** Shows the page the address names. */
  function route() {
    const next = isTrainHash(location.hash) ? 'train' : 'explore';
    const entering = next !== store.get().page;
    store.update({ page: next });
    ui.main.hidden = next !== 'explore';
    ui.trainPage.hidden = next !== 'train';
    ui.skipExplore.hidden = next !== 'explore';
    ui.skipTrain.hidden = next !== 'train';
    for (const [nav, page] of [[ui.navExplore, 'explore'], [ui.navTrain, 'train']]) {
      if (next === page) nav.setAttribute('aria-current', 'page');
      else nav.removeAttribute('aria-current');
    }
    document.title = t(next === 'train' ? 'page.title.train' : 'common.title');
    if (entering) window.scrollTo(0, 0); // on Explore, the section named in the address is scrolled to next
    if (next === 'explore') return explore.show(entering);
    explore.leave();
    train(location.hash).catch((err) => {
      console.error(err);
      ui.trainPage.querySelector('#tr-notices').textContent = t('page.router.trainFailed', { detail: err?.message ?? String(err) });
    });
  }

  window.addEventListener('hashchange', (event) => {
    const old = new URL(event.oldURL).hash.replace(/^#/, '');
    addresses[isTrainHash(old) ? 'train' : 'explore'] = old;
    route();
  });
  // a skip link moves the focus past the header and the introduction, without touching the address (Explore's state)
  for (const link of [ui.skipExplore, ui.skipTrain]) {
    link.addEventListener('click', (e) => {
      e.preventDefault();
      moveFocus($(link.dataset.target));
    });
  }
  ui.navExplore.addEventListener('click', (e) => { e.preventDefault(); go('explore'); });
  ui.navTrain.addEventListener('click', (e) => { e.preventDefault(); go('train'); });

  return {
    route,
    /** Switches to Explore at its plain address (its state then comes from the model it is given). */
    exploreAfresh() {
      addresses.explore = '';
      go('explore');
    },
  };
}
