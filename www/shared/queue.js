// One model call at a time. The wasm model is a single object, and overlapping calls on it
// would interleave at their awaits; every panel therefore goes through one queue.

/**
 * Runs async jobs one at a time, in order. `latest(key, job)` also coalesces: while a job of
 * that key still waits for its turn, a newer one replaces it (a dragged slider decodes only
 * where it stops, not at every step it passed).
 */
export function createQueue() {
  let tail = Promise.resolve();
  const waiting = new Map();

  function run(job) {
    const result = tail.then(job);
    tail = result.catch(() => {}); // one failure must not block the jobs behind it
    return result;
  }

  function latest(key, job) {
    const pending = waiting.get(key);
    if (pending) {
      pending.job = job;
      return pending.result;
    }
    const entry = { job };
    entry.result = run(() => {
      waiting.delete(key);
      return entry.job();
    });
    waiting.set(key, entry);
    return entry.result;
  }

  return { run, latest };
}
