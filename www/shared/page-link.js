// The page's state in its URL (permalink.js has the rules): each tab reports its state as the
// visitor changes it, and the URL of the tab shown follows, by history.replaceState, so that a
// reload or a copied link draws the same images. What a link asked for but the page ignored is
// said in a note under the tabs.

import { $ } from './dom.js';
import { describeIgnored, linkUrl, parseLink } from './permalink.js';

/**
 * Read the page's URL once. Returns { panel, tab(name), show(name) }: `tab(name)` gives that
 * tab its `initial` state from the link (empty unless the link opened it), `update(state)`,
 * which merges the tab's current state and rewrites the URL when the tab is shown, and
 * `ignore(name, value, why)` for a parameter found wrong only once the model is there (an
 * attribute name it does not have); `show(name)` records the tab shown.
 */
export function createPageLink(note = $('link-note')) {
  const link = parseLink(location.search, location.hash);
  const ignored = [...link.ignored];
  const states = { digits: null, faces: null };
  let shown = link.panel;

  function showNote() {
    note.textContent = describeIgnored(ignored);
    note.hidden = ignored.length === 0;
  }

  // Until a tab has reported its state, its URL is what the link asked for it.
  function write() {
    const state = states[shown] ?? (shown === link.panel ? link[shown] : {});
    const href = linkUrl(location.href, shown, state);
    if (href !== location.href) history.replaceState(history.state, '', href);
  }

  showNote();
  return {
    panel: link.panel,
    tab(name) {
      return {
        initial: name === link.panel ? { ...link[name] } : {},
        update(state) {
          states[name] = { ...states[name], ...state };
          if (name === shown) write();
        },
        ignore(param, value, why) {
          ignored.push({ name: param, value, why });
          showNote();
        },
      };
    },
    show(name) {
      shown = name;
      write();
    },
  };
}
