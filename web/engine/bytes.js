// Byte helpers shared by the downloads (engine/hub.js, widget/model-url.js).

/**
 * The chunks of a body, read in order, as one buffer.
 * @param {Uint8Array[]} chunks
 * @param {number} size their total length
 * @returns {Uint8Array}
 */
export function joinChunks(chunks, size) {
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}
