// One of everything for every element on a page: one runtime per backend asked for (the wasm
// compiled once, one model worker: shared/worker-client.js), and one model per manifest, its
// weights fetched once however many elements ask at the same moment. Every element waiting on a
// model hears that one download's progress, and its backend changes. Calls to a model go through
// one queue (shared/queue.js). A released model is freed once no element has held it for a
// grace period, so that an element moved in the DOM (disconnected, then connected) keeps it.

import { createQueue } from '../shared/queue.js';
import { openModel, startRuntime } from '../shared/worker-client.js';

/** How long a model no element holds is kept before it is freed (tests shorten it). */
let graceMs = 10_000;
/** Whether `auto` treats a software WebGPU adapter as a GPU (for testing the move to WebGPU). */
let trustSoftware = false;

/**
 * Change how long a released model is kept, `{ graceMs }`, or let `auto` move to a software
 * WebGPU adapter, `{ trustSoftware: true }` (before the first element loads).
 */
export function configureRegistry({ graceMs: ms, trustSoftware: trust } = {}) {
  if (Number.isFinite(ms) && ms >= 0) graceMs = ms;
  if (typeof trust === 'boolean') trustSoftware = trust;
}

const runtimes = new Map(); // backend -> Promise of the runtime
const models = new Map(); // `${backend} ${absolute manifest URL}` -> entry

/** The runtime of `backend` ('auto' | 'webgpu' | 'cpu'), started on first use. */
function runtimeFor(backend) {
  if (!runtimes.has(backend)) {
    const starting = startRuntime({ backend, trustSoftware });
    starting.catch(() => runtimes.delete(backend)); // a later element may try again
    runtimes.set(backend, starting);
  }
  return runtimes.get(backend);
}

/**
 * Hold the model of the manifest at `url` on `backend`; `listener(event)` hears `{ type:
 * 'progress', loaded, total, source, note, done }` (`note`: what the weights' cache said) and `{ type: 'change', model, change }`. Returns `{
 * model: Promise, run(job, key), release() }`: `run` queues a job on the model, a newer job of
 * the same key replacing one still waiting (queue.js's `latest`); `release` lets it go.
 */
export function holdModel(url, backend, listener) {
  const key = `${backend} ${url}`;
  let entry = models.get(key);
  if (!entry) {
    entry = openEntry(url, backend);
    models.set(key, entry);
    // A model that failed stays failed for those holding it (one download, one message for all
    // of a page's figures); a hold after the last release tries again.
    entry.model.catch(() => { entry.failed = true; });
  }
  clearTimeout(entry.freeTimer);
  entry.holders.add(listener);
  if (entry.progress) listener(entry.progress); // joined mid-download: where it stands
  let held = true;
  return {
    model: entry.model,
    run: (job, key) => entry.queue.latest(key, job),
    release() {
      if (!held) return;
      held = false;
      entry.holders.delete(listener);
      if (entry.holders.size > 0) return;
      if (entry.failed) models.get(key) === entry && models.delete(key);
      else entry.freeTimer = setTimeout(() => free(key, entry), graceMs);
    },
  };
}

function openEntry(url, backend) {
  const entry = { holders: new Set(), queue: createQueue(), progress: null, freeTimer: 0, failed: false };
  const tell = (event) => {
    if (event.type === 'progress') entry.progress = event;
    for (const listener of entry.holders) listener(event);
  };
  entry.model = runtimeFor(backend).then((runtime) => openModel(runtime, url, {
    onProgress: (loaded, total) => tell({ type: 'progress', loaded, total, source: 'network' }),
    onFiles: ({ weights, source, cacheNote }) => tell({ type: 'progress', loaded: weights.byteLength, total: weights.byteLength, source, note: cacheNote ?? '', done: true }),
    onChange: (model, change) => tell({ type: 'change', model, change }),
  }));
  return entry;
}

function free(key, entry) {
  if (entry.holders.size > 0 || models.get(key) !== entry) return;
  models.delete(key);
  entry.model.then((model) => model.free()).catch(() => {});
}

/** What the registry holds, for tests and the benchmark: `{ runtimes, models }` as counts. */
export function registrySize() {
  return { runtimes: runtimes.size, models: models.size };
}
