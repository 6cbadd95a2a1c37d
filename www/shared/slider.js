// A range input and the number shown beside it, holding an exact value: a link may ask for a
// temperature of 0.33 on a slider that steps by 0.05, and the images must then be those of
// 0.33, with the slider as near as it goes.

import { decimals } from './format.js';

/**
 * Wire `input` (type=range) and `output`; moving the slider calls `onInput(value)`. Returns
 * { get(), set(value) }; the number shows `digits` decimals (more when the value needs them).
 */
export function createSlider(input, output, { digits, onInput }) {
  let value = Number(input.value);
  const show = () => {
    output.textContent = decimals(value, digits);
  };
  input.addEventListener('input', () => {
    value = Number(input.value);
    show();
    onInput(value);
  });
  show();
  return {
    get: () => value,
    set(next) {
      value = next;
      input.value = String(next);
      show();
    },
  };
}
