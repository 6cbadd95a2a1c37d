// Long tasks (main-thread tasks over 50 ms): a PerformanceObserver installed before any page
// script runs (context.addInitScript) keeps every entry in window.__benchLongTasks.

export const LONG_TASKS_INIT = `
  window.__benchLongTasks = [];
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__benchLongTasks.push({ start: e.startTime, ms: e.duration });
    }).observe({ type: 'longtask', buffered: true });
  } catch (error) {
    window.__benchLongTasks = null; // no longtask entries in this browser
  }
`;

/** { count, longestMs } of the long tasks that started at or after `since` (page ms). */
export async function longTasksSince(page, since) {
  const tasks = await page.evaluate(() => window.__benchLongTasks);
  if (!tasks) throw new Error('no longtask observer in this page');
  const after = tasks.filter((t) => t.start >= since);
  return { count: after.length, longestMs: after.reduce((m, t) => Math.max(m, t.ms), 0), totalMs: after.reduce((s, t) => s + t.ms, 0) };
}

/**
 * The long tasks while the page draws a new 16-sample grid of its own: click its Resample
 * button and wait until the generate panel has drawn again (generate, read-back and drawing).
 */
export async function gridLongTasks(page, { resample }) {
  const before = await page.evaluate(() => ({ t: performance.now(), count: window.jmvae[document.body.dataset.panel].counts.generate ?? 0 }));
  await page.click(resample);
  await page.waitForFunction((count) => (window.jmvae[document.body.dataset.panel].counts.generate ?? 0) > count, before.count, { timeout: 120_000, polling: 20 });
  const elapsed = await page.evaluate((t) => performance.now() - t, before.t);
  // Let the observer deliver the last entries (it reports after the task ends).
  await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => setTimeout(done, 100))));
  return { ...(await longTasksSince(page, before.t)), elapsedMs: elapsed };
}
