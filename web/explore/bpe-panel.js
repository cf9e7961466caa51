// The BPE panel under Tokens ("Train a byte-level BPE tokenizer on your text"), built when first opened.

/** @param {{ worker: { call: Function }, text: () => string }} o text: what the text box holds */
export function wireBpePanel({ worker, text }) {
  const details = document.getElementById('bpe');
  let panel = null; // promise of the panel, once opened
  details.addEventListener('toggle', () => {
    if (!details.open || panel) return;
    panel = import('../views/bpe.js').then(({ createBpeView }) => createBpeView(document.getElementById('view-bpe'), { worker, getText: text }));
  });
}
