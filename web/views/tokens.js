// Tokens view: the text as token chips (character, id, position). Pointing at or focusing a
// chip highlights that position in every other view. The chips are one stop for the Tab key;
// the arrow keys move between them. Characters outside the vocabulary and
// characters beyond the context are shown too, marked, so nothing typed silently disappears.

import { el, formulaBlock, liveText } from './dom.js';
import { count, tokenLabel } from './format.js';
import { exportButtons, tokensSvg } from './export.js';
import { createVocabList } from './vocab-list.js';

const IDS_IN_FORMULA = 6; // ids written out in the formula before "…"

const CHAR_INTRO = (V) =>
  `The model reads numbers, not letters. Its tokenizer is the simplest there is: every character is one token, ` +
  `and a token's id is its place in a fixed list of V = ${V} characters (the vocabulary). ` +
  `Point at or focus a token to follow it through every step below.`;
const BPE_INTRO = (V) =>
  `The model reads numbers, not letters. Its tokenizer is BPE (GPT-2's is byte-level BPE): the text's UTF-8 bytes are merged, ` +
  `pair by pair, by a list of merges learned from a large corpus, so a common word is one token and a rare word or an emoji ` +
  `several. A token's id is its place in a vocabulary of V = ${count(V)} tokens; a space is shown as Ġ (▁ in Llama-style tokenizers). ` +
  `Point at or focus a token to follow it through every step below.`;

/**
 * @param {HTMLElement} container
 * @param {{ onHighlight?: (pos: number|null) => void }} [options]
 * @returns {{ update: (data: object) => void, highlight: (pos: number|null) => void }}
 */
export function createTokensView(container, { onHighlight = () => {} } = {}) {
  const intro = liveText('p', 'view-intro');
  const formula = formulaBlock();
  const chips = el('div', { className: 'chips', attrs: { 'aria-label': 'tokens' } });
  const note = liveText('p', 'note');
  let used = []; // the tokens the model reads, for the export
  const exportRow = el('div', { className: 'tokens-export' }, exportButtons(
    () => (used.length ? tokensSvg({ title: `tokens  T = ${used.length}`, tokens: used }) : null),
    () => 'tokens',
  ));
  const vocabSummary = el('summary', { text: 'The vocabulary' });
  const vocabDetails = el('details', { className: 'vocab' }, vocabSummary);
  const vocabList = createVocabList(vocabDetails);
  vocabDetails.append(vocabList.element);
  container.append(intro.element, formula.element, chips, exportRow, note.element, vocabDetails);

  let byPosition = []; // position → chip element
  chips.addEventListener('keydown', (e) => {
    const step = { ArrowLeft: -1, ArrowRight: 1, ArrowUp: -1, ArrowDown: 1 }[e.key];
    const at = byPosition.indexOf(chips.getRootNode().activeElement);
    if (!step || at < 0) return;
    e.preventDefault();
    const next = byPosition[Math.max(0, Math.min(byPosition.length - 1, at + step))];
    byPosition[at].tabIndex = -1;
    next.tabIndex = 0;
    next.focus();
  });
  let highlighted = null;
  let vocabShown = null;

  function chip(item) {
    const label = tokenLabel(item.char);
    if (item.status !== 'used') {
      const why = item.status === 'unknown' ? 'not in the vocabulary' : 'before the context window';
      return el(
        'span',
        { className: `chip chip-${item.status}`, attrs: { title: `'${label}': ${why}` } },
        el('span', { className: 'chip-pos', text: item.status === 'unknown' ? '?' : '–' }),
        el('span', { className: 'chip-char', text: label }),
        el('span', { className: 'chip-id', text: item.status === 'unknown' ? 'unknown' : String(item.id) }),
      );
    }
    const node = el(
      'button',
      {
        className: 'chip',
        attrs: {
          type: 'button',
          tabindex: item.position === 0 ? '0' : '-1',
          'data-pos': String(item.position),
          'aria-label': `position ${item.position}: '${label}', id ${item.id}`,
        },
        on: {
          pointerenter: () => onHighlight(item.position),
          pointerleave: () => { if (node.getRootNode().activeElement !== node) onHighlight(null); },
          focus: () => onHighlight(item.position),
          blur: () => onHighlight(null),
        },
      },
      el('span', { className: 'chip-pos', text: String(item.position) }),
      el('span', { className: 'chip-char', text: label }),
      el('span', { className: 'chip-id', text: String(item.id) }),
    );
    return node;
  }

  function showVocab(vocab) {
    if (vocabShown === vocab) return;
    vocabShown = vocab;
    vocabSummary.textContent = `The vocabulary: all V = ${count(vocab.length)} tokens this model knows, with their ids`;
    vocabList.show(vocab);
  }

  return {
    /**
     * @param {{ items: {char: string, id: number|null, position: number|null, status: 'used'|'unknown'|'dropped'}[],
     *   hiddenBefore: number, ids: number[], vocab: string[], blockSize: number, tokenizer?: string }} data
     *   tokenizer: 'gpt2' or 'hub' (subword tokens: byte-level BPE, or a Hugging Face model's) or 'char' (the default)
     */
    update({ items, hiddenBefore, ids, vocab, blockSize, tokenizer = 'char' }) {
      const T = ids.length;
      const V = vocab.length;
      showVocab(vocab);
      intro.set(tokenizer !== 'char' ? BPE_INTRO(V) : CHAR_INTRO(V));
      const shown = ids.slice(0, IDS_IN_FORMULA).join(', ') + (T > IDS_IN_FORMULA ? ', …' : '');
      formula.set(`text → ids = [${shown}]   : [T] = [${T}]`, `T = ${T} tokens (at most block_size = ${blockSize})`);
      const nodes = items.map(chip);
      if (hiddenBefore > 0) nodes.unshift(el('span', { className: 'chips-more', text: `… ${hiddenBefore} more characters before` }));
      chips.replaceChildren(...nodes);
      byPosition = nodes.filter((n) => n.dataset?.pos !== undefined);
      used = items.filter((i) => i.status === 'used').map((i) => ({ position: i.position, label: tokenLabel(i.char), id: i.id }));
      const unknown = items.filter((i) => i.status === 'unknown').length;
      const dropped = items.filter((i) => i.status === 'dropped').length + hiddenBefore;
      const parts = [`Each chip shows its position (top), the ${tokenizer !== 'char' ? 'token' : 'character'}, and its id (bottom).`];
      if (dropped > 0) parts.push(`Greyed tokens (–) lie before the model's context of ${blockSize} tokens and are not used.`);
      if (unknown > 0) parts.push(`Dashed characters (?) are not in the vocabulary and are left out.`);
      note.set(parts.join(' '));
      highlighted = null;
    },
    highlight(pos) {
      if (highlighted !== null) byPosition[highlighted]?.classList.remove('is-highlighted');
      highlighted = pos;
      if (pos !== null) byPosition[pos]?.classList.add('is-highlighted');
    },
  };
}
