// How a hub download reads while it runs: the file, its bytes so far of its size, the speed
// over the last few seconds and the time left for the file ("model.safetensors: 52.1 of
// 270.0 MB · 8.4 MB/s · 26 s left"), for the form's <progress> and the line under it.

import { t, formatNumber } from '../i18n/i18n.js';

const WINDOW_MS = 3000; // the speed of the last seconds: the rate now, not the average since the start
const MIN_SPAN_MS = 500; // no speed (nor time left) until the samples span this long

/**
 * A meter for one download, fed engine/hub.js's progress reports in order.
 * @param {() => number} [now] ms
 * @returns {(p: import('../engine/hub.js').HubProgress) => { value: number, max: number|null, text: string }}
 *   max: the file's size, null where the server did not say (the bar is then indeterminate)
 */
export function createProgressMeter(now = () => performance.now()) {
  const received = new Map(); // file → bytes from the network so far
  let samples = []; // [ms, bytes from the network in all], the last WINDOW_MS of them
  return (p) => {
    if (p.cached) return { value: p.loaded, max: p.total, text: t('page.hub.cached', { file: p.file }) };
    received.set(p.file, p.loaded);
    const at = now();
    samples.push([at, [...received.values()].reduce((a, b) => a + b, 0)]);
    samples = samples.filter(([ms], i) => i === samples.length - 1 || at - ms <= WINDOW_MS);
    const [[t0, b0], [t1, b1]] = [samples[0], samples[samples.length - 1]];
    const speed = t1 - t0 >= MIN_SPAN_MS ? ((b1 - b0) * 1000) / (t1 - t0) : null; // bytes/s
    return { value: p.loaded, max: p.total, text: progressText(p, speed) };
  };
}

const mb = (n) => formatNumber(n / 1e6, { minimumFractionDigits: 1, maximumFractionDigits: 1 });

/** "file: 52.1 of 270.0 MB · 8.4 MB/s · 26 s left"; the speed and time left once known. */
function progressText({ file, loaded, total }, speed) {
  const parts = [total ? t('page.hub.progress', { file, loaded: mb(loaded), total: mb(total) }) : t('page.hub.progressOpen', { file, loaded: mb(loaded) })];
  if (speed !== null) parts.push(t('page.hub.speed', { speed: speed < 1e6 ? formatNumber(speed / 1e6, { maximumSignificantDigits: 2 }) : mb(speed) }));
  if (speed > 0 && total) {
    const seconds = Math.ceil((total - loaded) / speed);
    parts.push(seconds < 120 ? t('page.hub.secondsLeft', { n: seconds }) : t('page.hub.minutesLeft', { n: Math.ceil(seconds / 60) }));
  }
  return parts.join(' · ');
}
