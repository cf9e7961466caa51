// Main-thread tasks over 50 ms (the Long Tasks API), recorded in the page as window.longTasks
// from its start: what the browser tests bound while a page is typed into.

/**
 * Records every task over 50 ms (its duration in whole ms) in window.longTasks, from the page's
 * start, and its start and duration (ms, unrounded) in window.longTaskEntries.
 */
export async function observeLongTasks(page) {
  await page.addInitScript(() => {
    window.longTasks = [];
    window.longTaskEntries = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        window.longTasks.push(Math.round(e.duration));
        window.longTaskEntries.push({ start: e.startTime, duration: e.duration });
      }
    }).observe({ type: 'longtask', buffered: true });
  });
}

/**
 * The tasks over 50 ms that the observer saw while `fn` ran, each with the main thread's CPU
 * time in it from a Chromium trace of the same span (whole ms; null if the trace lacks it).
 * On a machine shared with other work a task can last past 50 ms while its thread waits for a
 * core (the build machine's 2 cores at load 7–10: commits of 20–48 ms with 3–7 ms of CPU); its
 * CPU time is the work the page itself asked for. Chromium only (CDP).
 */
export async function longTasksWithCpu(page, fn) {
  const cdp = await page.context().newCDPSession(page);
  const events = [];
  cdp.on('Tracing.dataCollected', (e) => events.push(...e.value));
  const complete = new Promise((resolve) => cdp.once('Tracing.tracingComplete', resolve));
  await cdp.send('Tracing.start', { categories: 'toplevel,blink.user_timing', transferMode: 'ReportEvents' });
  const mark = await page.evaluate(() => {
    window.longTasks = [];
    window.longTaskEntries = [];
    return performance.mark('long-tasks-from').startTime;
  });
  await fn();
  const entries = await page.evaluate(() => window.longTaskEntries);
  await cdp.send('Tracing.end');
  await complete;
  await cdp.detach();
  // the mark lies on the main thread in both clocks: trace µs = (page ms + offset) · 1000
  const marked = events.find((e) => e.name === 'long-tasks-from');
  const offset = marked.ts / 1000 - mark;
  const tasks = mainTasks(events.filter((e) => e.pid === marked.pid && e.tid === marked.tid));
  // the observer's task can start some ms before the trace's (measured: up to 16 ms), so it is
  // the busiest traced task that overlaps it. A task that ended before the mark ran before the
  // span (its entry reaches the observer a task later, after the reset above: a 54 ms layout
  // after a scroll came so, with no traced task to weigh it by).
  return entries.filter(({ start, duration }) => start + duration > mark).map(({ start, duration }) => {
    const from = (start + offset) * 1000;
    const to = from + duration * 1000;
    const within = tasks.filter((e) => e.ts < to && e.ts + e.dur > from);
    return { ms: Math.round(duration), cpu: within.length === 0 ? null : Math.round(Math.max(...within.map((e) => e.tdur)) / 1000) };
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

/** The main thread's tasks in a trace as { ts, dur, tdur } (µs): complete events, and begin/end pairs. */
function mainTasks(events) {
  const TASK = 'ThreadControllerImpl::RunTask';
  const tasks = events.filter((e) => e.name === TASK && e.ph === 'X');
  const open = [];
  for (const e of events.filter((e) => e.name === TASK && (e.ph === 'B' || e.ph === 'E')).sort((a, b) => a.ts - b.ts)) {
    if (e.ph === 'B') open.push(e);
    else if (open.length > 0) {
      const b = open.pop();
      tasks.push({ ts: b.ts, dur: e.ts - b.ts, tdur: e.tts - b.tts });
    }
  }
  return tasks;
}
