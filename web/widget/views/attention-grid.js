// Widget "attention-grid": every layer × head map to pick from, the picked one large with the
// lines beside it (the page's "all heads" view). The attributes choose the first pick. The
// trainer widget draws its maps with the same createAttentionMaps.

import { createAttentionView } from '../../views/attention.js';
import { traceView } from '../trace.js';

/**
 * The attention maps of a text in every layer and head, one of them drawn large: the one asked
 * for, or the reader's last pick (kept across redraws).
 * @param {HTMLElement} container
 */
export function createAttentionMaps(container) {
  let shown = null; // the data on screen, redrawn when the reader picks another map
  const view = createAttentionView(container, {
    onSelect: (layer, head) => {
      if (!shown) return;
      shown = { ...shown, layer, head };
      view.update(shown);
    },
    onHighlight: (pos) => view.highlight(pos),
  });
  return {
    /** The map drawn large: { layer, head }, or null before the first draw. */
    get pick() {
      return shown && { layer: shown.layer, head: shown.head };
    },
    /**
     * Traces `text` through `model` and draws its maps.
     * @param {{ layer: number, head: number }} [pick] the map drawn large (the reader's last pick by default)
     * @param {() => boolean} [isStale] true once a newer request waits: nothing is drawn
     * @returns {Promise<object|null>} the input (trace.js), or null when stale
     */
    async show(model, text, pick = this.pick ?? { layer: 0, head: 0 }, isStale = () => false) {
      const { input, data } = await traceView(model, text, 'attention', pick);
      if (isStale()) return null;
      shown = data;
      view.update(shown);
      return input;
    },
  };
}

/**
 * @param {HTMLElement} container
 * @returns {{ update: (props: object, model: object, isStale: () => boolean) => Promise<object[]|null> }}
 */
export function createAttentionGridWidget(container) {
  const maps = createAttentionMaps(container);
  return {
    async update(props, model, isStale) {
      const input = await maps.show(model, props.text, props, isStale);
      return input && input.messages;
    },
  };
}
