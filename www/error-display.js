// Failures shown in #error rather than lost in the console. A failed action leaves the page
// usable (the next click may well work); a failure while loading ends the demo.

import { $, element } from './dom.js';
import { hintFor, messageOf } from './error-messages.js';
import { hideProgress, setState, setStatus } from './page-state.js';

/** Show a readable message in #error; the page stays usable unless `fatal`. */
export function showError(context, error, { fatal = false } = {}) {
  const text = `${context}: ${messageOf(error)}`;
  const box = $('error');
  box.replaceChildren(element('p', text));
  const hint = hintFor(text);
  if (hint) box.append(element('p', hint, 'hint'));
  box.hidden = false;
  console.error(context, error);
  if (fatal) {
    setState('error');
    setStatus('The demo could not start.');
    hideProgress();
  }
}

// An action that worked clears the message of one that failed before it.
function clearActionError() {
  if (document.body.dataset.state === 'ready') $('error').hidden = true;
}

/** Run a user action; its failure is shown (not thrown), and the page stays usable. */
export async function act(context, job) {
  try {
    const result = await job();
    clearActionError();
    return result;
  } catch (error) {
    showError(context, error);
    return undefined;
  }
}

/** Errors nobody caught (in event handlers, in wasm callbacks) still reach the reader. */
export function reportUncaughtErrors() {
  const fatal = () => document.body.dataset.state === 'loading';
  window.addEventListener('error', (event) => {
    showError('Unexpected error', event.error ?? event.message, { fatal: fatal() });
  });
  window.addEventListener('unhandledrejection', (event) => {
    showError('Unexpected error', event.reason, { fatal: fatal() });
  });
}
