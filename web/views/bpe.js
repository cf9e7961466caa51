// "Train a BPE on your text": byte-level BPE learned in the browser, one merge at a time. The
// text starts as its UTF-8 bytes (256 tokens); each merge joins the most frequent adjacent pair
// into a new token. The list shows every merge with how often its pair occurred, and the text
// below is re-tokenized after each one, so the tokens visibly grow into syllables and words.
// This view draws what it is given; explore/bpe-panel.js runs the training in the worker.

import { el } from './dom.js';

const SHOWN_TOKENS = 400; // tokens of the text drawn at most

/** Why training stopped: the vocabulary reached its size, or no pair is left (BpeTrainer::step). */
function doneReason({ merges, vocabSize }) {
  if (256 + merges.length >= vocabSize) return `the vocabulary is full (${vocabSize} tokens).`;
  return `nothing is left to merge, with the vocabulary at ${256 + merges.length} of ${vocabSize}: every piece of the text is one ` +
    'token (GPT-2 first cuts the text into words, numbers and punctuation, each with the space before it, and never merges across them).';
}

/**
 * @param {HTMLElement} container
 * @param {{ onStart: (vocabSize: number) => void, onStep: () => void, onPlay: () => void }} actions
 *   onStart: the user asks for a training of the text to `vocabSize` tokens; onPlay: Play or Pause
 */
export function createBpeView(container, { onStart, onStep, onPlay }) {
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
    el('div', { className: 'bpe-panes' }, el('div', {}, el('h3', { text: 'Merges' }), merges), el('div', {}, el('h3', { text: 'Your text, tokenized' }),
      el('p', { className: 'hint', text: 'Tokens are spelled as GPT-2 spells them: every byte as a visible character, so Ġ is a space ' +
        '(a token that starts with Ġ starts a word) and Ċ a newline.' }),
      tokens)),
  );
  start.addEventListener('click', () => onStart(Number(size.value)));
  step.addEventListener('click', onStep);
  play.addEventListener('click', onPlay);
  let listed = 0; // merges in the list on screen

  return {
    /**
     * @param {{ merges: { left: number, right: number, token: string, new_id: number, count: number }[], ids: number[],
     *   tokens: string[], bytes: number, vocabSize: number, done: boolean, playing: boolean }} d tokens: id → spelling
     *   (GPT-2's: a space is Ġ); bytes: the text's UTF-8 length; vocabSize: the size asked for; done: nothing is left
     *   to merge or the vocabulary is full
     */
    update(d) {
      step.disabled = d.done;
      play.disabled = d.done;
      play.textContent = d.playing ? 'Pause' : 'Play';
      if (d.merges.length < listed) {
        merges.replaceChildren();
        listed = 0;
      }
      for (const m of d.merges.slice(listed)) {
        merges.append(el('li', {},
          el('code', { text: `${d.tokens[m.left]} + ${d.tokens[m.right]} → ${m.token}` }),
          el('span', { className: 'hint', text: ` id ${m.new_id}, seen ${m.count}×` })));
      }
      if (d.merges.length > listed) merges.lastElementChild.scrollIntoView({ block: 'nearest' });
      listed = d.merges.length;
      tokens.replaceChildren(...Array.from(d.ids.slice(0, SHOWN_TOKENS), (id) =>
        el('span', { className: id >= 256 ? 'chip bpe-merged' : 'chip' }, el('span', { className: 'chip-char', text: d.tokens[id] }), el('span', { className: 'chip-id', text: String(id) }))));
      status.textContent = `${d.merges.length} merges, vocabulary ${256 + d.merges.length}: the text is ${d.ids.length} tokens ` +
        `(${d.bytes} bytes, ${(d.bytes / Math.max(1, d.ids.length)).toFixed(2)} bytes per token).${d.done ? ` Done: ${doneReason(d)}` : ''}`;
    },
    /** A failure, in the status line. */
    message(text) {
      status.textContent = text;
    },
  };
}
