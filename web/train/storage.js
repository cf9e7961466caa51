// The Train page's runs saved in IndexedDB. A save writes the whole record (checkpoint bytes,
// optimizer bytes, the data choice with the text itself, settings, loss history, samples) into
// the slot of its run not in use, and switches the run's pointer to it in the same transaction:
// a save that fails (quota, a tab closed or reloaded mid-save) leaves the previous one whole.
// Byte arrays are stored in chunks of CHUNK_BYTES, each its own value: browsers cap one value
// (Chromium at 127 MiB, less in a private window), and a large run's record is past that.
//
// Every run has an id, and a pointer in META: which tab holds it (null: none), its slot, when it
// was saved, and a summary for the list of saved runs. A tab's id lives in sessionStorage (so it
// survives a reload of that tab, and another tab has its own); a tab holds one run at a time, and
// two tabs training at once never write over each other's run. Every saved run is listed
// (`listRuns`) and can be opened (`openRun`): a run no open tab holds is taken over, one that
// another open tab holds is opened as a copy, which this tab's first save keeps as a run of its
// own. A tab with no run opens the newest run no open tab holds, so tabs opened after several
// closed ones each take a different run. Open tabs are known by the Web Lock each one holds.
// A connection the browser closes (the site's data cleared, a newer version opening) is opened
// again and the operation retried once.

import { t } from '../i18n/i18n.js';

const DB_NAME = 'transformer-playground';
const DB_VERSION = 2;
const RUNS = 'runs'; // `${run}/${slot}` → record, its byte arrays as CHUNKED references
const CHUNKS = 'chunks'; // `${run}/${slot}/${field}/${i}` → Uint8Array of CHUNK_BYTES at most
const META = 'meta'; // run id → { tab, slot, savedAt, summary }
const SLOTS = ['a', 'b'];
export const CHUNK_BYTES = 32 * 2 ** 20;
const TAB_KEY = 'transformer-playground-tab'; // sessionStorage
const LOCK_PREFIX = 'transformer-playground-tab-';
const KEPT_RUNS = 8; // saved runs no open tab holds, newest first: older ones are deleted on a save

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

/** Ids of the tabs open now (null where Web Locks are missing: nothing is then taken over). */
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
let openDb = null; // the connection `opening` resolved to
const closedDbs = new WeakSet(); // connections the browser closed, or that gave way to a newer version

/** Stops using `db`: the next operation opens the database again. */
function forget(db) {
  closedDbs.add(db);
  if (openDb === db) {
    opening = null;
    openDb = null;
  }
}

function open() {
  opening ??= new Promise((resolve, reject) => {
    if (!globalThis.indexedDB) {
      reject(new Error(t('train.storage.noIndexedDb')));
      return;
    }
    const req = indexedDB.open(DB_NAME, DB_VERSION);
    req.onupgradeneeded = (event) => upgrade(req.result, req.transaction, event.oldVersion);
    req.onsuccess = () => {
      const db = req.result;
      openDb = db;
      db.onclose = () => forget(db); // closed by the browser: the site's data was cleared
      db.onversionchange = () => { // a newer page wants the database: let it, and open it again when needed
        db.close();
        forget(db);
      };
      resolve(db);
    };
    req.onerror = () => reject(req.error ?? new Error(t('train.storage.openFailed')));
    req.onblocked = () => reject(new Error(t('train.storage.blocked')));
  });
  opening.catch(() => { opening = null; }); // try again next time
  return opening;
}

/**
 * Runs `fn(db)`; when the connection was closed under it (the browser closes it when the site's
 * data is cleared: "The database connection is closing"), opens the database again and runs
 * `fn` once more.
 */
async function withDb(fn) {
  const db = await open();
  try {
    return await fn(db);
  } catch (err) {
    if (!closedDbs.has(db) && err?.name !== 'InvalidStateError') throw err;
    forget(db);
    return fn(await open());
  }
}

/** Creates the stores; a version-1 database (one pointer per tab, records whole) is converted. */
function upgrade(db, tx, oldVersion) {
  if (!db.objectStoreNames.contains(RUNS)) db.createObjectStore(RUNS);
  if (!db.objectStoreNames.contains(META)) db.createObjectStore(META);
  if (!db.objectStoreNames.contains(CHUNKS)) db.createObjectStore(CHUNKS);
  if (oldVersion !== 1) return;
  // version 1: tab id → { owner, slot, savedAt } (records under `${owner}/${slot}`), or, from an
  // earlier page, 'current' → slot (records under the slot's name alone)
  const meta = tx.objectStore(META);
  const runs = tx.objectStore(RUNS);
  const converted = Promise.all([request(meta.getAllKeys()), request(meta.getAll())]).then(async ([keys, values]) => {
    meta.clear();
    for (const [i, tab] of keys.entries()) {
      const v1 = typeof values[i] === 'string' ? { owner: null, slot: values[i], savedAt: 0 } : values[i];
      const id = v1.owner ?? 'saved';
      if (v1.owner === null) {
        for (const slot of SLOTS) {
          const rec = await request(runs.get(slot));
          runs.delete(slot);
          if (rec) runs.put(rec, `${id}/${slot}`);
        }
      }
      const rec = await request(runs.get(`${id}/${v1.slot}`));
      if (rec) meta.put({ tab: v1.owner === null ? null : tab, slot: v1.slot, savedAt: v1.savedAt, summary: summaryOf(rec) }, id);
    }
  });
  converted.catch(() => tx.abort()); // a half-converted database is worse than the old one kept whole
}

/** Resolves when `tx` commits; rejects with its error (e.g. QuotaExceededError) when it aborts. */
function done(tx) {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onabort = () => reject(tx.error ?? Object.assign(new Error(t('train.storage.aborted')), { name: 'AbortError' }));
    tx.onerror = (e) => e.preventDefault(); // the abort handler reports it
  });
}

function request(req) {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

/** Every pointer in META as [run id, { tab, slot, savedAt, summary }]. */
async function pointers(meta) {
  const [keys, values] = await Promise.all([request(meta.getAllKeys()), request(meta.getAll())]);
  return keys.map((k, i) => [k, values[i]]);
}

/** A new run's id. */
const newRunId = () => `${TAB}.${Date.now().toString(36)}`;
const newest = (a, b) => b[1].savedAt - a[1].savedAt;
/** Whether no open tab holds the run (`live`: the open tabs, null when unknown). */
const isFree = (p, live) => p.tab === null || (live !== null && p.tab !== TAB && !live.has(p.tab));

/** What the list of saved runs shows of a record. */
function summaryOf(rec) {
  const s = rec.settings ?? {};
  const data = rec.data?.task ?? (rec.data?.text !== undefined ? 'text' : null);
  return {
    data,
    step: rec.step ?? 0,
    maxSteps: rec.train?.max_steps ?? null,
    status: rec.status ?? null,
    source: rec.source ?? null,
    sizes: { layers: s.layers, heads: s.heads, embd: s.embd, ctx: s.ctx, family: s.family ?? 'decoder' },
  };
}

/** Writes `rec` into `slot` of run `id`: its byte arrays in chunks, the rest as one value. */
function writeRecord(tx, id, slot, rec) {
  const prefix = `${id}/${slot}/`;
  const chunks = tx.objectStore(CHUNKS);
  chunks.delete(IDBKeyRange.bound(prefix, `${prefix}\uffff`));
  const stored = {};
  for (const [field, value] of Object.entries(rec)) {
    if (!(value instanceof Uint8Array)) {
      stored[field] = value;
      continue;
    }
    const n = Math.ceil(value.length / CHUNK_BYTES);
    // slice, not subarray: a view would be stored with its whole buffer
    for (let i = 0; i < n; i++) chunks.put(value.slice(i * CHUNK_BYTES, (i + 1) * CHUNK_BYTES), `${prefix}${field}/${i}`);
    stored[field] = { chunkedBytes: value.length, chunks: n };
  }
  tx.objectStore(RUNS).put(stored, `${id}/${slot}`);
}

/** The record in `slot` of run `id`, its byte arrays joined again; null when there is none. */
async function readRecord(tx, id, slot) {
  const stored = await request(tx.objectStore(RUNS).get(`${id}/${slot}`));
  if (!stored) return null;
  const rec = { ...stored };
  const chunks = tx.objectStore(CHUNKS);
  for (const [field, value] of Object.entries(stored)) {
    if (!Number.isSafeInteger(value?.chunkedBytes)) continue;
    const bytes = new Uint8Array(value.chunkedBytes);
    const parts = await Promise.all(Array.from({ length: value.chunks }, (_, i) => request(chunks.get(`${id}/${slot}/${field}/${i}`))));
    let at = 0;
    for (const part of parts) {
      if (!(part instanceof Uint8Array) || at + part.length > bytes.length) throw new Error(t('train.storage.incomplete', { field }));
      bytes.set(part, at);
      at += part.length;
    }
    if (at !== bytes.length) throw new Error(t('train.storage.incomplete', { field }));
    rec[field] = bytes;
  }
  return rec;
}

/** Deletes run `id`: its pointer, both slots and their chunks. */
function deleteRun(tx, id) {
  tx.objectStore(META).delete(id);
  tx.objectStore(RUNS).delete(IDBKeyRange.bound(`${id}/`, `${id}/\uffff`));
  tx.objectStore(CHUNKS).delete(IDBKeyRange.bound(`${id}/`, `${id}/\uffff`));
}

/** Runs `fn(tx, all, live)` in one read-write transaction over every store, then waits for it to commit. */
function transact(fn) {
  return withDb(async (db) => {
    const live = await openTabs(); // before the transaction: it would commit while waiting for anything else
    const tx = db.transaction([RUNS, CHUNKS, META], 'readwrite');
    const committed = done(tx);
    try {
      const all = await pointers(tx.objectStore(META));
      const out = await fn(tx, all, live);
      await committed;
      return out;
    } catch (err) {
      committed.catch(() => {});
      try {
        tx.abort();
      } catch {
        // already finished
      }
      throw err;
    }
  });
}

/**
 * Saves `record` as this tab's run (a new run where the tab holds none).
 * @param {object} record structured-cloneable (typed arrays, strings, numbers, arrays)
 * @returns {Promise<void>} rejects with the browser's error (name "QuotaExceededError" when full)
 */
export function saveRun(record) {
  return transact((tx, all, live) => {
    const [id, mine] = all.find(([, p]) => p.tab === TAB) ?? [newRunId(), null];
    const slot = mine ? SLOTS[1 - SLOTS.indexOf(mine.slot)] : SLOTS[0];
    const savedAt = Date.now();
    writeRecord(tx, id, slot, { ...record, savedAt });
    tx.objectStore(META).put({ tab: TAB, slot, savedAt, summary: summaryOf(record) }, id);
    if (live !== null) {
      for (const [old] of all.filter(([k, p]) => k !== id && isFree(p, live)).sort(newest).slice(KEPT_RUNS)) deleteRun(tx, old);
    }
  });
}

/** This tab's run; where it has none, the newest run no open tab holds (taken over), else a copy of the newest; or null. */
export function loadRun() {
  return transact(async (tx, all, live) => {
    const held = all.find(([, p]) => p.tab === TAB);
    const free = all.filter(([, p]) => isFree(p, live)).sort(newest)[0];
    const [id, p] = held ?? free ?? [...all].sort(newest)[0] ?? [];
    if (!id) return null;
    if (!held && free) tx.objectStore(META).put({ ...p, tab: TAB }, id);
    return readRecord(tx, id, p.slot);
  });
}

/**
 * Every saved run, newest first: `{ id, savedAt, summary, mine, elsewhere }`; mine: this tab's;
 * elsewhere: another open tab holds it (opening it makes a copy).
 */
export function listRuns() {
  return transact((tx, all, live) => all.sort(newest).map(([id, p]) => ({
    id,
    savedAt: p.savedAt,
    summary: p.summary,
    mine: p.tab === TAB,
    elsewhere: p.tab !== TAB && !isFree(p, live),
  })));
}

/**
 * Opens saved run `id` in this tab: this tab's own run is kept in the list, and `id` becomes
 * this tab's run (or, where another open tab holds it, a copy is opened). Resolves to its record.
 */
export function openRun(id) {
  return transact(async (tx, all, live) => {
    const target = all.find(([k]) => k === id)?.[1];
    if (!target) throw new Error(t('train.storage.gone'));
    if (target.tab !== TAB) {
      for (const [k, p] of all) if (p.tab === TAB) tx.objectStore(META).put({ ...p, tab: null }, k);
      if (isFree(target, live)) tx.objectStore(META).put({ ...target, tab: TAB }, id);
    }
    const rec = await readRecord(tx, id, target.slot);
    if (!rec) throw new Error(t('train.storage.gone'));

    return rec;
  });
}

/** This tab's run stays saved, as a run no tab holds: the next save starts a new run. */
export function releaseRun() {
  return transact((tx, all) => {
    for (const [k, p] of all) if (p.tab === TAB) tx.objectStore(META).put({ ...p, tab: null }, k);
  });
}

/** Forgets this tab's saved run (other runs stay). */
export function clearRun() {
  return transact((tx, all) => {
    for (const [k, p] of all) if (p.tab === TAB) deleteRun(tx, k);
  });
}
