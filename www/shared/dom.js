// Two DOM shortcuts that every part of the page uses.

/** The element with this id (the page's ids are fixed in index.html). */
export const $ = (id) => document.getElementById(id);

/** A new `tag` element holding `text` (as text, never as HTML), with an optional class. */
export function element(tag, text, className) {
  const node = document.createElement(tag);
  node.textContent = String(text);
  if (className) node.className = className;
  return node;
}
