// LayerNorm view: the input of the chosen block and its first LayerNorm, with the mean and
// standard deviation of one token's row before and after, to show which axis is normalized.

import { el, formulaBlock, liveText, tData } from './dom.js';
import { createHeatmap } from './heatmap.js';
import { dims, fixed } from './format.js';
import { t } from '../i18n/i18n.js';

/** Mean and (population) standard deviation of row `r` of a rows×cols matrix. */
function rowStats(data, cols, r) {
  let sum = 0;
  for (let c = 0; c < cols; c++) sum += data[r * cols + c];
  const mean = sum / cols;
  let sq = 0;
  for (let c = 0; c < cols; c++) sq += (data[r * cols + c] - mean) ** 2;
  return { mean, std: Math.sqrt(sq / cols) };
}

/**
 * @param {HTMLElement} container
 * @param {{ onHighlight?: (pos: number|null) => void }} [options]
 */
export function createLayerNormView(container, { onHighlight = () => {} } = {}) {
  const intro = liveText('p');
  const formula = formulaBlock();
  const stats = liveText('p', 'callout');
  const row = el('div', { className: 'eq-row' });
  const a = el('div', { className: 'eq-term' });
  const b = el('div', { className: 'eq-term' });
  row.append(a, el('span', { className: 'eq-op', text: '→' }), b);
  container.append(intro.element, formula.element, row, stats.element);
  const common = { kind: 'signed', rowName: 'token', colName: 'channel', onHighlight };
  const before = createHeatmap(a, { ...common, title: t('views.layernorm.inputTitle') });
  const after = createHeatmap(b, { ...common, title: 'LN₁(x)', mathTitle: true });
  let d = null;
  let focus = null;

  function showStats() {
    if (!d) return;
    const r = focus ?? d.T - 1;
    const s0 = rowStats(d.input, d.C, r);
    const s1 = rowStats(d.output, d.C, r);
    stats.set(tData('views.layernorm.stats', {
      r, label: d.labels[r], last: focus === null ? 'yes' : 'no', C: d.C, norm: d.rms ? 'rms' : 'layer',
      mean0: fixed(s0.mean, 4), std0: fixed(s0.std, 4), mean1: fixed(s1.mean, 4), std1: fixed(s1.std, 4),
    }, ['label']));
  }

  return {
    /**
     * @param {{ labels: string[], T: number, C: number, layer: number, input: Float32Array, output: Float32Array,
     *   arch?: { norm: string, post: boolean } }} data
     */
    update(data) {
      const arch = data.arch ?? { norm: 'layer_norm', post: false };
      d = { ...data, rms: arch.norm === 'rms_norm' };
      const { T, C, layer, labels } = d;
      const norm = d.rms ? 'rms' : 'layer';
      intro.set(t('views.layernorm.intro', { post: arch.post ? 'yes' : 'no', layer, norm, C }));
      const xName = arch.post ? t('views.layernorm.xPost', { layer }) : layer === 0 ? 'X₀' : t('views.layernorm.xOutput', { layer: layer - 1 });
      formula.set(
        t(d.rms ? 'views.layernorm.formula.rms' : 'views.layernorm.formula.layer', { C }),
        `x = ${xName}   : ${dims('T', 'C')} → ${dims('T', 'C')} = ${dims(T, C)}`,
      );
      const m = { rows: T, cols: C, rowLabels: labels, shape: dims(T, C) };
      before.update({ ...m, data: d.input, title: arch.post ? 'x + attention(x)' : t('views.layernorm.inputTitle'), mathTitle: arch.post });
      after.update({ ...m, data: d.output, title: d.rms ? 'RMSNorm₁(x)' : 'LN₁(x)' });
      if (focus !== null && focus >= T) focus = null;
      before.highlight(focus ?? T - 1);
      after.highlight(focus ?? T - 1);
      showStats();
    },
    highlight(pos) {
      focus = pos;
      if (!d) return;
      before.highlight(pos ?? d.T - 1);
      after.highlight(pos ?? d.T - 1);
      showStats();
    },
  };
}
