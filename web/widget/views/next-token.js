// Widget "next-token": the probabilities of the next token after the text, with a temperature
// slider the reader moves (the page's output view). top-k and top-p come from the attributes.

import { el } from '../../views/dom.js';
import { t } from '../../i18n/i18n.js';
import { createOutputView } from '../../views/output.js';
import { fmt } from '../../views/format.js';
import { MAX_TEMPERATURE } from '../../state.js';
import { latestOnly } from '../../latest.js';
import { traceView } from '../trace.js';
import { samplingProbabilities } from '../engine-hub.js';

const TEMPERATURE_STEP = '0.05';

/**
 * @param {HTMLElement} container
 * @param {{ onError: (err: Error) => void }} env
 * @returns {{ update: (props: object, model: object, isStale: () => boolean) => Promise<object[]|null> }}
 */
export function createNextTokenWidget(container, { onError }) {
  const slider = el('input', { attrs: { type: 'range', min: '0', max: String(MAX_TEMPERATURE), step: TEMPERATURE_STEP } });
  const value = el('output');
  const filters = el('span', { className: 'sampling-filters' });
  const controls = el('div', { className: 'sampling' }, el('label', { className: 'slider' }, t('widget.nextToken.temperature'), slider, value), filters);
  const view = createOutputView(container, { controls });
  let shown = null; // the output data (logits, probs) of the current text
  let filter = { topK: 0, topP: 1 };
  let attributeTemperature = null; // the attribute's value last applied to the slider

  const resample = latestOnly(async (isStale) => {
    const temperature = Number(slider.value);
    value.textContent = fmt(temperature, 3);
    const probs = await samplingProbabilities(shown.logits, temperature, filter.topK, filter.topP);
    if (!isStale()) view.update({ ...shown, sampling: { probs, temperature, ...filter } });
  }, onError);
  slider.addEventListener('input', () => { if (shown) resample(); });

  return {
    async update(props, model, isStale) {
      filter = { topK: props['top-k'], topP: props['top-p'] };
      if (props.temperature !== attributeTemperature) {
        attributeTemperature = props.temperature; // the reader's slider position stays until the attribute changes
        slider.value = String(props.temperature);
      }
      const temperature = Number(slider.value);
      const sampling = { temperature, ...filter };
      const { input, data, sampling: probs } = await traceView(model, props.text, 'output', { sampling });
      if (isStale()) return null;
      shown = data;
      const parts = [filter.topK > 0 ? `top-k ${filter.topK}` : '', filter.topP < 1 ? `top-p ${fmt(filter.topP, 3)}` : ''].filter(Boolean);
      filters.textContent = parts.join(' · ');
      if (Number(slider.value) !== temperature) await resample(); // the reader moved the slider meanwhile
      else {
        value.textContent = fmt(temperature, 3);
        view.update({ ...shown, sampling: { probs, ...sampling } });
      }
      return input.messages;
    },
  };
}
