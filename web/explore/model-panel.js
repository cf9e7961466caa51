// The model panel beside Explore's text: one sentence on what the model is (its family, sizes and
// weight count), which engine runs it, and a notice where that is not WebGPU.

import { createNotices } from '../notices.js';
import { count } from '../views/format.js';

/** What a token of each tokenizer is, for the model line (the session's own: characters). */
const TOKENS = { gpt2: 'byte-level BPE tokens', hub: 'tokens of its own tokenizer' };

/** What kind of transformer `config` is, in the words of the explainers. */
function familyName(config) {
  if (config.family !== 'encoder') return 'GPT';
  return config.n_classes ? 'BERT-style encoder with a [CLS] classifier' : 'BERT-style encoder (masked LM)';
}

/**
 * The engine line's text and the notices that go with it.
 * @param {{ engine: object, quick?: boolean, gpuError?: string }} model quick: the CPU engine draws
 *   while WebGPU starts; gpuError: WebGPU failed to start, so the CPU engine stays
 */
function engineState({ engine, quick, gpuError }) {
  const threads = engine.threads > 1 ? `on ${engine.threads} threads` : 'on one thread';
  const why = engine.threads > 1 || !engine.threadsReason ? '' : `: ${engine.threadsReason}`;
  const cpu = `Engine: the CPU engine (WebAssembly with SIMD), in a worker, ${threads}${why}.`;
  if (quick || gpuError) {
    return {
      line: quick ? `Engine: the CPU engine (WebAssembly with SIMD), in a worker, ${threads}, for these first views, while the WebGPU engine starts.` : cpu,
      notices: gpuError ? [{ level: 'warn', text: `The WebGPU engine could not start, so the CPU engine stays: ${gpuError}` }] : [],
    };
  }
  if (engine.backend === 'webgpu') return { line: `Engine: WebGPU on ${engine.adapter ?? 'this GPU'}, in a worker, so the page stays responsive.`, notices: [] };
  return {
    line: cpu,
    notices: [{
      level: 'warn',
      text: 'WebGPU is not available here, so the model runs on the CPU engine: the same computation and the same ' +
        `numbers, just without the GPU. Every view works. (The browser said: ${engine.fallbackReason ?? 'no WebGPU adapter. A browser with WebGPU enabled, e.g. a recent Chrome or Edge, runs the GPU engine.'})`,
    }],
  };
}

/**
 * @param {{ worker: { call: Function }, isShown: (engine: object) => boolean }} options
 *   isShown: whether `engine` is still the one Explore shows (a late weight count is dropped otherwise)
 */
export function createModelPanel({ worker, isShown }) {
  const $ = (id) => document.getElementById(id);
  const modelLine = $('model');
  const engineLine = $('engine');
  const notices = createNotices($('model-notices')); // about the engine, the weights and opened files

  function showEngine(model) {
    const { line, notices: list } = engineState(model);
    engineLine.textContent = line;
    notices.set('engine', list);
  }

  function describe({ engine, trained }) {
    const { config } = engine;
    const { n_layer: L, n_head: NH, n_embd: C, block_size: B, vocab_size: V } = config;
    const sentence = (weights) =>
      `${trained ? 'Your trained model: a' : 'A'} ${familyName(config)} with ${L} layer${L === 1 ? '' : 's'} (transformer blocks) of ${NH} attention head${NH === 1 ? '' : 's'}, C = ${C} numbers per token, a vocabulary of V = ${V} ` +
      `${TOKENS[engine.tokenizer] ?? 'characters'} and a context of block_size = ${B} tokens${weights}.`;
    modelLine.textContent = sentence('');
    // the count of the model's own parameter layout, so every variant's is exact
    const { vocab_size: _, ...sizes } = config;
    worker.call('cost', sizes, V, 1, 1).then((cost) => {
      if (isShown(engine)) modelLine.textContent = sentence(`: ${count(cost.params)} weights`);
    }, () => {}); // the sentence without the count is still true
  }

  return {
    notices,
    /** A model is shown: its sentence, its engine and where its weights come from. */
    show(model) {
      showEngine(model);
      notices.set('model', [{ level: 'info', text: model.about }]);
      describe(model);
    },
    /** The same model, but what is known of its engine changed (WebGPU took over, or failed to). */
    showEngine,
  };
}
