// What the Set up form says about its settings: the messages beside each group of fields (data,
// size, training), the fields that are not valid, the line with the model's size and memory, and
// the engine line. Plain data in, plain data out; form.js puts it on the page.

import { check, estimate, formatBytes } from './presets.js';
import { chooseEngine, tabMemory } from './engine-choice.js';
import { minTextChars } from './data.js';

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
    if (length === null) groups.data.push({ level: 'wait', text: 'Counting the characters of the text…' });
    else if (length === 0) warn('data', 'Paste a text or load a .txt file to train on your own text.');
    else if (Number.isFinite(need) && length < need) {
      warn('data', `The text has ${length.toLocaleString('en')} characters; a context of ${settings.ctx} needs at least ${need.toLocaleString('en')} (ten windows of context + 1, a tenth kept for validation). Add text or lower the context.`);
    }
  }
  for (const w of warnings) groups.size.push({ level: 'info', text: w });
  let line = 'Fix the sizes above to see how big the model is.';
  if (Object.keys(errors).length === 0) {
    const e = estimate(settings, vocab);
    line = `${e.params.toLocaleString('en')} weights · about ${formatBytes(e.bytes)} to train · ` +
      `${e.tokensPerStep.toLocaleString('en')} tokens per step (batch ${settings.batch} × context ${settings.ctx}) · vocabulary of ${vocab}.`;
  }
  return {
    invalid: new Set(Object.keys(errors)),
    groups,
    estimate: line,
    engine: choice.problem ? '' : choice.line,
    ok: Object.values(groups).flat().every((m) => m.level !== 'warn' && m.level !== 'wait'),
  };
}
