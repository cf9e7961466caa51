// "Train a BPE on your text": byte-level BPE learned in the browser, one merge at a time. The
// text starts as its UTF-8 bytes (256 tokens); each merge joins the most frequent adjacent pair
// into a new token. The list shows every merge with how often its pair occurred, and the text
// below is re-tokenized after each one, so the tokens visibly grow into syllables and words.
// Tokens are spelled as GPT-2's files spell bytes (a space is Ġ, a newline Ċ).

import { el } from './dom.js';

const STEP_MS = 120; // between merges while playing
const SHOWN_TOKENS = 400; // tokens of the text drawn at most

/**
 * @param {HTMLElement} container
 * @param {{ worker: { call: Function }, getText: () => string }} deps
 * @returns {{ debug: object }}
 */
export function createBpeView(container, { worker, getText }) {
  const size = el('input', { attrs: { type: 'number', min: '257', max: '4096', value: '320', 'aria-label': 'vocabulary size' } });
  const start = el('button', { text: 'Start on the text above', attrs: { type: 'button' } });
  const step = el('button', { text: 'One merge', attrs: { type: 'button', disabled: '' } });
  const play = el('button', { text: 'Play', attrs: { type: 'button', disabled: '' } });
  const status = el('p', { className: 'hint', attrs: { 'aria-live': 'polite' } });
  const merges = el('ol', { className: 'bpe-merges', attrs: { 'aria-label': 'merges, in order' } });
  const tokens = el('div', { className: 'chips chips-small bpe-tokens', attrs: { 'aria-label': 'the text as tokens' } });
  container.append(
    el('p', { className: 'view-intro', text: 'GPT-2 does not read characters: it reads byte-level BPE tokens. Train such a tokenizer on your text: ' +
      'it starts from the 256 bytes, then merges the most frequent neighbouring pair into a new token, again and again.' }),
    el('div', { className: 'bpe-controls' }, el('label', {}, 'Vocabulary size ', size), start, step, play),
    status,
    el('div', { className: 'bpe-panes' }, el('div', {}, el('h3', { text: 'Merges' }), merges), el('div', {}, el('h3', { text: 'Your text, tokenized' }), tokens)),
  );

  let handle = null;
  let playing = false;
  let done = false;
  const state = { merges: [], ids: [], tokens: [] }; // tokens: id → spelling

  function byteToken(b) {
    // GPT-2's bytes_to_unicode: printable Latin-1 stays, the rest map to U+0100 upwards
    const printable = (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255);
    if (printable) return String.fromCharCode(b);
    let n = 0;
    for (let x = 0; x < b; x++) if (!((x >= 33 && x <= 126) || (x >= 161 && x <= 172) || (x >= 174 && x <= 255))) n++;
    return String.fromCharCode(256 + n);
  }

  function render() {
    tokens.replaceChildren(...Array.from(state.ids.slice(0, SHOWN_TOKENS), (id) =>
      el('span', { className: id >= 256 ? 'chip bpe-merged' : 'chip' }, el('span', { className: 'chip-char', text: state.tokens[id] }), el('span', { className: 'chip-id', text: String(id) }))));
    const bytes = new TextEncoder().encode(getText()).length;
    status.textContent = `${state.merges.length} merges, vocabulary ${256 + state.merges.length}: the text is ${state.ids.length} tokens ` +
      `(${bytes} bytes, ${(bytes / Math.max(1, state.ids.length)).toFixed(2)} bytes per token).${done ? ' Done: the vocabulary is full or nothing is left to merge.' : ''}`;
  }

  async function begin() {
    playing = false;
    done = false;
    if (handle !== null) await worker.call('bpeDispose', handle);
    const res = await worker.call('bpeStart', getText(), Number(size.value));
    handle = res.handle;
    state.merges = [];
    state.ids = res.ids;
    state.tokens = Array.from({ length: 256 }, (_, b) => byteToken(b));
    merges.replaceChildren();
    step.disabled = false;
    play.disabled = false;
    render();
  }

  async function mergeOnce() {
    const res = await worker.call('bpeStep', handle, 1);
    if (res.merges.length === 0) {
      done = true;
      step.disabled = true;
      play.disabled = true;
      playing = false;
      play.textContent = 'Play';
    }
    for (const m of res.merges) {
      state.merges.push(m);
      state.tokens[m.new_id] = m.token;
      merges.append(el('li', {},
        el('code', { text: `${state.tokens[m.left]} + ${state.tokens[m.right]} → ${m.token}` }),
        el('span', { className: 'hint', text: ` id ${m.new_id}, seen ${m.count}×` })));
    }
    merges.lastElementChild?.scrollIntoView({ block: 'nearest' });
    state.ids = res.ids;
    render();
  }

  async function loop() {
    while (playing && !done) {
      await mergeOnce();
      await new Promise((r) => setTimeout(r, STEP_MS));
    }
  }

  const report = (err) => { status.textContent = `BPE training failed: ${err?.message ?? err}`; };
  start.addEventListener('click', () => begin().catch(report));
  step.addEventListener('click', () => mergeOnce().catch(report));
  play.addEventListener('click', () => {
    playing = !playing;
    play.textContent = playing ? 'Pause' : 'Play';
    if (playing) loop().catch(report);
  });

  return { debug: state };
}
