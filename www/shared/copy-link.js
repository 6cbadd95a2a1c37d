// "Copy link": the page's URL follows what it shows (page-link.js), so copying location.href
// copies a link to these images. Where the clipboard is unavailable (a page served over plain
// http from another host, an iframe without the permission), the link is shown in a text
// field, selected, for the visitor to copy.

const SAID_MS = 4000;

/** Wire `button`; `field` is the read-only text field of the fallback, `status` says what happened. */
export function setupCopyLink(button, field, status) {
  let timer = null;
  const say = (text) => {
    status.textContent = text;
    clearTimeout(timer);
    timer = setTimeout(() => (status.textContent = ''), SAID_MS);
  };
  button.addEventListener('click', async () => {
    const href = location.href;
    field.value = href;
    try {
      if (!navigator.clipboard?.writeText) throw new Error('no clipboard');
      await navigator.clipboard.writeText(href);
      field.hidden = true;
      say('Copied');
    } catch {
      field.hidden = false;
      field.focus();
      field.select();
      let copied = false;
      try {
        copied = document.execCommand('copy'); // deprecated, but works where writeText does not
      } catch {
        copied = false;
      }
      say(copied ? 'Copied' : 'Press Ctrl+C (⌘C on a Mac) to copy the selected link');
    }
  });
}
