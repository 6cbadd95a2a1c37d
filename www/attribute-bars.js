// Attribute probabilities as bars, most probable first, so that what the model sees in a face
// reads from the top. Built from divs that the tests and assistive technology can read:
// data-attribute and data-p on each row, and the name and percentage as text.

import { percent } from './format.js';
import { displayName } from './faces.js';

/** Fill `container` with one bar per attribute, sorted by probability; those over 1/2 stand out. */
export function showAttributeBars(container, labels, probabilities) {
  const order = labels.map((_, i) => i).sort((a, b) => probabilities[b] - probabilities[a]);
  container.replaceChildren(...order.map((i) => bar(labels[i], probabilities[i])));
}

function bar(label, p) {
  const row = document.createElement('div');
  row.className = p > 0.5 ? 'bar present' : 'bar';
  row.dataset.attribute = label;
  row.dataset.p = String(p);
  row.setAttribute('role', 'listitem');
  row.innerHTML = '<span class="bar-label"></span><span class="bar-track"><span class="bar-fill"></span></span><span class="bar-value"></span>';
  row.querySelector('.bar-label').textContent = displayName(label);
  row.querySelector('.bar-fill').style.width = `${(100 * p).toFixed(2)}%`;
  row.querySelector('.bar-value').textContent = percent(p);
  return row;
}
