// Drawing on a canvas with a mouse, a pen or a finger (Pointer Events cover all three).

import { inkFromRgba } from './drawing-to-28x28.js';

// On the 280x280 drawing canvas, about 2.2 MNIST pixels once a full-size digit is scaled down
// into MNIST's 20x20 box: a pen stroke about as thick as MNIST's.
const STROKE_WIDTH = 22;

/** One pen stroke from point `from` to `to` (`{ x, y }`, canvas pixels) on `context`. */
export function stroke(context, from, to) {
  context.lineWidth = STROKE_WIDTH;
  context.lineCap = 'round';
  context.lineJoin = 'round';
  context.strokeStyle = '#000';
  context.beginPath();
  context.moveTo(from.x, from.y);
  context.lineTo(to.x, to.y);
  context.stroke();
}

/**
 * Black strokes on a transparent canvas; `onStrokeEnd` is called after each stroke. Returns
 * { ink(): ink per pixel in [0, 1], clear() }.
 */
export function createPad(canvas, onStrokeEnd) {
  const context = canvas.getContext('2d', { willReadFrequently: true });
  let pointer = null; // the pointer that draws; other fingers are ignored
  let last = null;

  const at = (event) => {
    const rect = canvas.getBoundingClientRect(); // the canvas is scaled by CSS on small screens
    return {
      x: ((event.clientX - rect.left) * canvas.width) / rect.width,
      y: ((event.clientY - rect.top) * canvas.height) / rect.height,
    };
  };
  const line = (from, to) => stroke(context, from, to);

  canvas.addEventListener('pointerdown', (event) => {
    if (pointer !== null || event.button !== 0) return;
    event.preventDefault();
    pointer = event.pointerId;
    canvas.setPointerCapture(pointer);
    last = at(event);
    line(last, last); // a tap leaves a dot
  });
  canvas.addEventListener('pointermove', (event) => {
    if (event.pointerId !== pointer) return;
    // Coalesced events keep fast strokes smooth where the browser batches moves per frame.
    const coalesced = event.getCoalescedEvents?.() ?? [];
    for (const e of coalesced.length ? coalesced : [event]) {
      const point = at(e);
      line(last, point);
      last = point;
    }
  });
  const end = (event) => {
    if (event.pointerId !== pointer) return;
    pointer = null;
    onStrokeEnd();
  };
  canvas.addEventListener('pointerup', end);
  canvas.addEventListener('pointercancel', end);

  return {
    ink: () => inkFromRgba(context.getImageData(0, 0, canvas.width, canvas.height).data),
    clear: () => context.clearRect(0, 0, canvas.width, canvas.height),
  };
}
