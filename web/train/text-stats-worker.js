// Counts a long training text's characters off the page's thread (train/text-stats.js).
import { textStats } from './data.js';

self.onmessage = (event) => {
  const { text, version } = event.data;
  self.postMessage({ version, stats: textStats(text) });
};
