// The peer of our in-browser training: the same GPT written with TensorFlow.js, the way its
// users write one (tf ops, tf.variableGrads, a tf.train optimizer), for the WebGPU backend and
// (with the token embedding as a one-hot product, below) the wasm backend.
//
// Same model as ours and nanoGPT's: learned positions, pre-norm blocks with LayerNorm (biases,
// eps 1e-5), causal multi-head attention, an MLP of width 4C with exact GELU, a final
// LayerNorm and a head tied to the token embedding; mean cross-entropy. Same step: gradients,
// clipping of the global norm to 1, AdamW (β = 0.9, 0.99, ε = 1e-8, decoupled weight decay
// 0.1 on the matrices, as torch.optim.AdamW). TF.js has Adam but no AdamW, so the decay is
// applied to the matrices after the Adam update, as gpt-tfjs does; the learning rate is kept
// constant (a schedule would cost nothing measurable).
//
// Tuning, honestly done: every step runs inside tf.tidy, nothing is read back during the
// timed steps (the loss of the last step is read once at the end, which also waits for the
// GPU), weights are created once, and the causal mask is a constant built once.

/**
 * @param {any} tf the global from tf.min.js, with the webgpu backend registered
 * @param {{ oneHotEmbedding?: boolean }} [options] oneHotEmbedding: look the tokens up as
 *   oneHot(x)·wte instead of tf.gather (for TF.js's wasm backend, which lacks the kernel of
 *   gather's gradient, UnsortedSegmentSum)
 */
export function createGpt(tf, cfg, seed = 1, { oneHotEmbedding = false } = {}) {
  const { vocab_size: V, block_size: T, n_layer: L, n_head: NH, n_embd: C } = cfg;
  const HS = C / NH;
  let next = seed;
  const normal = (name, shape) => tf.variable(tf.randomNormal(shape, 0, 0.02, 'float32', next++), true, name);
  const filled = (name, shape, value) => tf.variable(tf.fill(shape, value), true, name);
  const p = {
    wte: normal('wte', [V, C]),
    wpe: normal('wpe', [T, C]),
    layers: [],
    lnfG: filled('lnf.g', [C], 1),
    lnfB: filled('lnf.b', [C], 0),
  };
  for (let l = 0; l < L; l++) {
    p.layers.push({
      ln1G: filled(`h${l}.ln1.g`, [C], 1), ln1B: filled(`h${l}.ln1.b`, [C], 0),
      attnW: normal(`h${l}.attn.w`, [C, 3 * C]), attnB: filled(`h${l}.attn.b`, [3 * C], 0),
      projW: normal(`h${l}.proj.w`, [C, C]), projB: filled(`h${l}.proj.b`, [C], 0),
      ln2G: filled(`h${l}.ln2.g`, [C], 1), ln2B: filled(`h${l}.ln2.b`, [C], 0),
      fcW: normal(`h${l}.fc.w`, [C, 4 * C]), fcB: filled(`h${l}.fc.b`, [4 * C], 0),
      fcprojW: normal(`h${l}.fcproj.w`, [4 * C, C]), fcprojB: filled(`h${l}.fcproj.b`, [C], 0),
    });
  }
  const variables = [p.wte, p.wpe, p.lnfG, p.lnfB, ...p.layers.flatMap((l) => Object.values(l))];
  const matrices = variables.filter((v) => v.shape.length === 2);
  // 0 on and below the diagonal, a large negative number above it (added to the scores)
  const mask = tf.keep(tf.tidy(() => tf.mul(tf.sub(1, tf.linalg.bandPart(tf.ones([T, T]), -1, 0)), -1e9)));

  const layerNorm = (x, g, b) => {
    const { mean, variance } = tf.moments(x, -1, true);
    return tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, 1e-5))), g), b);
  };
  const gelu = (x) => tf.mul(tf.mul(x, 0.5), tf.add(tf.erf(tf.mul(x, Math.SQRT1_2)), 1));
  const linear = (x, w, b) => tf.add(tf.matMul(x, w), b); // x (rows, in), w (in, out)

  function attention(x, l, batch) {
    const qkv = tf.reshape(linear(x, l.attnW, l.attnB), [batch, T, 3, NH, HS]);
    const [q, k, v] = tf.unstack(tf.transpose(qkv, [2, 0, 3, 1, 4])); // each (B, NH, T, HS)
    const scores = tf.add(tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(HS)), mask);
    const y = tf.matMul(tf.softmax(scores), v); // (B, NH, T, HS)
    return tf.reshape(tf.transpose(y, [0, 2, 1, 3]), [batch * T, C]);
  }

  /** Mean cross-entropy of inputs x and targets y, both int32 (B, T). */
  function loss(x, y) {
    const batch = x.shape[0];
    const flat = tf.reshape(x, [-1]);
    const tokens = oneHotEmbedding ? tf.matMul(tf.oneHot(flat, V, 1, 0, 'float32'), p.wte) : tf.gather(p.wte, flat);
    let h = tf.add(tokens, tf.tile(p.wpe, [batch, 1])); // (B·T, C)
    for (const l of p.layers) {
      h = tf.add(h, linear(attention(layerNorm(h, l.ln1G, l.ln1B), l, batch), l.projW, l.projB));
      h = tf.add(h, linear(gelu(linear(layerNorm(h, l.ln2G, l.ln2B), l.fcW, l.fcB)), l.fcprojW, l.fcprojB));
    }
    const logits = tf.matMul(layerNorm(h, p.lnfG, p.lnfB), p.wte, false, true); // (B·T, V)
    return tf.losses.softmaxCrossEntropy(tf.oneHot(tf.reshape(y, [-1]), V), logits);
  }

  const lr = 1e-3;
  const weightDecay = 0.1;
  const optimizer = tf.train.adam(lr, 0.9, 0.99, 1e-8);

  /** One training step; returns the loss tensor (kept, so the caller can read or dispose it). */
  function step(x, y) {
    return tf.tidy(() => {
      const { value, grads } = tf.variableGrads(() => loss(x, y), variables);
      const names = Object.keys(grads);
      const norm = tf.sqrt(tf.addN(names.map((n) => tf.sum(tf.square(grads[n])))));
      const scale = tf.minimum(1, tf.div(1, tf.add(norm, 1e-6))); // clip the global norm to 1
      const clipped = {};
      for (const n of names) clipped[n] = tf.mul(grads[n], scale);
      optimizer.applyGradients(clipped);
      for (const w of matrices) w.assign(tf.mul(w, 1 - lr * weightDecay));
      return tf.keep(value);
    });
  }

  return { step, variables, parameterCount: variables.reduce((s, v) => s + v.size, 0) };
}
