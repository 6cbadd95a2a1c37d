// Failures shown in the error box of the demo they belong to, rather than lost in the console.
// A failed action leaves the demo usable (the next click may well work); a failure while
// loading ends that demo (the other tab may still work).

import { element } from './dom.js';
import { hintFor, messageOf } from './error-messages.js';

/** Show a readable message in the view's error box; the demo stays usable unless `fatal`. */
export function showError(view, context, error, { fatal = false } = {}) {
  const text = `${context}: ${messageOf(error)}`;
  const box = view.errorBox();
  box.replaceChildren(element('p', text));
  const hint = hintFor(text);
  if (hint) box.append(element('p', hint, 'hint'));
  box.hidden = false;
  console.error(context, error);
  if (fatal) {
    view.setState('error');
    view.setStatus('The demo could not start.');
    view.hideProgress();
  }
}

// An action that worked clears the message of one that failed before it.
function clearActionError(view) {
  if (view.panel().dataset.state === 'ready') view.errorBox().hidden = true;
}

/** Run a user action; its failure is shown (not thrown) in the view, which stays usable. */
export async function act(view, context, job) {
  try {
    const result = await job();
    clearActionError(view);
    return result;
  } catch (error) {
    showError(view, context, error);
    return undefined;
  }
}

/**
 * Errors nobody caught (in event handlers, in wasm callbacks) still reach the reader, in the
 * demo shown at the time (`shownView()`); fatal while that demo is still loading.
 */
export function reportUncaughtErrors(shownView) {
  const report = (error) => {
    const view = shownView();
    showError(view, 'Unexpected error', error, { fatal: view.panel().dataset.state === 'loading' });
  };
  window.addEventListener('error', (event) => report(event.error ?? event.message));
  window.addEventListener('unhandledrejection', (event) => report(event.reason));
}
