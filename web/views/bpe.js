// "Train a BPE on your text": byte-level BPE learned in the browser, one merge at a time. The
// text starts as its UTF-8 bytes (256 tokens); each merge joins the most frequent adjacent pair
// into a new token. The list shows every merge with how often its pair occurred, and the text
// below is re-tokenized after each one, so the tokens visibly grow into syllables and words.
// This view draws what it is given; explore/bpe-panel.js runs the training in the worker.

import { el } from './dom.js';
import { fixed } from './format.js';
import { t } from '../i18n/i18n.js';

const SHOWN_TOKENS = 400; // tokens of the text drawn at most

/** Why training stopped: the vocabulary reached its size ('full'), or no pair is left ('nothing', BpeTrainer::step). */
function doneReason({ merges, vocabSize }) {
  if (256 + merges.length >= vocabSize) return 'full';
  return 'nothing';
}

/**
 * @param {HTMLElement} container
 * @param {{ onStart: (vocabSize: number) => void, onStep: () => void, onPlay: () => void }} actions
 *   onStart: the user asks for a training of the text to `vocabSize` tokens; onPlay: Play or Pause
 */
export function createBpeView(container, { onStart, onStep, onPlay }) {
  const size = el('input', { attrs: { type: 'number', min: '257', max: '4096', value: '320', 'aria-label': t('views.bpe.sizeLabel') } });
  const start = el('button', { text: t('views.bpe.start'), attrs: { type: 'button' } });
  const step = el('button', { text: t('views.bpe.step'), attrs: { type: 'button', disabled: '' } });
  const play = el('button', { text: t('views.bpe.play'), attrs: { type: 'button', disabled: '' } });
  const status = el('p', { className: 'hint', attrs: { 'aria-live': 'polite' } });
  const merges = el('ol', { className: 'bpe-merges', attrs: { 'aria-label': t('views.bpe.mergesLabel'), translate: 'no' } });
  const tokens = el('div', { className: 'chips chips-small bpe-tokens', attrs: { 'aria-label': t('views.bpe.tokensLabel'), translate: 'no' } });
  container.append(
    el('p', { className: 'view-intro', text: t('views.bpe.intro') }),
    el('div', { className: 'bpe-controls' }, el('label', {}, t('views.bpe.size'), size), start, step, play),
    status,
    el('div', { className: 'bpe-panes' }, el('div', {}, el('h3', { text: t('views.bpe.merges') }), merges), el('div', {}, el('h3', { text: t('views.bpe.tokenized') }),
      el('p', { className: 'hint', text: t('views.bpe.spelling') }),
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
      play.textContent = t(d.playing ? 'views.bpe.pause' : 'views.bpe.play');
      if (d.merges.length < listed) {
        merges.replaceChildren();
        listed = 0;
      }
      for (const m of d.merges.slice(listed)) {
        merges.append(el('li', {},
          el('code', { text: `${d.tokens[m.left]} + ${d.tokens[m.right]} → ${m.token}` }),
          el('span', { className: 'hint', attrs: { translate: 'yes' }, text: t('views.bpe.merge', { id: m.new_id, count: m.count }) })));
      }
      if (d.merges.length > listed) merges.lastElementChild.scrollIntoView({ block: 'nearest' });
      listed = d.merges.length;
      tokens.replaceChildren(...Array.from(d.ids.slice(0, SHOWN_TOKENS), (id) =>
        el('span', { className: id >= 256 ? 'chip bpe-merged' : 'chip' }, el('span', { className: 'chip-char', text: d.tokens[id] }), el('span', { className: 'chip-id', text: String(id) }))));
      const state = { merges: d.merges.length, vocab: 256 + d.merges.length, tokens: d.ids.length, bytes: d.bytes, perToken: fixed(d.bytes / Math.max(1, d.ids.length), 2) };
      status.textContent = t('views.bpe.status', state) +
        (d.done ? t('views.bpe.done', { why: doneReason(d), size: d.vocabSize, vocab: state.vocab }) : '');
    },
    /** A failure, in the status line. */
    message(text) {
      status.textContent = text;
    },
  };
}
