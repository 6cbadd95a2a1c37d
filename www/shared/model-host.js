// The models of one context, driven by messages: the model worker (model-worker.js) runs one
// host, and the page runs one itself when no worker can start (worker-client.js), so both paths
// run the same code. A message is `{ type, ... }`:
//   start   { package, module }  start build `package` ('cpu' | 'webgpu'), from `module` if given
//   build   { model, package, manifestJson, weights, backend }  build model `model` (an id)
//   call    { model, method, args }  generate | encode | decode on it
//   upgrade { model }  build it on WebGPU, check it against the CPU model, switch to it
//   free    { model }
// Each answer (and each event) carries the model's state, its `snapshot`. A WebGPU model moves
// to the CPU by itself when its GPU is lost (gpu-loss.js); `emit` reports that as events
// `{ model, type: 'lost' | 'recovered', snapshot }`.

import { buildModel, watchGpuDevices } from './gpu-loss.js';
import { checkAgainst } from './gpu-upgrade.js';
import { loadPackage } from './pkg-loader.js';

const METHODS = ['generate', 'encode', 'decode'];

/** A host for models in this context; `emit(event)` hears their GPU losses. */
export function createHost({ emit = () => {} } = {}) {
  watchGpuDevices(); // before any wasm of this context creates a GPU device
  const slots = new Map(); // model id -> { model, files }
  const slot = (id) => {
    if (!slots.has(id)) throw new Error(`no model ${id} in this context (freed, or never built)`);
    return slots.get(id);
  };

  // The model built by `Model` on `backend`, reporting its GPU loss as events of model `id`.
  function build(Model, id, files, backend) {
    const report = (type) => () => slots.has(id) && emit({ model: id, type, snapshot: snapshot(slot(id).model) });
    return buildModel(Model, files, { backend, onLost: report('lost'), onRecovered: report('recovered') });
  }

  const handlers = {
    async start({ package: name, module }) {
      await loadPackage(name, { module });
      return true;
    },
    async build({ model: id, package: name, manifestJson, weights, backend }) {
      const { Model } = await loadPackage(name);
      const files = { manifestJson, weights };
      const model = await build(Model, id, files, backend);
      slots.set(id, { model, files });
      return snapshot(model);
    },
    async call({ model: id, method, args = [] }) {
      if (!METHODS.includes(method)) throw new Error(`a model has no method '${method}' (it has ${METHODS.join(', ')})`);
      return slot(id).model[method](...args);
    },
    async upgrade({ model: id }) {
      const current = slot(id);
      const { Model } = await loadPackage('webgpu');
      const gpu = await build(Model, id, current.files, 'webgpu');
      try {
        await checkAgainst(gpu, current.model);
      } catch (error) {
        gpu.free?.();
        throw error;
      }
      // A call still running on the CPU model keeps it alive inside the wasm until it is done.
      const cpu = current.model;
      current.model = gpu;
      cpu.free?.();
      return snapshot(gpu);
    },
    async free({ model: id }) {
      slots.get(id)?.model.free?.();
      slots.delete(id);
      return true;
    },
  };

  /** Answer one message (see the file's header); rejects with the step's error. */
  function handle(message) {
    const handler = handlers[message?.type];
    if (!handler) return Promise.reject(new Error(`the model host got an unknown message '${message?.type}'`));
    return handler(message);
  }
  return { handle };
}

/** What a page needs to know of a model without asking it again: its getters' values. */
export function snapshot(model) {
  return {
    backend: model.backend,
    fallbackReason: model.fallbackReason,
    modalities: model.modalities,
    manifest: model.manifest,
    latent: model.latent,
    defaultTemperature: model.defaultTemperature,
    gpuLost: model.gpuLost ?? null,
  };
}
