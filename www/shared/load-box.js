// The load box of each tab (its status line, the weights' download progress and its error box)
// and the tab's state, loading|ready|error: on the panel's data-state and, for the panel shown,
// on <body data-state> for CSS and the tests. index.html writes the box once, in the first tab,
// where it shows before any script runs; the other tabs get a copy, its ids prefixed with the
// tab's name (#faces-status, #faces-progress, ...).

import { progressText } from './format.js';

/**
 * The view of each tab panel in `names` (their ids), once the first tab's load box has been
 * copied into the others' empty `.load` boxes.
 */
export function createViews(names) {
  const [first, ...others] = names;
  const template = document.querySelector(`#${first} .load`);
  for (const name of others) copyLoadBox(template, document.querySelector(`#${name} .load`), name);
  return Object.fromEntries(names.map((name) => [name, createView(document.getElementById(name))]));
}

function copyLoadBox(template, box, name) {
  box.replaceChildren(...[...template.children].map((child) => child.cloneNode(true)));
  for (const node of box.querySelectorAll('[id]')) node.id = `${name}-${node.id}`;
  box.querySelector('progress').setAttribute('aria-label', `Download progress of the ${name} model`);
}

/** The view of one tab panel: its state, and its load box (status, progress, error box). */
function createView(panel) {
  const box = panel.querySelector('.load');
  const status = box.querySelector('[role="status"]');
  const bar = box.querySelector('progress');
  const barText = box.querySelector('.progress-row span');
  const errorBox = box.querySelector('.error');
  const content = panel.querySelector('.demo');
  let cacheNote = ''; // said beside the download's size once loaded (fetch-model.js's cacheNote)
  const view = {
    name: panel.id,
    panel: () => panel,
    errorBox: () => errorBox,

    /** The panel takes input only once its model is ready. */
    setState(state) {
      panel.dataset.state = state;
      content.inert = state !== 'ready';
      if (!panel.hidden) document.body.dataset.state = state;
    },

    setStatus(text) {
      status.textContent = text;
    },

    /** The status line, tagged with the backend that runs the model (data-backend). */
    showBackend(backend, text) {
      status.dataset.backend = backend;
      view.setStatus(text);
    },

    /** Bytes of the weights downloaded so far; `total` is 0 while the size is unknown. */
    showProgress(loaded, total) {
      bar.hidden = false;
      if (Number(total) > 0) {
        bar.max = Number(total);
        bar.value = Number(loaded);
      } else {
        bar.removeAttribute('value'); // an indeterminate bar while the size is unknown
      }
      barText.textContent = progressText(loaded, total);
    },

    hideProgress() {
      bar.hidden = true;
    },

    /** Where the weights came from ('cache' | 'network', on data-source) and the cache's note. */
    showWeightsSource(source, note) {
      barText.dataset.source = source;
      cacheNote = note || '';
    },

    /** Downloads are done: the bar goes, and "1.2 MB / 3.4 MB" becomes "Downloaded 3.4 MB.", then the cache's note. */
    finishProgress() {
      view.hideProgress();
      const downloaded = barText.textContent ? `Downloaded ${barText.textContent.split(' / ').pop()}.` : '';
      barText.textContent = [downloaded, cacheNote].filter(Boolean).join(' ');
    },
  };
  return view;
}
