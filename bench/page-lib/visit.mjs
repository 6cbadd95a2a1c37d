// One visit of the demo: open a page in a browser context, record every response the page (and
// its workers) receives, wait for the demo to get ready, and read what the page says about
// itself. A second visit in the same context finds the HTTP cache and the Cache API filled.

import { LOAD_TIMEOUT_MS } from '../../tests/browser/helpers.mjs';
import { fileSize, groupOf, pathOfUrl } from './files.mjs';
import { LONG_TASKS_INIT, longTasksSince } from './long-tasks.mjs';

/** A fresh browser context (empty caches) that collects long tasks in each of its pages. */
export async function freshContext(browser) {
  const context = await browser.newContext();
  await context.addInitScript(LONG_TASKS_INIT);
  return context;
}

/**
 * Visit `url` in `context`; `demo` says which model and timing attribute to read. Returns the
 * open page and { state, error, firstMs, backend, runsIn, loadText, responses, longTasks }.
 */
export async function visit(context, url, demo) {
  const page = await context.newPage();
  const recorded = [];
  const onResponse = (response) => recorded.push(response);
  context.on('response', onResponse);
  try {
    await page.goto(url);
    await page.waitForFunction(() => document.body.dataset.state !== 'loading', null, { timeout: LOAD_TIMEOUT_MS, polling: 50 });
    const said = await page.evaluate(readPage, demo);
    await page.waitForTimeout(200); // late responses (a worker's last fetch) and long-task entries
    const timing = await resourceTiming(page);
    const responses = await Promise.all(recorded.map((r) => describeResponse(r, timing)));
    const longTasks = await longTasksSince(page, 0);
    return { page, ...said, responses, longTasks };
  } catch (error) {
    await page.close().catch(() => {});
    throw error;
  } finally {
    context.off('response', onResponse);
  }
}

// In the page: what the demo shown says about its load.
function readPage({ modelPath, firstKey }) {
  const model = modelPath.split('.').reduce((o, key) => o?.[key], window);
  const error = document.getElementById('error');
  return {
    state: document.body.dataset.state,
    error: error && !error.hidden ? error.innerText : '',
    firstMs: Number(document.body.dataset[firstKey]),
    backend: model?.backend ?? null,
    runsIn: model?.runsIn ?? null,
    loadText: [document.getElementById('status'), document.getElementById('progress-text')].map((p) => p?.innerText ?? '').join(' ').replace(/\s+/g, ' ').trim(),
  };
}

/** Resource timing entries of the page and of its workers (a worker's fetches are its own). */
async function resourceTiming(page) {
  const read = () => [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')]
    .map((e) => ({ name: e.name, transferSize: e.transferSize, encodedBodySize: e.encodedBodySize }));
  const lists = await Promise.all([page, ...page.workers()].map((target) => target.evaluate(read).catch(() => [])));
  return lists.flat();
}

/**
 * One response: its repository path and group, size on disk, status, and the bytes that came
 * over the network (resource timing's transferSize where the page or a worker has an entry for
 * it, else Playwright's header and body sizes), with how it was served:
 * 'network', 'revalidated (304)', 'HTTP cache' (memory or disk, no request) or 'service worker'.
 */
async function describeResponse(response, timing) {
  const url = response.url();
  const path = pathOfUrl(url);
  const request = response.request();
  const sizes = await request.sizes().catch(() => null);
  const headers = await request.allHeaders().catch(() => ({}));
  const conditional = Boolean(headers['if-none-match'] || headers['if-modified-since']);
  const entry = timing.find((e) => e.name === url);
  const viaPlaywright = sizes ? sizes.responseHeadersSize + sizes.responseBodySize : null;
  const network = entry ? entry.transferSize : viaPlaywright;
  let served = 'network';
  if (response.fromServiceWorker()) served = 'service worker';
  else if (response.status() === 304 || (conditional && sizes?.responseBodySize === 0)) served = 'revalidated (304)';
  else if (entry && entry.transferSize === 0) served = 'HTTP cache';
  return { url, path, group: groupOf(path), size: fileSize(path), status: response.status(), network: network ?? 0, served };
}
