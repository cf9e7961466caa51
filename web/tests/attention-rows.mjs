// A check run in the page (pass it to page.evaluate): every attention map of the trace Explore
// shows has rows that sum to 1 and zeros above the diagonal (the causal mask).

/** @returns {{ out: string[], maps: number }} out: each row or masked entry that is wrong; maps: attention maps checked */
export function attentionRowProblems() {
  const { trace, input } = window.playgroundDebug;
  const T = input.ids.length;
  const out = [];
  for (const [key, { data }] of Object.entries(trace)) {
    if (!key.endsWith('.att')) continue;
    for (let i = 0; i < T; i++) {
      let s = 0;
      for (let j = 0; j < T; j++) {
        s += data[i * T + j];
        if (j > i && data[i * T + j] !== 0) out.push(`${key}[${i},${j}] = ${data[i * T + j]}`);
      }
      if (Math.abs(s - 1) > 1e-5) out.push(`${key} row ${i} sums to ${s}`);
    }
  }
  return { out, maps: Object.keys(trace).filter((k) => k.endsWith('.att')).length };
}
