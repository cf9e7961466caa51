// Explore's views over index.html's containers, made once and drawn from one trace: each view
// gets the plain data viewData slices for it. Pointing at a token highlights it in all of them.
// An encoder's output replaces the next token: the masked LM's guesses, or the classifier's
// class probabilities. Each view's section is brought up to date through `sections`
// (./sections.js): at once where the reader is, later away from it.

import { viewData } from '../trace-data.js';
import { createTokensView } from '../views/tokens.js';
import { createGlanceView } from '../views/glance.js';
import { createEmbeddingsView } from '../views/embeddings.js';
import { createLayerNormView } from '../views/layernorm.js';
import { createHeadView } from '../views/head.js';
import { createAttentionView } from '../views/attention.js';
import { createFfnView } from '../views/ffn.js';
import { createResidualView } from '../views/residual.js';
import { createOutputView } from '../views/output.js';
import { createFillMaskView } from '../views/fill-mask.js';
import { createClassesView } from '../views/classes.js';
import { createInspect } from '../inspect.js';
import { t } from '../i18n/i18n.js';

/** Whether `config` is an encoder trained as a masked LM (its output is the fill-the-mask view). */
export const isMaskedLm = (config) => config.family === 'encoder' && !config.n_classes;

/**
 * @param {{ worker: { call: Function }, sections: ReturnType<import('./sections.js').createSections>,
 *   highlighted: () => number|null, onHighlight: (pos: number|null) => void,
 *   onSelect: (layer: number, head: number) => void, onError: (what: string, err: Error) => void }} options
 *   highlighted: the token position pointed at; onHighlight: another one is (the store keeps it)
 */
export function createExploreViews({ worker, sections, highlighted, onHighlight, onSelect, onError }) {
  const $ = (id) => document.getElementById(id);
  const point = (pos) => {
    if (pos === highlighted()) return;
    onHighlight(pos);
    for (const v of Object.values(views)) v.highlight?.(pos);
    inspect.highlight(pos);
  };
  const views = {
    tokens: createTokensView($('view-tokens'), { onHighlight: point }),
    embeddings: createEmbeddingsView($('view-embeddings'), { onHighlight: point }),
    layernorm: createLayerNormView($('view-layernorm'), { onHighlight: point }),
    head: createHeadView($('view-head'), { onHighlight: point }),
    attention: createAttentionView($('view-attention'), { onHighlight: point, onSelect }),
    ffn: createFfnView($('view-ffn'), { onHighlight: point }),
    residual: createResidualView($('view-residual'), { onHighlight: point }),
    output: createOutputView($('view-output'), { controls: $('sampling') }),
  };
  $('h-output-words').textContent = t('page.h.output', { kind: 'next' }); // until an encoder's output replaces it
  const glance = createGlanceView($('glance'));
  const fillMask = createFillMaskView($('view-fill-mask'));
  const classes = createClassesView($('view-classes'));
  const inspect = createInspect({ lens: $('view-lens'), ablation: $('view-ablation'), cost: $('view-cost'), worker, onHighlight: point, onError });
  const classNames = new WeakMap(); // engine → promise of its classifier's class names

  /** View `name` shows `data`, and the token pointed at then, once its section is in sight. */
  function show(name, data) {
    const view = views[name];
    sections.update($(`view-${name}`).closest('section'), () => {
      view.update(data);
      view.highlight?.(highlighted());
    });
  }

  /** Names of a classifier's K classes: those of the engine's task with K classes in this vocabulary, else "class k". */
  function classesOf(engine) {
    if (!classNames.has(engine)) {
      const k = engine.config.n_classes;
      const alphabet = [...engine.vocab].sort().join('');
      classNames.set(engine, worker.call('tasks').then((tasks) => {
        const task = tasks.find((t) => t.classes.length === k && [...new Set(t.alphabet)].sort().join('') === alphabet);
        return task?.classes ?? Array.from({ length: k }, (_, i) => t('page.views.className', { i }));
      }));
    }
    return classNames.get(engine);
  }

  /** An encoder's output in place of the next token: fill the mask for a masked LM, the class probabilities for a classifier. */
  async function drawEncoderOutput(engine, input, trace) {
    const { config, vocab } = engine;
    const mlm = isMaskedLm(config);
    const cls = config.family === 'encoder' && config.n_classes > 0;
    $('view-fill-mask').hidden = !mlm;
    $('view-classes').hidden = !cls;
    for (const id of ['sampling', 'view-output']) $(id).hidden = mlm || cls;
    const heading = t('page.h.output', { kind: mlm ? 'mask' : cls ? 'classes' : 'next' });
    if ($('h-output-words').textContent !== heading) $('h-output-words').textContent = heading; // unchanged: its section is not laid out again
    if (mlm) fillMask.update({ ids: Array.from(input.ids), probs: trace.probs.data, vocab });
    if (cls) classes.update({ probs: trace.cls_probs.data, classes: await classesOf(engine), first: vocab[input.ids[0]] });
  }

  return {
    views,
    inspect,
    /**
     * Every view from one trace of the text; resolves to the output view's data (its logits and
     * probabilities), which a change of the sampling settings redraws.
     * @param {{ engine: object, input: object, trace: object, sampling: object, layer: number, head: number }} shown
     */
    async draw({ engine, input, trace, sampling, layer, head }) {
      const { config, steps, vocab, tokenizer } = engine;
      if ($('main').matches('.is-empty, .is-loading')) $('main').classList.remove('is-empty', 'is-loading'); // else the page's style is not touched
      const data = viewData(trace, { config, steps, vocab, layer, head, input, tokenizer });
      const pos = highlighted();
      if (pos !== null && pos >= input.ids.length) onHighlight(null);
      for (const name of Object.keys(views)) show(name, name === 'output' ? { ...data.output, sampling } : data[name]);
      await drawEncoderOutput(engine, input, trace);
      inspect.update({ engine, ids: input.ids, labels: input.labels, config, vocab });
      const { n_embd: C, n_head: NH } = config;
      const shapes = t('page.views.shapes', {
        T: input.ids.length, C, NH, HS: C / NH, V: vocab.length, tokens: tokenizer !== 'char' ? 'tokens' : 'chars', layer, head,
      });
      sections.update($('intro'), () => { // the summary line and the glance beside the text box, together
        $('shapes').textContent = shapes;
        glance.update({ ...data.head, ids: Array.from(input.ids).slice(-data.head.T) });
      });
      return data.output;
    },
    /** No tokens: only the tokens view shows anything (the unknown and dropped characters). */
    drawEmpty({ engine, input }) {
      const { config, vocab, tokenizer } = engine;
      show('tokens', { items: input.items, hiddenBefore: input.hiddenBefore, ids: [], vocab, blockSize: config.block_size, tokenizer });
      $('main').classList.remove('is-loading');
      $('main').classList.add('is-empty');
      const shapes = t('page.views.shapesEmpty');
      sections.update($('intro'), () => { $('shapes').textContent = shapes; });
    },
    /** The sampling settings changed: the output view's distribution. */
    drawSampling(output, sampling) {
      show('output', { ...output, sampling });
    },
  };
}
