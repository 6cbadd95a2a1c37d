// Set-up for the elements' browser tests: one Chromium and one GitHub-Pages-like server
// (pages-server.mjs) per test file, the fixture project page opened with its events and CSP
// violations recorded, and waits on a figure's state. Not a test file itself.

import { launchBrowser } from './helpers.mjs';
import { recordTeaser, startPagesServer } from './pages-server.mjs';

/** A browser and the fixture's server, started on first use, stopped by close(). */
export function createPagesSession() {
  let started = null;
  return {
    get() {
      started ??= (async () => {
        const browser = await launchBrowser();
        const server = await startPagesServer({ video: await recordTeaser(browser) });
        return { browser, server };
      })();
      return started;
    },
    async close() {
      if (!started) return;
      const { browser, server } = await started;
      await browser.close();
      await server.stop();
    },
  };
}

// Recorded in the page from before its first script: every element event, and CSP violations.
function recordEvents() {
  window.__events = [];
  window.__results = {};
  window.__violations = [];
  for (const type of ['progress', 'load', 'result', 'backend-change', 'error']) {
    document.addEventListener(type, (event) => {
      const id = event.target.id || event.target.tagName;
      if (!(event instanceof CustomEvent)) return;
      window.__events.push({ type, id, detail: type === 'result' ? null : event.detail });
      if (type === 'result') window.__results[id] = event.detail;
    });
  }
  document.addEventListener('securitypolicyviolation', (event) => window.__violations.push(`${event.violatedDirective} ${event.blockedURI}`));
}

/**
 * Open the fixture page (`path` under the site) in a fresh context: `{ page, context, logs,
 * requests, server }`, the requests made since. `setup(page)` runs before navigation.
 */
export async function openFixture(session, { path = '', viewport = { width: 1000, height: 900 }, contextOptions = {}, setup } = {}) {
  const { browser, server } = await session.get();
  const context = await browser.newContext({ viewport, ...contextOptions });
  const page = await context.newPage();
  const logs = [];
  page.on('console', (message) => logs.push(`${message.type()}: ${message.text()}`));
  page.on('pageerror', (error) => logs.push(`pageerror: ${error.message}`));
  await page.addInitScript(recordEvents);
  if (setup) await setup(page);
  server.requests.length = 0;
  await page.goto(server.url + path);
  return { page, context, logs, requests: server.requests, server };
}

/** Wait until figure `id` fired `result` (or failed: then throw with its note). */
export async function waitForResult(page, id, { timeout = 120_000 } = {}) {
  await page.waitForFunction((id) => {
    const element = document.getElementById(id);
    return window.__results[id] || element?.dataset.state === 'error';
  }, id, { timeout, polling: 100 });
  const state = await page.evaluate((id) => document.getElementById(id).dataset.state, id);
  if (state === 'error') throw new Error(`figure ${id} failed: ${await noteOf(page, id)}`);
}

/** The text of a figure's one-line note ('' when none shows). */
export function noteOf(page, id) {
  return page.evaluate((id) => {
    const note = document.getElementById(id).shadowRoot.querySelector('.note');
    return note.hidden ? '' : note.textContent;
  }, id);
}

/** The events figure `id` fired, of `type`. */
export function eventsOf(page, id, type) {
  return page.evaluate(({ id, type }) => window.__events.filter((e) => e.id === id && e.type === type).map((e) => e.detail), { id, type });
}

/** How many requests asked for a path ending in `suffix`. */
export const count = (requests, suffix) => requests.filter((path) => path.endsWith(suffix)).length;

/** Add a figure to the page (attributes as given, eager unless said) and return its id. */
export function addFigure(page, attributes) {
  return page.evaluate((attributes) => {
    const element = document.createElement('jmvae-panel');
    element.id = `added-${document.querySelectorAll('[id^="added-"]').length}`;
    for (const [name, value] of Object.entries({ loading: 'eager', ...attributes })) element.setAttribute(name, value);
    const poster = document.createElement('p');
    poster.slot = 'poster';
    poster.textContent = 'poster';
    element.append(poster);
    document.querySelector('main').prepend(element);
    return element.id;
  }, attributes);
}

/** Scroll each figure of `ids` into view in turn and wait for its drawing. */
export async function scrollThrough(page, ids) {
  for (const id of ids) {
    await page.$eval(`#${id}`, (e) => e.scrollIntoView({ block: 'center' }));
    await waitForResult(page, id);
  }
}
