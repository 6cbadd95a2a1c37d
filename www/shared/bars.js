// Label probabilities as a bar chart: one bar per label, built from divs so that the tests and
// assistive technology can read each value (data-label, data-p and the text beside the bar).

import { percent } from './format.js';
import { argmax } from './vectors.js';

/** Fill `container` with one bar per label; returns the index of the most probable label. */
export function showBars(container, labels, probabilities) {
  if (container.children.length !== labels.length) {
    container.replaceChildren(...labels.map(barElement));
  }
  const best = argmax(probabilities, 0, labels.length);
  labels.forEach((_, i) => {
    const bar = container.children[i];
    const p = probabilities[i];
    bar.classList.toggle('best', i === best);
    setBar(bar, p);
  });
  return best;
}

function barElement(label, i) {
  const bar = newBar(label);
  bar.dataset.label = String(i);
  return bar;
}

/** A bar row (name, track, value) for `label`, still empty. */
export function newBar(label) {
  const bar = document.createElement('div');
  bar.className = 'bar';
  bar.innerHTML = '<span class="bar-label"></span><span class="bar-track"><span class="bar-fill"></span></span><span class="bar-value"></span>';
  bar.querySelector('.bar-label').textContent = label;
  return bar;
}

/** Show probability `p` on a bar from `newBar`: its fill, its percentage and `data-p`. */
export function setBar(bar, p) {
  bar.dataset.p = String(p);
  bar.querySelector('.bar-fill').style.width = `${(100 * p).toFixed(2)}%`;
  bar.querySelector('.bar-value').textContent = percent(p);
}
