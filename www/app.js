// The JMVAE browser demo: two demos, digits (MNIST) and faces (CelebA), as tabs of one page.
// Each loads its model the first time its tab is shown (digits/demo.js, faces/demo.js); the
// backend is chosen and its WebAssembly build loaded once for both (shared/backend-choice.js),
// the models run in one Web Worker (shared/worker-client.js; the page's main thread where none
// can start), and one queue runs every model call in turn.
// What both tabs use lives in shared/.
//
// Plain ES modules, no framework, no build step. The page is served from the repository root
// (node scripts/serve.mjs) because the wasm package lives in ../pkg/, beside www/. Every URL
// is relative, so the page also works from a sub-directory or inside an iframe; ?panel=faces
// (or #faces) opens the faces demo directly. The URL follows the state of the demo shown
// (label, seed, temperature, attributes...; shared/page-link.js), so that a copied link or a reload
// draws the same images.
//
// For tests and the curious: `window.jmvae = { model, ready, faces: { model, ready }, run, show }`;
// each model is the worker's stand-in, with pkg's Model API and `runsIn` ('worker' | 'main').
// <body> carries data-panel (the tab shown), data-state="loading|ready|error" (of the demo
// shown; each tab panel carries its own), and data-first-digit-ms / data-first-face-ms (ms from
// navigation start to the first digits / faces drawn). The helpers live in modules of their
// own, which Node can import and test.

import { startDigits } from './digits/demo.js';
import { $ } from './shared/dom.js';
import { reportUncaughtErrors, showError } from './shared/error-display.js';
import { rememberPanics } from './shared/error-messages.js';
import { createViews } from './shared/load-box.js';
import { PANELS, panelFrom } from './shared/options.js';
import { createPageLink } from './shared/page-link.js';
import { createQueue } from './shared/queue.js';
import { setupTabs } from './shared/tabs.js';

// The faces demo's code is fetched the first time its tab is shown, so that the digits page
// downloads none of it; a failed download is shown in the tab like any other failure.
function later(path, name) {
  return (queue, tab, view) => {
    view.setState('loading'); // at once, not after the download, so nobody reads a stale 'ready'
    return import(path).then(
      (module) => module[name](queue, tab, view),
      (error) => {
        showError(view, `Loading ${new URL(path, import.meta.url).pathname} failed`, error, { fatal: true });
        throw error;
      },
    );
  };
}

function main() {
  rememberPanics();
  const views = createViews(PANELS);
  reportUncaughtErrors(() => views[document.body.dataset.panel] ?? views.digits);
  // window.jmvae.run queues a caller's own model calls behind the page's, so that none overlap.
  const queue = createQueue();
  const starts = { digits: startDigits, faces: later('./faces/demo.js', 'startFaces') };
  window.jmvae = { model: null, ready: null, faces: { model: null, ready: null }, run: queue.run, show: null };
  const demos = { digits: window.jmvae, faces: window.jmvae.faces };

  const link = createPageLink();

  // A demo starts the first time it is shown; its failure is already on screen (#error).
  function load(name) {
    link.show(name);
    if (demos[name].ready) return;
    demos[name].ready = starts[name](queue, link.tab(name), views[name]);
    demos[name].ready.catch(() => {}); // shown in the demo's error box; not an "unhandled" rejection
  }
  const show = setupTabs($('tabs'), load);
  window.jmvae.show = show;
  window.addEventListener('hashchange', () => show(panelFrom(location.search, location.hash)));
  show(link.panel);
}

main();
