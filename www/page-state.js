// What the page says about itself: <body data-state="loading|ready|error"> (for CSS and the
// tests), the status line, the download progress, and when the first digit appeared.

import { $ } from './dom.js';
import { progressText } from './format.js';

/** The panels take input only once the model is ready. */
export function setState(state) {
  document.body.dataset.state = state;
  $('demo').inert = state !== 'ready';
}

export function setStatus(text) {
  $('status').textContent = text;
}

/** The status line, tagged with the backend that runs the model (data-backend). */
export function showBackend(backend, text) {
  $('status').dataset.backend = backend;
  setStatus(text);
}

/** Bytes of the weights downloaded so far; `total` is 0 while the size is unknown. */
export function showProgress(loaded, total) {
  const bar = $('progress');
  if (Number(total) > 0) {
    bar.max = Number(total);
    bar.value = Number(loaded);
  } else {
    bar.removeAttribute('value'); // an indeterminate bar while the size is unknown
  }
  $('progress-text').textContent = progressText(loaded, total);
}

export function hideProgress() {
  $('progress').hidden = true;
}

/** Downloads are done: the bar goes, and "1.2 MB / 3.4 MB" becomes "Downloaded 3.4 MB.". */
export function finishProgress() {
  hideProgress();
  const text = $('progress-text');
  if (text.textContent) text.textContent = `Downloaded ${text.textContent.split(' / ').pop()}.`;
}

/** data-first-digit-ms: ms from navigation start to the first digit drawn, set once. */
export function markFirstDigit() {
  if (!document.body.dataset.firstDigitMs) {
    document.body.dataset.firstDigitMs = performance.now().toFixed(0);
  }
}
