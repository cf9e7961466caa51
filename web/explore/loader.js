// Explore's model loader: the default model, drawn first by the CPU engine where the browser
// has WebGPU and then handed over to WebGPU once its kernels are compiled; a checkpoint file or
// GPT-2 files a user opens; and the hand-over's CPU engine, freed once nothing samples from it.

import { loadDefaultModel } from '../model-source.js';
import { loadGpt2 } from '../gpt2-files.js';
import { isCheckpointChoice, loadCheckpointFile } from '../checkpoint-file.js';
import { loadHub } from '../hub-model.js';

/**
 * @param {{ worker: { call: Function }, handsOver: Promise<boolean>, firstDefault: Promise<object>|null }} boot
 *   from boot.js: whether there is a WebGPU adapter to hand over to, and the default model on the
 *   engine that draws first (null on the Train page)
 */
export function createModelLoader({ worker, handsOver, firstDefault }) {
  let defaultModel = null; // promise of the default model on the page's engine
  let retired = null; // the hand-over's CPU engine, kept while a Generate samples from it
  let first = firstDefault; // the boot's default model, until the engine worker crashes

  /** The default model on the page's engine ('auto'). */
  function loadDefault() {
    defaultModel ??= handsOver
      .then((quick) => (quick || !first ? loadDefaultModel(worker) : first))
      .then((m) => ({ ...m, trained: false }));
    return defaultModel;
  }

  /**
   * No hand-over: the CPU engine stays the default, and says why (`err`: WebGPU failed to start;
   * none: the browser has no WebGPU adapter).
   * @returns {object} the model as it now is
   */
  function keepCpu(model, err) {
    if (err !== undefined) console.error(err);
    const kept = { ...model, quick: false, ...(err !== undefined ? { gpuError: err?.message ?? String(err) } : {}) };
    defaultModel = Promise.resolve(kept);
    return kept;
  }

  /** Frees the hand-over's CPU engine now, or (`busy`: a Generate samples from it) on `release`. */
  function retire(engine, busy) {
    retired = engine;
    if (!busy) release();
  }

  function release() {
    retired?.dispose().catch((err) => console.error(err));
    retired = null;
  }

  return {
    loadDefault,
    keepCpu,
    retire,
    /** The Generate that sampled from the retired engine has ended. */
    release,

    /**
     * Explore's first model: `given`, or the default (`quick`: where the browser has WebGPU at all,
     * the CPU engine's copy, which draws first; handOver learns from `handsOver` whether there is an
     * adapter to hand over to, not awaited here: see boot.js).
     */
    async first(given) {
      const quick = !given && firstDefault !== null && Boolean(navigator.gpu);
      if (given) return given;
      return quick ? { ...(await firstDefault), trained: false, quick: true } : loadDefault();
    },

    /**
     * The default model on the page's engine, in place of the CPU copy `quick` that drew first:
     * loads it, compiles its kernels (`warm`: one forward pass of the shown input), then `show`s
     * it, unless Explore has moved on to another model meanwhile (`stillShown`). Ablation and every
     * other setting live in the page, so the next trace applies them to the new engine.
     * @param {object} quick
     * @param {{ stillShown: () => boolean, warm: (engine: object) => Promise<void>, show: (model: object) => Promise<void>,
     *   busy: () => boolean, kept: (model: object) => void }} steps busy: a Generate samples from `quick`;
     *   kept: no hand-over (no adapter), `model` is the CPU copy as it now is
     */
    async handOver(quick, { stillShown, warm, show, busy, kept }) {
      if (!(await handsOver)) return kept(keepCpu(quick));
      const next = await loadDefault();
      if (!stillShown()) return retire(quick.engine, busy()); // Explore moved on: the CPU copy is not shown again
      await warm(next.engine);
      if (!stillShown()) return retire(quick.engine, busy());
      await show(next);
      retire(quick.engine, busy());
    },

    /**
     * Files chosen by the user, as a model (throws an Error that names what is wrong): one
     * checkpoint file the Train page saved, or GPT-2's files. Its `reload` opens the same files
     * again (after the engine worker crashed).
     */
    async openFiles(files) {
      const model = isCheckpointChoice(files) ? await loadCheckpointFile(worker, files[0]) : await loadGpt2(worker, files);
      return { ...model, reload: () => this.openFiles(files) };
    },

    /**
     * A model of the Hugging Face hub (owner/name), downloaded (throws an Error that names what is
     * wrong); its `reload` opens it again, from the browser's cache where it was kept.
     */
    async openHub(repo, options = {}) {
      const model = await loadHub(worker, repo, options);
      return { ...model, reload: () => this.openHub(repo, { backend: options.backend }) };
    },

    /** The engine worker crashed: the models it held are gone, and are loaded anew when asked for. */
    forget() {
      defaultModel = null;
      retired = null;
      first = null;
    },
  };
}
