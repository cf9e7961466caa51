// The Train page's "What it writes" (a decoder's samples, an encoder's predictions, an
// encoder-decoder's alignment and decodings) and "Its attention, as it learns" (the probe's
// maps, redrawn at each evaluation), drawn from the trainer's state.

import { el } from '../views/dom.js';
import { tokenLabel } from '../views/format.js';
import { createAttentionView } from '../views/attention.js';
import { createSeq2SeqView } from '../views/seq2seq.js';
import { familyOf, isEncDec } from './presets.js';
import { predictionItem, predictionsIntro } from './predictions.js';
import { t } from '../i18n/i18n.js';

const SAMPLES_SHOWN = 5;

/**
 * @param {{ onSource: (source: string) => Promise<void> }} options onSource: an encoder-decoder's
 *   new probe source, typed by the user (the trainer runs it)
 */
export function createSamplesPanel({ onSource }) {
  const $ = (id) => document.getElementById(id);
  const ui = {
    samples: $('tr-samples'),
    title: $('tr-samples-title'),
    intro: $('tr-samples-intro'),
    attentionIntro: $('tr-attention-intro'),
    attention: $('tr-attention'),
  };
  let selected = { layer: 0, head: 0 };
  let drawnProbe; // the probe the attention view shows (null: none, hidden; undefined: draw again)
  let drawnSamples = null; // `${samples}|${last step}` of the list shown
  let redraw = () => {};
  const attention = createAttentionView(ui.attention, {
    onSelect: (layer, head) => {
      selected = { layer, head };
      drawnProbe = undefined;
      redraw();
    },
  });
  // an encoder-decoder's "What it predicts": its alignment and its two decodings of a source
  const seq2seqBox = el('div', { className: 'seq2seq', attrs: { id: 'tr-seq2seq', hidden: '' } });
  ui.samples.before(seq2seqBox);
  const seq2seq = createSeq2SeqView(seq2seqBox, {
    onSource: (source) => onSource(source).catch((err) => seq2seq.message(t('train.samples.runFailed', { detail: err?.message ?? err }))),
  });

  function drawSamples(run, settings, every) {
    const samples = run?.samples ?? [];
    const shows = familyOf(run?.settings.family).shows ?? 'samples';
    seq2seqBox.hidden = !(run && shows === 'seq2seq');
    if (run && shows === 'seq2seq') {
      ui.title.textContent = t('train.samples.predicts');
      ui.intro.textContent = t('train.samples.seq2seqIntro', { every });
      if (run.probe?.translation) seq2seq.update(run.probe);
    } else if (run && shows !== 'samples') {
      ui.title.textContent = t('train.samples.predicts');
      ui.intro.textContent = predictionsIntro(shows, every);
    } else if (run?.inputs) {
      ui.title.textContent = t('train.samples.writes');
      const shown = JSON.stringify(run.inputs.prompt.replace(/^\n/, '')).slice(1, -1);
      ui.intro.textContent = t('train.samples.writesIntro', { every, prompt: shown });
    } else if (!run && isEncDec(settings)) {
      ui.title.textContent = t('train.samples.predicts');
      ui.intro.textContent = t('train.samples.seq2seqBefore');
    } else {
      ui.title.textContent = t('train.samples.writes');
      ui.intro.textContent = t('train.samples.before');
    }
    const key = `${samples.length}|${samples[samples.length - 1]?.step}`;
    if (drawnSamples === key) return;
    drawnSamples = key;
    ui.samples.replaceChildren(...samples.slice(-SAMPLES_SHOWN).reverse().map((s) => s.kind ? predictionItem(s) : el(
      'li',
      { className: 'sample' },
      el('span', { className: 'sample-step', text: t('train.samples.step', { step: s.step }) }),
      el('pre', { className: 'sample-text', attrs: { translate: 'no', dir: 'auto' } }, el('span', { className: 'sample-prompt', text: s.prompt.replace(/^\n/, '') }), s.text),
    )));
  }

  function hideAttention(intro) {
    ui.attentionIntro.textContent = intro;
    if (drawnProbe === null) return;
    drawnProbe = null;
    ui.attention.hidden = true;
  }

  function drawAttention({ run, engine }, settings, every) {
    const probe = run?.probe;
    if (isEncDec(run?.settings ?? settings)) {
      return hideAttention(t('train.attention.encDec'));
    }
    if (!probe) return hideAttention(t('train.attention.before'));
    if (drawnProbe === probe) return;
    drawnProbe = probe;
    ui.attention.hidden = false;
    selected = { layer: Math.min(selected.layer, probe.maps.length - 1), head: Math.min(selected.head, probe.maps[0].length - 1) };
    ui.attentionIntro.textContent = t('train.attention.intro', {
      input: probe.labels.join('').replace(/\n/g, '↵'), tokens: probe.ids.length, step: probe.step, every,
    });

    const causal = engine?.config.family !== 'encoder';
    attention.update({ labels: probe.labels.map(tokenLabel), T: probe.ids.length, layer: selected.layer, head: selected.head, maps: probe.maps, causal });
  }

  return {
    /**
     * @param {object} state the trainer's
     * @param {{ settings: object, every: number, redraw: () => void }} o the Set up form's settings, the run's
     *   steps between evaluations, and how to ask for the next frame (after a head is picked)
     */
    draw(state, { settings, every, redraw: ask }) {
      redraw = ask;
      drawSamples(state.run, settings, every);
      drawAttention(state, settings, every);
    },
    /** The run was discarded: the attention maps are drawn afresh. */
    forget() {
      drawnProbe = undefined;
    },
  };
}
