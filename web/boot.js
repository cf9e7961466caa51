// The first thing the page runs, before main.js and its views have loaded: it starts the
// engine worker (which fetches and compiles the wasm) and, for Explore, the default model's
// download and load, so they overlap the loading of the page's other modules. main.js takes
// them from here.

import { startWorker } from './engine/client.js';
import { loadDefaultModel, prefetchDefault } from './model-source.js';
import { isTrainHash } from './state.js';
import { pageLanguageReady } from './i18n/page-language.js';

const explore = !isTrainHash(location.hash);

/** One worker hosts every engine: the default model's and the training run's. */
export const worker = startWorker();

if (explore) prefetchDefault();

/**
 * Whether Explore's first heatmaps come from the CPU engine, handed over to WebGPU once its
 * kernels are compiled (main.js `handOver`): where the browser has a WebGPU adapter. The CPU
 * engine traces the small default model in milliseconds; a GPU compiles each kernel on first
 * use, which takes seconds on SwiftShader and a noticeable moment on some drivers.
 * @type {Promise<boolean>}
 */
export const handsOver = explore && navigator.gpu
  ? navigator.gpu.requestAdapter().then((adapter) => adapter !== null, () => false)
  : Promise.resolve(false);

/**
 * Explore's default model on the engine that draws first (null on the Train page). Where the
 * browser has WebGPU at all, that is the CPU engine, loaded at once rather than after the
 * adapter check: a busy GPU process kept requestAdapter() waiting for up to 0.7 s (measured,
 * docs/PERFORMANCE.md). Where there is no adapter, this CPU engine is the page's engine.
 */
export const firstDefault = explore
  ? loadDefaultModel(worker, { backend: navigator.gpu ? 'cpu' : 'auto', language: pageLanguageReady })
  : null;
