// Tokens view: the text as token chips (character, id, position). Pointing at or focusing a
// chip highlights that position in every other view. The chips are one stop for the Tab key;
// the arrow keys move between them. Characters outside the vocabulary and
// characters beyond the context are shown too, marked, so nothing typed silently disappears.
// Byte-level tokens that hold parts of one character (中 as E4 B8 + AD) sit in one box that
// shows the character they spell together; each chip keeps its own id, position and bytes.

import { el, formulaBlock, liveText } from './dom.js';
import { count, spelled, tokenLabel } from './format.js';
import { exportButtons, tokensSvg } from './export.js';
import { createVocabList } from './vocab-list.js';
import { t } from '../i18n/i18n.js';

const IDS_IN_FORMULA = 6; // ids written out in the formula before "…"

const CHAR_INTRO = (V) => t('views.tokens.introChar', { V });
const BPE_INTRO = (V) => t('views.tokens.introBpe', { V: count(V) });

/**
 * @param {HTMLElement} container
 * @param {{ onHighlight?: (pos: number|null) => void }} [options]
 * @returns {{ update: (data: object) => void, highlight: (pos: number|null) => void }}
 */
export function createTokensView(container, { onHighlight = () => {} } = {}) {
  const intro = liveText('p', 'view-intro');
  const formula = formulaBlock();
  const chips = el('div', { className: 'chips', attrs: { 'aria-label': t('views.tokens.label'), dir: 'ltr', translate: 'no' } });
  const note = liveText('p', 'note');
  let used = []; // the tokens the model reads, for the export
  const exportRow = el('div', { className: 'tokens-export' }, exportButtons(
    () => (used.length ? tokensSvg({ title: t('views.tokens.figureTitle', { T: used.length }), tokens: used }) : null),
    () => 'tokens',
  ));
  const vocabSummary = el('summary', { text: t('views.tokens.vocabulary') });
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
      const why = t(item.status === 'unknown' ? 'views.tokens.unknown' : 'views.tokens.dropped', { label });
      return el(
        'span',
        { className: `chip chip-${item.status}`, attrs: { title: why } },
        el('span', { className: 'chip-pos', text: item.status === 'unknown' ? '?' : '–' }),
        el('span', { className: 'chip-char', text: label }),
        el('span', { className: 'chip-id', text: item.status === 'unknown' ? t('views.tokens.unknownId') : String(item.id), attrs: item.status === 'unknown' ? { translate: 'yes' } : {} }),
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
          'aria-label': t('views.tokens.chipLabel', { position: item.position, label, id: item.id }),
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

  /** The chips of `items`, the tokens of a group that spells one character boxed under it. */
  function chipNodes(items) {
    const nodes = [];
    for (let i = 0; i < items.length; i++) {
      const { group } = items[i];
      if (!group) {
        nodes.push(chip(items[i]));
        continue;
      }
      let end = i;
      while (end + 1 < items.length && items[end + 1].group === group) end++;
      const text = spelled(group.text);
      nodes.push(el(
        'span',
        { className: group.complete ? 'chip-group' : 'chip-group chip-group-partial', attrs: { title: t('views.tokens.group', { text, n: group.len }) } },
        el('span', { className: 'chip-group-text', text }),
        el('span', { className: 'chip-group-chips' }, ...items.slice(i, end + 1).map(chip)),
      ));
      i = end;
    }
    return nodes;
  }

  function showVocab(vocab) {
    if (vocabShown === vocab) return;
    vocabShown = vocab;
    vocabSummary.textContent = t('views.tokens.vocabularyAll', { V: count(vocab.length) });
    vocabList.show(vocab);
  }

  return {
    /**
     * @param {{ items: {char: string, id: number|null, position: number|null, status: 'used'|'unknown'|'dropped',
     *   group?: { text: string, len: number, complete: boolean }|null}[],
     *   hiddenBefore: number, ids: number[], vocab: string[], blockSize: number, tokenizer?: string }} data
     *   tokenizer: 'gpt2' or 'hub' (subword tokens: byte-level BPE, or a Hugging Face model's) or 'char' (the default)
     */
    update({ items, hiddenBefore, ids, vocab, blockSize, tokenizer = 'char' }) {
      const T = ids.length;
      const V = vocab.length;
      showVocab(vocab);
      intro.set(tokenizer !== 'char' ? BPE_INTRO(V) : CHAR_INTRO(V));
      const shown = ids.slice(0, IDS_IN_FORMULA).join(', ') + (T > IDS_IN_FORMULA ? ', …' : '');
      formula.set(t('views.tokens.formulaIds', { ids: shown, T }), t('views.tokens.formulaT', { T, blockSize }));
      const nodes = chipNodes(items);
      if (hiddenBefore > 0) nodes.unshift(el('span', { className: 'chips-more', text: t('views.tokens.more', { n: hiddenBefore }), attrs: { translate: 'yes' } }));
      chips.replaceChildren(...nodes);
      byPosition = [...chips.querySelectorAll('button.chip[data-pos]')];
      used = items.filter((i) => i.status === 'used').map((i) => ({ position: i.position, label: tokenLabel(i.char), id: i.id }));
      const unknown = items.filter((i) => i.status === 'unknown').length;
      const dropped = items.filter((i) => i.status === 'dropped').length + hiddenBefore;
      note.set(t('views.tokens.note', { unit: tokenizer !== 'char' ? 'token' : 'character', dropped: dropped > 0 ? 'yes' : 'no', unknown: unknown > 0 ? 'yes' : 'no', blockSize }));
      highlighted = null;
    },
    highlight(pos) {
      if (highlighted !== null) byPosition[highlighted]?.classList.remove('is-highlighted');
      highlighted = pos;
      if (pos !== null) byPosition[pos]?.classList.add('is-highlighted');
    },
  };
}
