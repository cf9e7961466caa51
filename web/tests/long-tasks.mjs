// Main-thread tasks over 50 ms (the Long Tasks API), recorded in the page as window.longTasks
// from its start: what the browser tests bound while a page is typed into.

/** Records every task over 50 ms (its duration in whole ms) in window.longTasks, from the page's start. */
export async function observeLongTasks(page) {
  await page.addInitScript(() => {
    window.longTasks = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.longTasks.push(Math.round(e.duration));
    }).observe({ type: 'longtask', buffered: true });
  });
}

/** The longest task over 50 ms (0 if none) while `fn` runs and `settleMs` after it, and all of them. */
export async function longTasksDuring(page, fn, settleMs = 1500) {
  await page.evaluate(() => { window.longTasks = []; });
  await fn();
  await page.waitForTimeout(settleMs);
  const tasks = await page.evaluate(() => window.longTasks);
  return { longest: Math.max(0, ...tasks), tasks };
}
