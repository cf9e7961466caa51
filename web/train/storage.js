// The training run's autosave in IndexedDB. A save writes the whole record (checkpoint bytes,
// optimizer bytes, the data choice with the text itself, settings, loss history, samples) into
// the slot not in use, and switches the pointer to it in the same transaction: a save that
// fails (quota, a tab closed or reloaded mid-save) leaves the previous one whole.
//
// Each tab owns its run: a tab's id lives in sessionStorage (so it survives a reload of that tab,
// and another tab has its own), its pointer is stored under that id, and its records under a
// key of its own. Two tabs training at once never write over each other's saved run. A tab with
// no run of its own opens the newest run saved by any tab: it takes that run over when the tab
// that saved it is gone (closed, or this very tab before a "duplicate tab"), and otherwise starts
// from a copy, which its own first save then keeps under its own key. Live tabs are known by the
// Web Lock each one holds while it is open.

const DB_NAME = 'transformer-playground';
const DB_VERSION = 1;
const RUNS = 'runs'; // `${owner}/${slot}` → record
const META = 'meta'; // tab id → { owner, slot, savedAt }; a version-1 page wrote 'current' → slot, its records under 'a' | 'b'
const SLOTS = ['a', 'b'];
const TAB_KEY = 'transformer-playground-tab'; // sessionStorage
const LOCK_PREFIX = 'transformer-playground-tab-';
const KEPT_RUNS = 4; // saved runs of closed tabs kept besides the open tabs' own: older ones are deleted

/** This tab's id: kept in sessionStorage, so a reload keeps it and another tab has its own. */
const TAB = (() => {
  const fresh = () => `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
  try {
    let id = sessionStorage.getItem(TAB_KEY);
    if (!id) {
      id = fresh();
      sessionStorage.setItem(TAB_KEY, id);
    }
    return id;
  } catch {
    return fresh(); // no sessionStorage (a sandboxed frame): a reload then opens the newest run
  }
})();

// Holds this tab's lock while the page lives, so other tabs see that its run is in use.
globalThis.navigator?.locks?.request(LOCK_PREFIX + TAB, () => new Promise(() => {})).catch(() => {});

/** Ids of the tabs open now (all of them where Web Locks are missing: nothing is then taken over). */
async function openTabs() {
  try {
    const { held } = await navigator.locks.query();
    return new Set(held.map((l) => l.name).filter((n) => n.startsWith(LOCK_PREFIX)).map((n) => n.slice(LOCK_PREFIX.length)));
  } catch {
    return null;
  }
}

/** @type {Promise<IDBDatabase>|null} */
let opening = null;

function open() {
  opening ??= new Promise((resolve, reject) => {
    if (!globalThis.indexedDB) {
      reject(new Error('this browser offers no IndexedDB (private mode?), so the run cannot be saved'));
      return;
    }
    const req = indexedDB.open(DB_NAME, DB_VERSION);
    req.onupgradeneeded = () => {
      const db = req.result;
      if (!db.objectStoreNames.contains(RUNS)) db.createObjectStore(RUNS);
      if (!db.objectStoreNames.contains(META)) db.createObjectStore(META);
    };
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('IndexedDB could not be opened'));
    req.onblocked = () => reject(new Error('IndexedDB is blocked by another tab of this page'));
  });
  opening.catch(() => { opening = null; }); // try again next time
  return opening;
}

/** Resolves when `tx` commits; rejects with its error (e.g. QuotaExceededError) when it aborts. */
function done(tx) {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onabort = () => reject(tx.error ?? new Error('the save was aborted'));
    tx.onerror = (e) => e.preventDefault(); // the abort handler reports it
  });
}

function request(req) {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

/** Every pointer in META as [tab, { owner, slot, savedAt }] (a version-1 pointer read as one). */
async function pointers(meta) {
  const [keys, values] = await Promise.all([request(meta.getAllKeys()), request(meta.getAll())]);
  return keys.map((k, i) => [k, typeof values[i] === 'string' ? { owner: null, slot: values[i], savedAt: 0 } : values[i]]);
}

/** The RUNS key a pointer's record is stored under. */
const runKey = ({ owner, slot }) => (owner === null ? slot : `${owner}/${slot}`);

/**
 * Saves `record` as this tab's run.
 * @param {object} record structured-cloneable (typed arrays, strings, numbers, arrays)
 * @returns {Promise<void>} rejects with the browser's error (name "QuotaExceededError" when full)
 */
export async function saveRun(record) {
  const live = await openTabs();
  const db = await open();
  const tx = db.transaction([RUNS, META], 'readwrite');
  const committed = done(tx);
  const meta = tx.objectStore(META);
  const runs = tx.objectStore(RUNS);
  const all = await pointers(meta);
  const mine = all.find(([tab]) => tab === TAB)?.[1];
  const savedAt = Date.now();
  const next = mine ? { owner: mine.owner ?? TAB, slot: mine.slot === SLOTS[0] ? SLOTS[1] : SLOTS[0], savedAt } : { owner: TAB, slot: SLOTS[0], savedAt };
  runs.put({ ...record, savedAt }, runKey(next));
  meta.put(next, TAB);
  // runs of closed tabs beyond the newest KEPT_RUNS are deleted (never an open tab's)
  if (live) {
    const closed = all.filter(([tab]) => tab !== TAB && !live.has(tab)).sort((a, b) => b[1].savedAt - a[1].savedAt);
    for (const [tab, p] of closed.slice(KEPT_RUNS)) {
      meta.delete(tab);
      for (const slot of SLOTS) runs.delete(runKey({ ...p, slot }));
    }
  }
  await committed;
}

/** This tab's run; where it has none, the newest run saved by any tab (see the top); or null. */
export async function loadRun() {
  const live = await openTabs();
  const db = await open();
  const tx = db.transaction([RUNS, META], 'readwrite');
  const committed = done(tx);
  const meta = tx.objectStore(META);
  const all = await pointers(meta);
  let mine = all.find(([tab]) => tab === TAB)?.[1];
  if (!mine) {
    const newest = all.sort((a, b) => b[1].savedAt - a[1].savedAt)[0];
    if (!newest) {
      await committed;
      return null;
    }
    const [tab, p] = newest;
    if (live && !live.has(tab)) { // its tab is gone: this tab takes the run over
      meta.delete(tab);
      meta.put(p, TAB);
    }
    mine = p;
  }
  const rec = (await request(tx.objectStore(RUNS).get(runKey(mine)))) ?? null;
  await committed;
  return rec;
}

/** Forgets this tab's saved run (other tabs' runs stay). */
export async function clearRun() {
  const db = await open();
  const tx = db.transaction([RUNS, META], 'readwrite');
  const committed = done(tx);
  const meta = tx.objectStore(META);
  const mine = (await pointers(meta)).find(([tab]) => tab === TAB)?.[1];
  if (mine) {
    meta.delete(TAB);
    for (const slot of SLOTS) tx.objectStore(RUNS).delete(runKey({ ...mine, slot }));
  }
  await committed;
}
