// What the page says about itself. The page holds two demos, digits and faces, each a tab
// panel with its own model, loaded the first time it is shown. Each has a "view": its state
// (loading|ready|error, on the panel's data-state and, for the panel shown, on
// <body data-state> for CSS and the tests), its status line, download progress and error box.
// The page also records when its first digit and its first face appeared.

import { $ } from './dom.js';
import { progressText } from './format.js';

/**
 * The view of one demo, from the ids of its tab panel, the content that takes input once the
 * model is ready, and its load box (status line, progress bar and text, error box).
 */
export function createView(ids) {
  const view = {
    name: ids.panel,
    panel: () => $(ids.panel),
    errorBox: () => $(ids.error),

    /** The panel takes input only once its model is ready. */
    setState(state) {
      view.panel().dataset.state = state;
      $(ids.content).inert = state !== 'ready';
      if (!view.panel().hidden) document.body.dataset.state = state;
    },

    setStatus(text) {
      $(ids.status).textContent = text;
    },

    /** The status line, tagged with the backend that runs the model (data-backend). */
    showBackend(backend, text) {
      $(ids.status).dataset.backend = backend;
      view.setStatus(text);
    },

    /** Bytes of the weights downloaded so far; `total` is 0 while the size is unknown. */
    showProgress(loaded, total) {
      const bar = $(ids.progress);
      bar.hidden = false;
      if (Number(total) > 0) {
        bar.max = Number(total);
        bar.value = Number(loaded);
      } else {
        bar.removeAttribute('value'); // an indeterminate bar while the size is unknown
      }
      $(ids.progressText).textContent = progressText(loaded, total);
    },

    hideProgress() {
      $(ids.progress).hidden = true;
    },

    /** Downloads are done: the bar goes, and "1.2 MB / 3.4 MB" becomes "Downloaded 3.4 MB.". */
    finishProgress() {
      view.hideProgress();
      const text = $(ids.progressText);
      if (text.textContent) text.textContent = `Downloaded ${text.textContent.split(' / ').pop()}.`;
    },
  };
  return view;
}

/** The digits demo (the page's first tab; its ids predate the faces tab). */
export const DIGITS = createView({
  panel: 'digits', content: 'demo', status: 'status', progress: 'progress', progressText: 'progress-text', error: 'error',
});

/** The faces demo. */
export const FACES = createView({
  panel: 'faces', content: 'faces-demo', status: 'faces-status', progress: 'faces-progress',
  progressText: 'faces-progress-text', error: 'faces-error',
});

/** The demos by tab name. */
export const VIEWS = { digits: DIGITS, faces: FACES };

// ms from navigation start, set once: the first time the page showed a result.
function markFirst(key) {
  if (!document.body.dataset[key]) document.body.dataset[key] = performance.now().toFixed(0);
}

/** data-first-digit-ms: ms from navigation start to the first digit drawn, set once. */
export function markFirstDigit() {
  markFirst('firstDigitMs');
}

/** data-first-face-ms: ms from navigation start to the first face grid drawn, set once. */
export function markFirstFace() {
  markFirst('firstFaceMs');
}
