// Attribute toggles: one checkbox per attribute of the model, in named groups (fieldsets), so
// that a keyboard, a screen reader and a finger all work without extra code. Used twice: to
// describe the faces to generate, and to edit a face.

import { element } from '../shared/dom.js';
import { displayName, groupAttributes } from './attributes.js';

/**
 * Fill `container` with grouped checkboxes for `labels` (ids start with `idPrefix`); the
 * visitor's changes call `onChange(vector)`. Returns { get(): Float32Array of 0/1, set(vector) }.
 */
export function createToggles(container, labels, { idPrefix, onChange }) {
  const boxes = new Array(labels.length);
  const groups = groupAttributes(labels).map((group) => {
    const fieldset = document.createElement('fieldset');
    fieldset.className = 'attribute-group';
    fieldset.append(element('legend', group.name));
    for (const { label, index } of group.members) {
      const box = document.createElement('input');
      box.type = 'checkbox';
      box.id = `${idPrefix}-${label}`;
      box.dataset.attribute = label;
      box.addEventListener('change', () => onChange(get()));
      const chip = element('label', displayName(label), 'chip');
      chip.htmlFor = box.id;
      chip.prepend(box);
      fieldset.append(chip);
      boxes[index] = box;
    }
    return fieldset;
  });
  container.replaceChildren(...groups);

  function get() {
    return Float32Array.from(boxes, (box) => (box.checked ? 1 : 0));
  }
  function set(vector) {
    boxes.forEach((box, i) => {
      box.checked = vector[i] >= 0.5;
    });
  }
  return { get, set };
}
