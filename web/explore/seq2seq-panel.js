// Explore's encoder-decoder (the original Transformer): a source through the encoder and the
// decoder, drawn by the seq2seq view with its three attention maps side by side (the encoder's
// self-attention over the source, the decoder's causal self-attention over what it was fed, the
// cross-attention from target to source) and the decoder's outputs with teacher forcing next to
// step by step. The engine's `translate` runs both passes in one call. Explore's other views
// follow one token stream, so they give way to this one while an encoder-decoder is shown.

import { createSeq2SeqView, EXAMPLE_SOURCE } from '../views/seq2seq.js';

/** Whether `config` is an encoder-decoder's (shown by this panel, not by the token-stream views). */
export const isEncDec = (config) => config.family === 'encoder_decoder';

/**
 * The training step the weights are at: the engine's own, or, for a checkpoint opened from a file
 * (whose engine has taken no step), the step its header records.
 */
async function weightsStep(engine) {
  const own = await engine.step();
  const saved = Number(engine.metadata?.step);
  return own === 0 && Number.isSafeInteger(saved) ? saved : own;
}

/**
 * @param {{ onSource: () => void }} options onSource: a valid new source was typed (Explore traces again)
 */
export function createSeq2SeqPanel({ onSource }) {
  const $ = (id) => document.getElementById(id);
  let source = EXAMPLE_SOURCE;
  const view = createSeq2SeqView($('view-seq2seq'), {
    allMaps: true,
    ids: 'x-s2s',
    onSource: (text) => {
      source = text;
      onSource();
    },
  });

  return {
    /** Explore shows `engine`: for an encoder-decoder this panel replaces the token-stream views, else it goes. */
    use(engine) {
      const encdec = isEncDec(engine.config);
      $('main').classList.toggle('is-encdec', encdec);
      $('seq2seq').hidden = !encdec;
    },
    /**
     * Runs the source through `engine` both ways and draws it, unless a newer request waits (`isStale`).
     * @returns {Promise<boolean>} whether it was drawn
     */
    async draw(engine, isStale) {
      const step = await weightsStep(engine);
      const translation = await engine.translate(source);
      if (isStale()) return false;
      $('main').classList.remove('is-loading', 'is-empty');
      view.update({ step, translation });
      return true;
    },
  };
}
