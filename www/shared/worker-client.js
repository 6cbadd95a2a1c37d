// The page's side of the model worker (model-worker.js is the worker's side): a model that
// runs in a Web Worker, behind a stand-in with the API of pkg's Model instance, so that the
// page's main thread stays free while the model computes:
//
//   import { createWorkerModel } from './shared/worker-client.js';
//   const model = await createWorkerModel('./models/mnist.json', { backend: 'auto' });
//   const out = await model.generate({ label: 3 }, { samples: 16, seed: 7 });
//
// The stand-in has backend, fallbackReason, modalities, manifest, latent, defaultTemperature,
// generate, encode, decode and free, as pkg's Model does (calls reject with an Error of the
// same message), and also: runsIn ('worker', or 'main' where no worker could start, and then
// whyMainThread says why), gpuLost (null, or { reason, message } once its GPU was lost and it
// moved to the CPU), upgrading (true while it is being moved to WebGPU) and upgradeToWebGpu().
// The backend is chosen before any wasm loads (backend-choice.js): 'auto' starts on the small
// CPU build and, on a hardware GPU, createWorkerModel moves the model to WebGPU in the
// background once it has checked the GPU's outputs against the CPU's; `onChange(model, event)`
// hears each change of backend (event.type: 'upgrading', 'upgraded', 'upgrade-failed', 'lost',
// 'recovered'). One worker serves every model created for a backend (the page's: all of them);
// call a model's methods one at a time (the page queues them: queue.js).
//
// The files are fetched on the page (fetch-model.js) and the weights' bytes are handed to the
// worker (transferred, not copied). If the worker cannot start (no Worker, a CSP that forbids
// it, a missing or broken model-worker.js, no answer within WORKER_START_MS), the models run on
// the page's main thread instead, through the same code (model-host.js).

import { planBackend, readAdapter } from './backend-choice.js';
import { messageOf } from './error-messages.js';
import { fetchModelFiles } from './fetch-model.js';
import { createHost } from './model-host.js';
import { compilePackage, httpStatus, loadPackage } from './pkg-loader.js';

const WORKER_URL = new URL('./model-worker.js', import.meta.url);

/** How long a new worker may take to say it is ready before the page runs the models itself. */
export const WORKER_START_MS = 5000;

/**
 * The model of the manifest at `manifestUrl` (relative to the page) in a worker, on `backend`
 * ('auto' | 'webgpu' | 'cpu'); `onProgress(loaded, total)` follows the weights' download and
 * `onChange(model, event)` each change of backend. See the file's header.
 */
export async function createWorkerModel(manifestUrl, { backend = 'auto', onProgress, onChange } = {}) {
  if (!runtimes.has(backend)) runtimes.set(backend, startRuntime({ backend }));
  const model = await openModel(await runtimes.get(backend), manifestUrl, { onProgress, onChange });
  model.upgradeToWebGpu(); // only where the plan says so; its outcome reaches onChange
  return model;
}

// createWorkerModel's runtimes, one per backend asked for, shared by its models.
const runtimes = new Map();

/**
 * Choose the backend (planBackend), compile the wasm build it starts on, and start the model
 * worker, or the page's own host when no worker starts: `{ plan, Model, connection, runsIn,
 * whyMainThread }`, where `Model` (the page's own instance of the build) reads manifests.
 */
export async function startRuntime({ backend = 'auto', trustSoftware = false } = {}) {
  const starting = connectWorker().catch((error) => error); // meanwhile, the adapter is asked
  let plan;
  try {
    plan = planBackend(backend, backend === 'cpu' ? {} : await readAdapter(), { trustSoftware });
  } catch (error) {
    starting.then((connection) => connection.close?.());
    throw error;
  }
  const module = await compilePackage(plan.first);
  const pkg = await loadPackage(plan.first, { module });
  let connection = await starting;
  if (!(connection instanceof Error)) connection = await startPackage(connection, plan.first, module);
  if (connection instanceof Error) {
    console.warn(`The model runs on the page's main thread: ${connection.message}`);
    return { plan, Model: pkg.Model, connection: connectHere(), runsIn: 'main', whyMainThread: connection.message };
  }
  return { plan, Model: pkg.Model, connection, runsIn: 'worker', whyMainThread: null };
}

// The worker's connection once it started the build, or the Error that says why it could not.
async function startPackage(connection, name, module) {
  try {
    await connection.request({ type: 'start', package: name, module });
    return connection;
  } catch (error) {
    connection.close();
    return new Error(`it could not start the WebAssembly package (${messageOf(error)})`);
  }
}

/**
 * Fetch the manifest at `manifestUrl` and its weights, and build the model on the runtime's
 * plan; resolves to its stand-in (see the file's header).
 */
export async function openModel(runtime, manifestUrl, { onProgress, onFiles, onChange } = {}) {
  const files = await fetchModelFiles(runtime.Model, manifestUrl, { onProgress });
  onFiles?.(files); // where the weights came from (the Cache API or the network)
  const { manifestJson, weights } = files;
  const id = nextModelId++;
  const bytes = runtime.runsIn === 'worker' ? ownBuffer(weights) : weights;
  const { plan } = runtime;
  const built = { type: 'build', model: id, package: plan.first, manifestJson, weights: bytes, backend: plan.first };
  const state = await runtime.connection.request(built, runtime.runsIn === 'worker' ? [bytes] : []);
  return standIn(runtime, id, state, onChange);
}

let nextModelId = 1;

// The weights as an ArrayBuffer of their own, to transfer: a view of part of a larger buffer
// (a cache's, say) is copied out first, so nothing else is detached.
function ownBuffer(weights) {
  if (weights instanceof ArrayBuffer) return weights;
  const whole = weights.byteOffset === 0 && weights.byteLength === weights.buffer.byteLength;
  return whole ? weights.buffer : weights.slice().buffer;
}

function standIn(runtime, id, first, onChange) {
  const { connection, plan } = runtime;
  let state = first;
  let upgrading = null; // the move to WebGPU, once started
  let upgradeFailure;
  let busy = false;
  const changed = (type) => onChange?.(model, { type });
  connection.listen(id, (event) => {
    state = event.snapshot;
    changed(event.type);
  });
  const call = (method, args) => connection.request({ type: 'call', model: id, method, args });

  const model = {
    get backend() { return state.backend; },
    get fallbackReason() {
      return state.backend === 'cpu' ? (state.fallbackReason ?? upgradeFailure ?? plan.reason) : state.fallbackReason;
    },
    get modalities() { return structuredClone(state.modalities); },
    get manifest() { return structuredClone(state.manifest); },
    get latent() { return state.latent; },
    get defaultTemperature() { return state.defaultTemperature; },
    get gpuLost() { return state.gpuLost; },
    get upgrading() { return busy; },
    runsIn: runtime.runsIn,
    whyMainThread: runtime.whyMainThread,
    generate: (given, options) => call('generate', [given, options]),
    encode: (given) => call('encode', [given]),
    decode: (z) => call('decode', [z]),
    free: () => connection.request({ type: 'free', model: id }),

    /**
     * Move to WebGPU where the plan says to (a hardware adapter under 'auto'): resolves to true
     * once switched, false when the plan has no such move or it failed (fallbackReason says why).
     */
    upgradeToWebGpu() {
      if (plan.then !== 'webgpu') return Promise.resolve(false);
      upgrading ??= upgrade();
      return upgrading;
    },
  };

  async function upgrade() {
    busy = true;
    changed('upgrading');
    try {
      state = await connection.request({ type: 'upgrade', model: id });
      busy = false;
      changed('upgraded');
      return true;
    } catch (error) {
      upgradeFailure = `WebGPU was tried and failed (${messageOf(error).replace(/\.$/, '')})`;
      busy = false;
      changed('upgrade-failed');
      return false;
    }
  }
  return model;
}

/**
 * A connection to a new model worker once it says it is ready: `{ request(message, transfer),
 * listen(model, handler), close() }`; rejects, saying why, when the worker cannot start.
 */
export function connectWorker({ timeoutMs = WORKER_START_MS } = {}) {
  return new Promise((resolve, reject) => {
    let worker;
    try {
      worker = new Worker(WORKER_URL, { type: 'module' });
    } catch (error) {
      reject(new Error(`new Worker(shared/model-worker.js) threw: ${messageOf(error)}`));
      return;
    }
    const fail = (why) => {
      clearTimeout(timer);
      worker.terminate();
      reject(new Error(why));
    };
    const timer = setTimeout(() => fail(`shared/model-worker.js gave no sign of life within ${timeoutMs / 1000} s`), timeoutMs);
    worker.onerror = async (event) => {
      event.preventDefault?.();
      fail(`shared/model-worker.js failed to load (${event.message || await loadProblem()})`);
    };
    worker.onmessage = ({ data }) => {
      if (data?.type !== 'ready') return;
      clearTimeout(timer);
      resolve(workerConnection(worker));
    };
  });
}

// Why a module worker fired `error` without a message: the file missing, else most likely a
// script error in it or a Content-Security-Policy that forbids workers.
async function loadProblem() {
  const status = await httpStatus(WORKER_URL);
  if (status !== null && !(status >= 200 && status < 300)) return `HTTP ${status} for ${WORKER_URL.pathname}`;
  return 'a script error in it or one of its imports, or a Content-Security-Policy that forbids workers';
}

// Requests by id over postMessage, and the host's events by model. An error the worker did not
// catch fails the calls waiting on it (they may never be answered) but not later ones.
function workerConnection(worker) {
  const pending = new Map();
  const listeners = new Map();
  let nextId = 1;
  const failWaiting = (why) => {
    for (const { reject } of pending.values()) reject(new Error(`the model worker failed: ${why}`));
    pending.clear();
  };
  worker.onmessage = ({ data }) => {
    if (data.event) return listeners.get(data.event.model)?.(data.event);
    const waiting = pending.get(data.id);
    pending.delete(data.id);
    if (data.ok) waiting?.resolve(data.value);
    else waiting?.reject(new Error(data.message));
  };
  worker.onerror = (event) => failWaiting(event.message || 'an error it did not report');
  worker.onmessageerror = () => failWaiting('an answer could not be read');
  return {
    request(message, transfer = []) {
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        try {
          worker.postMessage({ ...message, id }, transfer);
        } catch (error) {
          // Arguments that cannot be copied to the worker (a function, say).
          pending.delete(id);
          reject(new Error(`${message.method ?? message.type}: ${messageOf(error)}`));
        }
      });
    },
    listen: (model, handler) => listeners.set(model, handler),
    close: () => worker.terminate(),
  };
}

/** The same connection to a host on the page's main thread, where no worker can start. */
export function connectHere() {
  const listeners = new Map();
  const host = createHost({ emit: (event) => listeners.get(event.model)?.(event) });
  return {
    request: (message) => host.handle(message),
    listen: (model, handler) => listeners.set(model, handler),
    close: () => {},
  };
}
