// The training run's autosave in IndexedDB. A save writes the whole record (checkpoint bytes,
// optimizer bytes, the data choice with the text itself, settings, loss history, samples) into
// the slot not in use, and switches the pointer to it in the same transaction: a save that
// fails (quota, a closed tab) leaves the previous one whole.

const DB_NAME = 'transformer-playground';
const DB_VERSION = 1;
const RUNS = 'runs'; // slot name ('a' | 'b') → record
const META = 'meta'; // 'current' → slot name
const SLOTS = ['a', 'b'];

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

/**
 * Saves `record` as the current run.
 * @param {object} record structured-cloneable (typed arrays, strings, numbers, arrays)
 * @returns {Promise<void>} rejects with the browser's error (name "QuotaExceededError" when full)
 */
export async function saveRun(record) {
  const db = await open();
  const tx = db.transaction([RUNS, META], 'readwrite');
  const committed = done(tx);
  const meta = tx.objectStore(META);
  const current = await request(meta.get('current'));
  const next = current === SLOTS[0] ? SLOTS[1] : SLOTS[0];
  tx.objectStore(RUNS).put({ ...record, savedAt: Date.now() }, next);
  meta.put(next, 'current');
  await committed;
}

/** The current run's record, or null when none is saved. */
export async function loadRun() {
  const db = await open();
  const tx = db.transaction([RUNS, META], 'readonly');
  const current = await request(tx.objectStore(META).get('current'));
  if (!current) return null;
  return (await request(tx.objectStore(RUNS).get(current))) ?? null;
}

/** Forgets the saved run. */
export async function clearRun() {
  const db = await open();
  const tx = db.transaction([RUNS, META], 'readwrite');
  const committed = done(tx);
  tx.objectStore(META).delete('current');
  tx.objectStore(RUNS).clear();
  await committed;
}
