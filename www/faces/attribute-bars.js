// Attribute probabilities as bars, most probable first, so that what the model sees in a face
// reads from the top. Built from divs that the tests and assistive technology can read:
// data-attribute and data-p on each row, and the name and percentage as text.

import { newBar, setBar } from '../shared/bars.js';
import { displayName } from './attributes.js';

/** Fill `container` with one bar per attribute, sorted by probability; those over 1/2 stand out. */
export function showAttributeBars(container, labels, probabilities) {
  const order = labels.map((_, i) => i).sort((a, b) => probabilities[b] - probabilities[a]);
  container.replaceChildren(...order.map((i) => bar(labels[i], probabilities[i])));
}

function bar(label, p) {
  const row = newBar(displayName(label));
  row.classList.toggle('present', p > 0.5);
  row.dataset.attribute = label;
  row.setAttribute('role', 'listitem');
  setBar(row, p);
  return row;
}
