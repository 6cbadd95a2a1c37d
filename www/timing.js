// The timing line under a grid: how long the latest generation took, and the first one apart,
// since the first call also compiles the GPU shaders and so says little about the rest.

/**
 * A function that records one call's milliseconds in `element`: its text, and data-first-ms
 * and data-last-ms for the tests and the benchmark.
 */
export function createTimer(element) {
  let first = null;
  return (ms) => {
    first ??= ms;
    element.dataset.firstMs = first.toFixed(1);
    element.dataset.lastMs = ms.toFixed(1);
    element.textContent = `Generated in ${ms.toFixed(0)} ms (first call: ${first.toFixed(0)} ms, which includes warm-up).`;
  };
}
