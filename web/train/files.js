// Files in and out of the page: saving bytes as a download, reading an upload with a size
// limit, and reading the metadata of a safetensors header (what run a checkpoint came from).
// The engine validates checkpoints (names, shapes, dtypes, sizes); this file only reads the
// header's free-form metadata of a file the engine has already accepted.

import { TRAIN_PROPS } from '../state.js';
import { formatNumber, t } from '../i18n/i18n.js';

export const MAX_CHECKPOINT_BYTES = 1024 * 2 ** 20; // 1 GiB: far above any model the page trains
export const MAX_TEXT_BYTES = 5 * 2 ** 20; // 5 MiB of training text
const MAX_HEADER_BYTES = 16 * 2 ** 20; // a safetensors header longer than this is not ours
const HISTORY_POINTS = 2000; // training steps a checkpoint's loss history keeps at most (about 60 kB of JSON)
const HISTORY_VALS = 1000; // evaluations it keeps at most

/**
 * Offers `bytes` as a file download named `name`.
 * @param {Uint8Array} bytes
 * @param {string} name
 */
export function download(bytes, name) {
  const url = URL.createObjectURL(new Blob([bytes], { type: 'application/octet-stream' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000); // ms: long enough for the browser to start the download
}

/**
 * A file name for a checkpoint: "playground-grammar-step300.safetensors".
 * @param {string} data task name or 'text'
 * @param {number} step
 * @param {string} [kind] '' for the weights, 'optimizer' for AdamW's state
 */
export function checkpointName(data, step, kind = '') {
  const safe = String(data).replace(/[^a-z0-9-]/gi, '');
  return `playground-${safe}-step${step}${kind ? `.${kind}` : ''}.safetensors`;
}

/**
 * Reads a chosen file's bytes, refusing one above `limit` before reading it.
 * @param {File} file
 * @param {number} limit bytes
 * @returns {Promise<Uint8Array>}
 */
export async function readBytes(file, limit) {
  if (file.size > limit) throw new Error(t('train.file.tooBig', { name: file.name, size: formatSize(file.size), limit: formatSize(limit) }));
  return new Uint8Array(await file.arrayBuffer());
}

/**
 * Reads a text file (UTF-8), refusing one above `limit` bytes or one that is not text.
 * @param {File} file
 * @param {number} limit bytes
 */
export async function readText(file, limit) {
  const bytes = await readBytes(file, limit);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new Error(t('train.file.notText', { name: file.name }));
  }
}

/** "2.20 GiB", "64.0 MiB", "12 KiB" (the number as the page's language writes it). */
export function formatSize(bytes) {
  const digits = (n) => ({ minimumFractionDigits: n, maximumFractionDigits: n });
  if (bytes >= 2 ** 30) return `${formatNumber(bytes / 2 ** 30, digits(2))} GiB`;
  return bytes >= 2 ** 20 ? `${formatNumber(bytes / 2 ** 20, digits(1))} MiB` : `${formatNumber(Math.ceil(bytes / 1024))} KiB`;
}

/**
 * The `__metadata__` of a safetensors file (string → string), or null when the header cannot
 * be read. Keys our checkpoints carry: format, config, vocab, step, train_config, data.
 * @param {Uint8Array} bytes
 * @returns {Record<string, string>|null}
 */
export function safetensorsMetadata(bytes) {
  if (bytes.length < 8) return null;
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true));
  if (n > MAX_HEADER_BYTES || 8 + n > bytes.length) return null;
  try {
    const header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n)));
    const meta = header?.__metadata__;
    if (!meta || typeof meta !== 'object') return null;
    return Object.fromEntries(Object.entries(meta).filter(([, v]) => typeof v === 'string'));
  } catch {
    return null;
  }
}

/**
 * What a checkpoint's metadata says about its run: the task (or 'text'), the step, the training
 * config and the loss history, each null when absent or unreadable.
 * @param {Record<string, string>|null} meta from safetensorsMetadata
 */
export function runInfo(meta) {
  const task = /^task: ([a-z]+)$/.exec(meta?.data ?? '')?.[1] ?? null;
  const text = /^text: /.test(meta?.data ?? '');
  const step = stepOf(meta);
  const train = jsonObject(meta?.train_config);
  return { data: task ?? (text ? 'text' : null), step, train, history: historyOf(jsonObject(meta?.history)), kind: meta?.format ?? null };
}

/** The `step` of a checkpoint's or an optimizer file's metadata, as a safe integer, else null. */
export function stepOf(meta) {
  return /^\d+$/.test(meta?.step ?? '') && Number.isSafeInteger(Number(meta.step)) ? Number(meta.step) : null;
}

/** A JSON object from a metadata string, else null (anything else is not ours). */
function jsonObject(text) {
  let value = null;
  try {
    value = text ? JSON.parse(text) : null;
  } catch {
    return null;
  }
  return value && typeof value === 'object' && !Array.isArray(value) ? value : null;
}

/**
 * A run's loss history as `withHistory` wrote it, checked: steps rising, every number finite,
 * the arrays of one length; else null.
 * @returns {{ steps: number[], loss: number[], gradNorm: number[], lr: number[], val: { step: number, val: number }[] }|null}
 */
function historyOf(h) {
  const numbers = (a, max) => Array.isArray(a) && a.length <= max && a.every((x) => typeof x === 'number' && Number.isFinite(x));
  if (!h || !['steps', 'loss', 'gradNorm', 'lr'].every((k) => numbers(h[k], HISTORY_POINTS)) || !Array.isArray(h.val) || h.val.length > HISTORY_VALS) return null;
  const n = h.steps.length;
  if (![h.loss, h.gradNorm, h.lr].every((a) => a.length === n)) return null;
  const rising = (a) => a.every((x, i) => Number.isSafeInteger(x) && x >= 0 && (i === 0 || x > a[i - 1]));
  const val = h.val.map((v) => (Array.isArray(v) && v.length === 2 ? { step: v[0], val: v[1] } : null));
  if (!rising(h.steps) || val.some((v) => !v || !Number.isFinite(v.val)) || !rising(val.map((v) => v.step))) return null;
  return { steps: h.steps, loss: h.loss, gradNorm: h.gradNorm, lr: h.lr, val };
}

/**
 * A checkpoint's bytes with the run's loss history in its header metadata (`history`), so a
 * file loaded back shows where its run was: every step's loss, gradient norm and learning rate
 * (at most HISTORY_POINTS of them, evenly spread, the last always kept) and the evaluations.
 * Only the header changes; the tensors' bytes and offsets stay.
 * @param {Uint8Array} bytes a safetensors checkpoint
 * @param {{ steps: number[], loss: number[], gradNorm: number[], lr: number[], val: { step: number, val: number }[] }} run
 * @returns {Uint8Array}
 */
export function withHistory(bytes, run) {
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
  const keep = spread(run.steps.length, HISTORY_POINTS);
  const pick = (a) => keep.map((i) => a[i]);
  const val = spread(run.val.length, HISTORY_VALS).map((i) => [run.val[i].step, run.val[i].val]);
  const history = { steps: pick(run.steps), loss: pick(run.loss), gradNorm: pick(run.gradNorm), lr: pick(run.lr), val };
  header.__metadata__ = { ...header.__metadata__, history: JSON.stringify(history) };
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (new TextEncoder().encode(json).length % 8)) % 8); // the tensors stay 8-byte aligned, as safetensors asks
  const head = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + head.length + bytes.length - 8 - n);
  new DataView(out.buffer).setBigUint64(0, BigInt(head.length), true);
  out.set(head, 8);
  out.set(bytes.subarray(8 + n), 8 + head.length);
  return out;
}

/** `count` indices spread evenly over 0 … n − 1, the last always among them (all of them when n ≤ count). */
function spread(n, count) {
  if (n <= count) return Array.from({ length: n }, (_, i) => i);
  return Array.from({ length: count }, (_, i) => Math.round((i * (n - 1)) / (count - 1)));
}

/** The Train form's fields a checkpoint's train_config fills in: field → train_config key. */
const TRAIN_FIELDS = { batch: 'batch_size', lr: 'learning_rate', steps: 'max_steps', seed: 'seed' };

/**
 * The training settings of a checkpoint's train_config, each checked against the form's range
 * (TRAIN_PROPS); a value out of range or of the wrong kind is left out and named.
 * @param {object|null} train from runInfo
 * @returns {{ settings: Record<string, number>, ignored: string[] }} ignored: e.g. 'train_config.seed = 1.5'
 */
export function trainSettingsOf(train) {
  const settings = {};
  const ignored = [];
  for (const [field, key] of Object.entries(TRAIN_FIELDS)) {
    if (!train || !Object.hasOwn(train, key)) continue;
    const v = train[key];
    const row = TRAIN_PROPS.find((p) => p.name === field);
    const fits = typeof v === 'number' && Number.isFinite(v) && v >= row.min && v <= row.max && (row.type !== 'int' || Number.isInteger(v));
    if (fits) settings[field] = v;
    else ignored.push(t('train.file.ignored', { key, value: String(JSON.stringify(v)?.slice(0, 40)), whole: row.type === 'int' ? 'yes' : 'no', lo: String(row.min), hi: String(row.max) }));

  }
  return { settings, ignored };
}
