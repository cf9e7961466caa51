// Explore's Generate: seeded, one token at a time, each appended to the text and traced before
// the next; pressing the button again (or typing, or leaving the page) stops it.

import { MAX_TEXT } from '../state.js';
import { t } from '../i18n/i18n.js';

const GENERATE_COUNT = 20; // tokens appended by one press of Generate
/** The button's word while no run is in progress. */
const generateLabel = () => t('page.sampling.generate', { n: GENERATE_COUNT });

/**
 * @param {{ current: () => { engine: object, url: object, logits: Float32Array|null },
 *   append: (text: string) => Promise<void>, retrace: () => Promise<void>, show: (label: string, status?: string) => void,
 *   onEnd: () => void, onError: (err: Error) => void }} hooks
 *   current: the engine, the address state and the last trace's logits; append: the text grows by
 *   a token and is traced; retrace: the current text is traced; show: the button and its line;
 *   onEnd: a run ended
 */
export function createGenerator({ current, append, retrace, show, onEnd, onError }) {
  let running = false;
  let stopping = false;
  show(generateLabel());

  async function run() {
    running = true;
    stopping = false;
    show(t('page.generate.stop'));
    const sampler = current().engine; // seeded here; a hand-over to WebGPU while generating does not reseed
    try {
      await sampler.setSeed(current().url.seed);
      await retrace(); // the logits of exactly the current text
      for (let i = 0; i < GENERATE_COUNT && !stopping && current().logits; i++) {
        const { engine, url, logits } = current();
        if ([...url.text].length >= MAX_TEXT) {
          show(t('page.generate.stop'), t('page.generate.full', { max: String(MAX_TEXT) }));
          break;
        }
        const id = await sampler.sample(logits, url.temp, url.topk, url.topp);
        if (stopping) break;
        const token = engine.tokenizer !== 'char' ? await engine.decode([id]) : engine.vocab[id];
        show(t('page.generate.stop'), t('page.generate.progress', { done: i + 1, total: GENERATE_COUNT, seed: String(url.seed) }));
        await append(token);
      }
    } catch (err) {
      onError(err);
    } finally {
      running = false;
      show(generateLabel());
      onEnd();
    }
  }

  return {
    /** The button was pressed: starts, or stops the run in progress. */
    toggle() {
      if (running) stopping = true;
      else run();
    },
    stop() {
      stopping = true;
    },
    get running() {
      return running;
    },
  };
}
