// Downloads a Hugging Face model's files from the hub, or from anything that serves the hub's
// layout (`<base>/resolve/main/<file>`, base = `<origin>/<owner>/<name>`), with progress, a
// way to cancel, and a copy in Cache Storage so a second visit downloads nothing.
//
// Files: config.json, tokenizer.json, tokenizer_config.json (optional), then the weights:
// model.safetensors.index.json and the shards it names, or model.safetensors.

import { joinChunks } from './bytes.js';
import { localError as failure } from '../notices.js';
import { downloadWatch } from './download-watch.js';

export const HUB_ORIGIN = 'https://huggingface.co';
export const CACHE_NAME = 'playground-hub-models';

/** The base URL of `repo` ("HuggingFaceTB/SmolLM2-135M") on `origin`. */
export function hubBase(repo, origin = HUB_ORIGIN) {
  return `${origin.replace(/\/$/, '')}/${repo}`;
}

/**
 * @typedef {{ file: string, loaded: number, total: number|null, cached: boolean }} HubProgress
 *   total: the file's size where the server said (Content-Length), else null
 * @typedef {{ config: string, tokenizer: string, tokenizerConfig: string|null, weightNames: string[],
 *   weights: Uint8Array[] }} HubFiles
 */

/**
 * Every file the playground needs of the model at `base`.
 * @param {string} base
 * @param {{ signal?: AbortSignal, onProgress?: (p: HubProgress) => void, cache?: boolean, watch?: boolean,
 *   approve?: (plan: { config: string, downloadBytes: number|null }) => Promise<void> }} [options]
 *   signal: aborting it rejects with an AbortError; cache: read and write Cache Storage (where it exists);
 *   watch: give up a file whose download stalls or trickles (download-watch.js), with the error saying which;
 *   approve: asked with config.json before any weight is downloaded (throwing refuses the model)
 * @returns {Promise<HubFiles>}
 */
export async function downloadHubModel(base, { signal, onProgress = () => {}, cache = true, watch = false, approve = async () => {} } = {}) {
  const store = cache && globalThis.caches ? await caches.open(CACHE_NAME) : null;
  const fetched = []; // [url, Response] to keep once every file has arrived
  const get = (file, optional = false) => fetchFile(`${base}/resolve/main/${file}`, file, { signal, onProgress, store, optional, fetched, watch });
  const text = async (file, optional) => {
    const bytes = await get(file, optional);
    return bytes && new TextDecoder().decode(bytes);
  };
  const config = await text('config.json');
  const tokenizer = await text('tokenizer.json');
  const tokenizerConfig = await text('tokenizer_config.json', true);
  const index = await text('model.safetensors.index.json', true);
  const weightNames = index ? shardNames(index) : ['model.safetensors'];
  await approve({ config, downloadBytes: index ? indexedBytes(index) : null });
  const weights = [];
  for (const name of weightNames) weights.push(await get(name));
  if (store) await keep(store, base, fetched);
  return { config, tokenizer, tokenizerConfig, weightNames, weights };
}

/**
 * Writes a model's files to the cache whole or not at all (a cancel or a failure before this
 * keeps nothing), config.json last: cachedHubModels lists a model by its config.json, so a tab
 * closed mid-way lists nothing partial. Keeping is a convenience: where the browser refuses
 * (its storage quota), the model still opens, is not listed, and downloads again next time.
 */
async function keep(store, base, fetched) {
  try {
    for (const [url, response] of fetched.reverse()) await store.put(url, response);
  } catch (err) {
    console.warn(`${base} was not kept in Cache Storage: ${err?.message ?? err}`); // i18n-exempt: English for logs
    await forgetHubModel(base).catch(() => {});
  }
}

/** The weights' bytes a shard index states (`metadata.total_size`: the tensors, without the headers), or null. */
function indexedBytes(indexJson) {
  const size = JSON.parse(indexJson).metadata?.total_size;
  return Number.isFinite(size) && size > 0 ? size : null;
}

/** The shard files an index names, each once, in the order first named. */
function shardNames(indexJson) {
  const map = JSON.parse(indexJson).weight_map;
  if (!map || typeof map !== 'object') throw failure('model.safetensors.index.json has no weight_map', 'page.hub.noWeightMap'); // i18n-exempt: English for logs; the reader sees its key
  return [...new Set(Object.values(map))];
}

/**
 * One file's bytes, from the cache or the network; null for a missing optional file (its
 * absence is kept too). What came from the network is added to `fetched`, for the cache. A
 * download that ends short of its Content-Length is an error; with `watch`, so is one that
 * stalls or trickles.
 */
async function fetchFile(url, file, { signal, onProgress, store, optional, fetched, watch }) {
  const hit = await store?.match(url);
  if (hit?.status === 404) return null;
  if (hit) {
    const bytes = new Uint8Array(await hit.arrayBuffer());
    onProgress({ file, loaded: bytes.length, total: bytes.length, cached: true });
    return bytes;
  }
  const watcher = watch ? downloadWatch(url, signal) : null;
  try {
    return await download(url, file, { signal: watcher?.signal ?? signal, onProgress, optional, fetched, watcher });
  } catch (err) {
    throw watcher?.why() ?? err;
  } finally {
    watcher?.stop();
  }
}

/** fetchFile's network part; `watcher` (or null) is told of every byte that arrives. */
async function download(url, file, { signal, onProgress, optional, fetched, watcher }) {
  const res = await fetch(url, { signal });
  watcher?.got(0);
  if (res.status === 404 && optional) {
    fetched.push([url, new Response(null, { status: 404 })]);
    return null;
  }
  if (!res.ok) {
    throw failure(`${file}: the server answered ${res.status} ${res.statusText} for ${url}`, 'page.hub.httpError', // i18n-exempt: English for logs; the reader sees its key
      { file, status: String(res.status), statusText: res.statusText, url });
  }
  const header = res.headers.get('Content-Length');
  const total = header === null ? null : Number(header);
  let seen = 0;
  const progress = (loaded) => {
    watcher?.got(loaded - seen);
    seen = loaded;
    onProgress({ file, loaded, total, cached: false });
  };
  const bytes = await readBody(res, progress, file);
  if (total !== null && bytes.length !== total) {
    throw failure(`${file}: only ${bytes.length} of its ${total} bytes arrived; the download was cut short`, 'page.hub.cutShort', // i18n-exempt: English for logs; the reader sees its key
      { file, got: bytes.length, total });
  }
  // the Response copies the bytes, which the caller may then move to the engine's worker
  fetched.push([url, new Response(bytes, { headers: { 'Content-Type': res.headers.get('Content-Type') ?? 'application/octet-stream' } })]);
  return bytes;
}

/** The body in one buffer, reporting the bytes read so far after each chunk. */
async function readBody(res, progress, file) {
  const reader = res.body.getReader();
  const chunks = [];
  let loaded = 0;
  for (;;) {
    let step;
    try {
      step = await reader.read();
    } catch (err) {
      if (err?.name === 'AbortError') throw err;
      throw failure(`${file}: the download broke off after ${loaded} bytes (${err?.message ?? err})`, 'page.hub.brokeOff', // i18n-exempt: English for logs; the reader sees its key
        { file, got: loaded, detail: err?.message ?? String(err) });
    }
    if (step.done) break;
    chunks.push(step.value);
    loaded += step.value.length;
    progress(loaded);
  }
  return joinChunks(chunks, loaded);
}

/** The models in Cache Storage: the base URL of each model whose config.json is cached. */
export async function cachedHubModels() {
  if (!globalThis.caches) return [];
  const keys = await (await caches.open(CACHE_NAME)).keys();
  return keys.map((req) => req.url).filter((url) => url.endsWith('/resolve/main/config.json')).map((url) => url.slice(0, -'/resolve/main/config.json'.length));
}

/** The bytes the cached files of the model at `base` take. */
export async function cachedHubBytes(base) {
  if (!globalThis.caches) return 0;
  const store = await caches.open(CACHE_NAME);
  let bytes = 0;
  for (const req of await cachedFiles(store, base)) bytes += (await (await store.match(req)).blob()).size; // a blob's size reads no bytes
  return bytes;
}

/** Deletes every cached file of the model at `base`. */
export async function forgetHubModel(base) {
  if (!globalThis.caches) return;
  const store = await caches.open(CACHE_NAME);
  for (const req of await cachedFiles(store, base)) await store.delete(req);
}

/** The requests of the model at `base` that `store` holds. */
async function cachedFiles(store, base) {
  const prefix = `${base}/resolve/main/`;
  return (await store.keys()).filter((req) => req.url.startsWith(prefix));
}
