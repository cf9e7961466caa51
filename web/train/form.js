// The Set-up form: data (a task or the user's text), model size (presets or custom sizes) and
// training settings. It keeps the settings, checks them as they are typed (form-checks.js), shows
// the size and memory estimate and the engine a run would get, and locks what a run has fixed.

import { el } from '../views/dom.js';
import { tokenLabel } from '../views/format.js';
import { createNotices } from '../notices.js';
import { ARCH_DEFAULTS, FAMILIES, familyOf, familyTakes, normalize, presetOf } from './presets.js';
import { formChecks } from './form-checks.js';
import { lessonExample, minTextChars, textStats } from './data.js';
import { MAX_TEXT_BYTES, formatSize } from './files.js';
import { createTextBox } from './text-box.js';
import { t, tNodes } from '../i18n/i18n.js';

const NUMBER_FIELDS = ['layers', 'heads', 'embd', 'ctx', 'batch', 'lr', 'steps', 'seed'];
const ARCH_FIELDS = ['norm', 'normpos', 'positions', 'ffn', 'head']; // selects: the architecture
/** The engine's tasks (and 'text') the catalog names: train.task.<name>.label, and .lesson after the lesson's example. */
const TASKS_NAMED = ['copy', 'reverse', 'sort', 'addition', 'brackets', 'grammar', 'balanced', 'reversal', 'text'];
const taskLabel = (name) => (TASKS_NAMED.includes(name) ? t(`train.task.${name}.label`) : name);

/** An option's text without its closing "(GPT-2)": "LayerNorm (GPT-2)" → "LayerNorm" (also with full-width brackets). */
export const withoutOrigin = (text) => text.replace(/ ?[(（][^()（）]*[)）]$/, '');

/**
 * @param {{ tasks: { name: string, lesson: string, alphabet: string }[], adapter: object|null, onChange: () => void }} options
 *   adapter: the worker's WebGPU adapter (engine/worker.js `adapterInfo`), null where there is none;
 *   onChange: the settings or the text changed (valid or not)
 */
export function createSetupForm({ tasks, adapter, onChange }) {
  const $ = (id) => document.getElementById(id);
  const form = $('tr-setup');
  const ui = {
    family: $('tr-family'),
    familyExplain: $('tr-family-explain'),
    data: $('tr-data'),
    lesson: $('tr-lesson'),
    alphabet: $('tr-alphabet'),
    textBox: $('tr-text-box'),
    textInfo: $('tr-text-info'),
    estimate: $('tr-estimate'),
    engine: $('tr-engine'),
    engineLine: $('tr-engine-line'),
    locked: $('tr-locked'),
    presets: [...form.querySelectorAll('input[name="tr-preset"]')],
    fields: Object.fromEntries(NUMBER_FIELDS.map((f) => [f, $(`tr-${f}`)])),
    arch: Object.fromEntries(ARCH_FIELDS.map((f) => [f, $(`tr-${f}`)])),
    archSummary: $('tr-arch-summary'),
  };
  const notices = { // messages next to what they are about
    data: createNotices($('tr-data-notices')),
    size: createNotices($('tr-size-notices')),
    train: createNotices($('tr-train-notices')),
  };
  let settings = null;
  const textBox = createTextBox({
    box: $('tr-text'),
    file: $('tr-text-file'),
    clear: $('tr-text-clear'),
    notices: notices.data,
    onChange: () => {
      describeData();
      changed();
    },
  });
  let lockLevel = 'none';
  let loadedVocab = null; // vocabulary size of a loaded model (its sizes are fixed)

  ui.family.replaceChildren(...FAMILIES.map((f) => new Option(f.label, f.name)));


  /** The data a family trains on: its tasks, and the user's text for the language models. */
  function dataChoices(family) {
    const names = tasks.filter((task) => familyTakes(family, task)).map((task) => task.name);
    return familyOf(family).tasks === 'lm' ? [...names, 'text'] : names;
  }

  /** The Data choices for the settings' family, and data that family takes. */
  function fitData() {
    const choices = dataChoices(settings.family);
    if (ui.data.options.length !== choices.length || [...ui.data.options].some((o, i) => o.value !== choices[i])) {
      ui.data.replaceChildren(...choices.map((name) => new Option(taskLabel(name), name)));
    }
    if (!choices.includes(settings.data)) settings.data = choices.includes('grammar') ? 'grammar' : choices[0];
  }
  form.addEventListener('submit', (e) => e.preventDefault()); // Enter in a field must not submit (the CSP forbids it anyway)

  function vocabSize() {
    if (loadedVocab) return loadedVocab;
    const mask = familyOf(settings.family).mask ? 1 : 0; // [MASK] joins an encoder's vocabulary
    if (settings.data === 'text') return Math.max(1, textBox.stats()?.vocab ?? 0) + mask;
    const task = tasks.find((x) => x.name === settings.data);
    return (task ? textStats(task.alphabet).vocab : 1) + mask;
  }

  /** The form's values into `settings` (numbers that do not parse become NaN). */
  function read() {
    for (const f of NUMBER_FIELDS) {
      const raw = ui.fields[f].value.trim();
      settings[f] = raw === '' ? NaN : Number(raw);
    }
    settings.family = ui.family.value;
    settings.data = ui.data.value;
    settings.engine = ui.engine.value;
    for (const f of ARCH_FIELDS) settings[f] = ui.arch[f].value;
    settings.preset = presetOf(settings);
  }

  /** "GPT-2’s", or the choices that differ from it, as the closed Architecture line shows them. */
  function describeArch() {
    const changed = ARCH_FIELDS.filter((f) => settings[f] !== ARCH_DEFAULTS[f])
      .map((f) => withoutOrigin(ui.arch[f].selectedOptions[0]?.textContent ?? ''));
    ui.archSummary.textContent = changed.length ? changed.join(' · ') : t('train.arch.gpt2');
  }

  /** `settings` into the form. */
  function fill() {
    for (const f of NUMBER_FIELDS) {
      const v = settings[f];
      if (Number(ui.fields[f].value) !== v || ui.fields[f].value === '') ui.fields[f].value = Number.isFinite(v) ? String(v) : '';
    }
    settings.family = familyOf(settings.family).name;
    ui.family.value = settings.family;
    fitData();
    ui.data.value = settings.data;
    ui.engine.value = settings.engine;
    for (const f of ARCH_FIELDS) ui.arch[f].value = settings[f] ?? ARCH_DEFAULTS[f];
    for (const r of ui.presets) r.checked = r.value === settings.preset;
    describeData();
    describeArch();
  }

  function describeData() {
    ui.familyExplain.textContent = familyOf(settings.family).explain;
    const isText = settings.data === 'text';
    ui.textBox.hidden = !isText;
    ui.lesson.hidden = isText;
    ui.alphabet.hidden = isText;
    if (isText) {
      const counted = textBox.stats();
      if (!counted) {
        ui.textInfo.textContent = t('train.text.counting');
        return;
      }
      const { length, vocab } = counted;
      const need = minTextChars(Number.isFinite(settings.ctx) ? settings.ctx : 0);
      const ctx = String(settings.ctx);
      ui.textInfo.textContent = length === 0
        ? t('train.text.none', { need, ctx, max: formatSize(MAX_TEXT_BYTES) })
        : t('train.text.info', { length, vocab, ctx, need, short: length < need ? 'yes' : 'no', held: textBox.held() ? 'yes' : 'no' });
      return;
    }
    const task = tasks.find((x) => x.name === settings.data);
    if (!task) return;
    // the lesson's example is data (the task's own text); the sentence after it is the catalog's
    ui.lesson.replaceChildren(
      ...(TASKS_NAMED.includes(task.name)
        ? [el('span', { text: lessonExample(task.lesson), attrs: { translate: 'no', dir: 'ltr' } }), ' — ', ...tNodes(`train.task.${task.name}.lesson`)]
        : [task.lesson]),
    );
    const chars = [...new Set(task.alphabet)];
    ui.alphabet.replaceChildren(
      el('span', { className: 'hint', text: t('train.setup.alphabet', { n: chars.length }) }),
      ...chars.map((ch) => el('code', { className: 'tok', text: tokenLabel(ch) })),
    );
  }

  /** Checks, the estimate line, the engine line and the messages; returns whether Start may go. */
  function validate() {
    const c = formChecks({ settings, vocab: vocabSize(), textLength: textBox.stats()?.length ?? null, open: lockLevel === 'none', adapter, deviceGb: navigator.deviceMemory });
    for (const f of NUMBER_FIELDS) {
      if (c.invalid.has(f)) ui.fields[f].setAttribute('aria-invalid', 'true');
      else ui.fields[f].removeAttribute('aria-invalid');
    }
    for (const [group, messages] of Object.entries(c.groups)) notices[group].set('checks', messages);
    ui.estimate.textContent = c.estimate;
    ui.engineLine.textContent = c.engine;
    ui.engineLine.hidden = !c.engine;
    return c.ok;
  }

  function changed() {
    validate();
    onChange();
  }

  for (const f of NUMBER_FIELDS) {
    ui.fields[f].addEventListener('input', () => {
      read();
      for (const r of ui.presets) r.checked = r.value === settings.preset;
      if (f === 'ctx') describeData();
      changed();
    });
  }
  for (const r of ui.presets) {
    r.addEventListener('change', () => {
      if (!r.checked) return;
      if (r.value !== 'custom') Object.assign(settings, normalize({ ...settings, preset: r.value }));
      else settings.preset = 'custom';
      fill();
      if (r.value === 'custom') for (const x of ui.presets) x.checked = x.value === 'custom';
      changed();
    });
  }
  ui.family.addEventListener('change', () => {
    const preset = presetOf(settings); // under the family chosen until now
    read();
    // a preset takes the new family's values (FAMILIES' presetChanges); custom sizes take what its data asks for
    if (preset !== 'custom') Object.assign(settings, normalize({ ...settings, preset }));
    else Object.assign(settings, familyOf(settings.family).presetChanges);
    settings.preset = presetOf(settings);
    fill();
    changed();
  });
  ui.data.addEventListener('change', () => {
    read();
    describeData();
    changed();
  });
  ui.engine.addEventListener('change', () => {
    read();
    changed();
  });
  for (const f of ARCH_FIELDS) {
    ui.arch[f].addEventListener('change', () => {
      read();
      describeArch();
      changed();
    });
  }
  return {
    /** The settings as the form shows them (numbers may be NaN). */
    settings: () => ({ ...settings }),
    /** Replaces every setting (and redraws the form). */
    set(s) {
      settings = { ...s };
      if (settings.preset !== 'custom' && presetOf(settings) !== settings.preset) settings.preset = 'custom';
      fill();
      validate();
    },
    /** The data choice as the engine takes it: { task } or { text }. */
    data: () => (settings.data === 'text' ? { text: textBox.text() } : { task: settings.data }),
    text: textBox.text,
    /** Replaces the text (a restored run's); the checks follow. */
    setText: (text) => textBox.set(text),
    /** Whether the settings are complete and valid (messages say what is not). */
    valid: () => validate(),
    /**
     * What a run fixes: 'none' (no run), 'run' (paused: learning rate and steps may change),
     * 'loaded' (a loaded model: its sizes are fixed), 'all' (training: nothing changes).
     * @param {'none'|'run'|'loaded'|'all'} level
     * @param {number|null} [vocab] vocabulary size of a loaded model
     */
    lock(level, vocab = null) {
      loadedVocab = level === 'loaded' || level === 'run' || level === 'all' ? vocab : null;
      if (level === lockLevel) return;
      lockLevel = level;
      const open = {
        none: () => true,
        run: (f) => f === 'lr' || f === 'steps',
        loaded: (f) => !['layers', 'heads', 'embd', 'ctx', 'preset', 'engine', 'family', ...ARCH_FIELDS].includes(f),
        all: () => false,
      }[level];
      for (const f of NUMBER_FIELDS) ui.fields[f].disabled = !open(f);
      for (const f of ARCH_FIELDS) ui.arch[f].disabled = !open(f);
      for (const r of ui.presets) r.disabled = !open('preset');
      ui.family.disabled = !open('family');
      ui.data.disabled = !open('data');
      textBox.lock(!open('data'));
      ui.engine.disabled = !open('engine');
      const why = { none: '', run: t('train.lock.run'), loaded: t('train.lock.loaded'), all: t('train.lock.all') }[level];

      ui.locked.hidden = !why;
      ui.locked.textContent = why;
      validate();
    },
  };
}
