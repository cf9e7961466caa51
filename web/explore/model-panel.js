// The model panel beside Explore's text: one sentence on what the model is (its family, sizes and
// weight count), which engine runs it, and a notice where that is not WebGPU.

import { createNotices } from '../notices.js';
import { count } from '../views/format.js';
import { t } from '../i18n/i18n.js';

/** What kind of transformer `config` is, for the model line's select: gpt, mlm, cls or encdec. */
function familyCase(config) {
  if (config.family === 'encoder_decoder') return 'encdec';
  if (config.family !== 'encoder') return 'gpt';
  return config.n_classes ? 'cls' : 'mlm';
}

/**
 * The engine line's text and the notices that go with it.
 * @param {{ engine: object, quick?: boolean, gpuError?: string }} model quick: the CPU engine draws
 *   while WebGPU starts; gpuError: WebGPU failed to start, so the CPU engine stays
 */
function engineState({ engine, quick, gpuError }) {
  const threads = engine.threads > 1 ? engine.threads : 1;
  const cpu = engine.threads > 1 || !engine.threadsReason
    ? t('page.engine.cpu', { threads })
    : t('page.engine.cpuWhy', { threads, why: engine.threadsWhy ?? 'failed', detail: engine.threadsDetail ?? engine.threadsReason });
  if (quick || gpuError) {
    return {
      line: quick ? t('page.engine.cpuQuick', { threads }) : cpu,
      notices: gpuError ? [{ level: 'warn', text: t('page.engine.gpuFailed', { detail: gpuError }) }] : [],
    };
  }
  if (engine.backend === 'webgpu') {
    const line = engine.adapter ? t('page.engine.webgpu', { adapter: engine.adapter }) : t('page.engine.webgpuUnnamed');
    return { line, notices: [] };
  }
  return {
    line: cpu,
    notices: [{
      level: 'warn',
      text: engine.fallbackReason ? t('page.engine.noWebgpu', { detail: engine.fallbackReason }) : t('page.engine.noWebgpuAdapter'),
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
    const sentence = (weights) => t('page.model.line', {
      trained: trained ? 'yes' : 'no', family: familyCase(config), L, NH, C, V, B, weights,
      tokens: { gpt2: 'bpe', hub: 'hub' }[engine.tokenizer] ?? 'chars',
    });
    modelLine.textContent = sentence('none');
    // the count of the model's own parameter layout, so every variant's is exact
    const { vocab_size: _, ...sizes } = config;
    worker.call('cost', sizes, V, 1, 1).then((cost) => {
      if (isShown(engine)) modelLine.textContent = sentence(count(cost.params));
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
