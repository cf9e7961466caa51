// What the Set up form says about its settings: the messages beside each group of fields (data,
// size, training), the fields that are not valid, the line with the model's size and memory, and
// the engine line. Plain data in, plain data out; form.js puts it on the page.

import { check, estimate, formatBytes } from './presets.js';
import { chooseEngine, tabMemory } from './engine-choice.js';
import { minTextChars } from './data.js';
import { t } from '../i18n/i18n.js';

const GROUP = { layers: 'size', heads: 'size', embd: 'size', ctx: 'size', batch: 'train', lr: 'train', steps: 'train', seed: 'train' };

/**
 * @param {{ settings: object, vocab: number, textLength: number|null, open: boolean, adapter: object|null|undefined, deviceGb?: number }} o
 *   vocab: tokens in the data's vocabulary; textLength: characters in the user's text (null while they are counted); open: no run fixes the settings yet;
 *   adapter: the worker's WebGPU adapter (engine-choice.js); deviceGb: navigator.deviceMemory
 * @returns {{ invalid: Set<string>, groups: Record<'data'|'size'|'train', { level: string, text: string }[]>,
 *   estimate: string, engine: string, ok: boolean }} invalid: the fields to mark; engine: the engine line ('' when
 *   the choice cannot run here: its message is among the groups'); ok: whether Start may go
 */
export function formChecks({ settings, vocab, textLength, open, adapter, deviceGb }) {
  const choice = chooseEngine(settings.engine, adapter);
  const target = { runsOn: choice.runsOn, limits: adapter?.limits, memory: tabMemory(choice.runsOn, deviceGb) };
  const { errors, refused, warnings } = check(settings, vocab, target);
  const groups = { data: [], size: [], train: [] };
  const warn = (group, message) => groups[group].push({ level: 'warn', text: message });
  for (const [f, message] of Object.entries(errors)) warn(GROUP[f], message);
  for (const message of refused) warn('size', message);
  if (choice.problem && open) warn('train', choice.problem); // said once, here, where it holds Start
  if (settings.data === 'text' && open) {
    const length = textLength;
    const need = minTextChars(settings.ctx);
    if (length === null) groups.data.push({ level: 'wait', text: t('train.text.counting') });
    else if (length === 0) warn('data', t('train.text.empty'));
    else if (Number.isFinite(need) && length < need) {
      warn('data', t('train.text.tooShort', { length, ctx: settings.ctx, need }));
    }
  }
  for (const w of warnings) groups.size.push({ level: 'info', text: w });
  let line = t('train.estimate.fix');
  if (Object.keys(errors).length === 0) {
    const e = estimate(settings, vocab);
    line = t('train.estimate.line', { params: e.params, size: formatBytes(e.bytes), tokens: e.tokensPerStep, batch: settings.batch, ctx: settings.ctx, vocab });
  }

  return {
    invalid: new Set(Object.keys(errors)),
    groups,
    estimate: line,
    engine: choice.problem ? '' : choice.line,
    ok: Object.values(groups).flat().every((m) => m.level !== 'warn' && m.level !== 'wait'),
  };
}
