// The two demos as tabs (the WAI-ARIA tabs pattern): buttons with role="tab" in a tablist,
// each controlling one role="tabpanel"; arrow keys, Home and End move between the tabs. The
// page records the tab shown in its URL (page-link.js), so that a reload shows it again.

/**
 * Wire the tabs in `tablist`; `onShow(name)` runs each time a panel is shown (the first time,
 * it loads that demo's model). Returns show(name), which a link or the URL can call too.
 */
export function setupTabs(tablist, onShow) {
  const tabs = [...tablist.querySelectorAll('[role="tab"]')];
  const panelOf = (tab) => document.getElementById(tab.getAttribute('aria-controls'));

  function show(name) {
    const shown = tabs.find((tab) => tab.dataset.panel === name) ?? tabs[0];
    for (const tab of tabs) {
      const selected = tab === shown;
      tab.setAttribute('aria-selected', String(selected));
      tab.tabIndex = selected ? 0 : -1; // one tab stop for the whole list
      panelOf(tab).hidden = !selected;
    }
    document.body.dataset.panel = shown.dataset.panel;
    onShow(shown.dataset.panel);
    // The page's state is that of the demo in view.
    document.body.dataset.state = panelOf(shown).dataset.state;
  }

  tabs.forEach((tab, i) => {
    tab.addEventListener('click', () => show(tab.dataset.panel));
    tab.addEventListener('keydown', (event) => {
      const next = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: tabs.length - 1 }[event.key];
      if (next === undefined) return;
      event.preventDefault();
      const target = tabs[(next + tabs.length) % tabs.length];
      target.focus();
      target.click();
    });
  });
  return show;
}
