// The timing line under a grid: how long the latest generation took, and the first one apart,
// since the first call also compiles the GPU shaders and so says little about the rest; and
// when the page first showed digits and faces.

/**
 * A function `timed(job)` that runs `job`, records its milliseconds in `element` (its text, and
 * data-first-ms and data-last-ms for the tests and the benchmark) and returns its result.
 */
export function createTimer(element) {
  let first = null;
  const record = (ms) => {
    first ??= ms;
    element.dataset.firstMs = first.toFixed(1);
    element.dataset.lastMs = ms.toFixed(1);
    element.textContent = `Generated in ${ms.toFixed(0)} ms (first call: ${first.toFixed(0)} ms, which includes warm-up).`;
  };
  return async (job) => {
    const started = performance.now();
    const result = await job();
    record(performance.now() - started);
    return result;
  };
}

/**
 * `<body data-KEY>`: ms from navigation start to the first time the page showed a result (the
 * first digits: firstDigitMs, the first faces: firstFaceMs), set once.
 */
export function markFirstShown(key) {
  if (!document.body.dataset[key]) document.body.dataset[key] = performance.now().toFixed(0);
}
