// Surviving the loss of the GPU. A WebGPU device can be lost at any time (a driver reset, a
// GPU that went away, GPUDevice.destroy()); from then on every call of a model on it fails
// (cubecl marks the device poisoned, and reading back rejects with "The device is poisoned").
// The page would be dead until reloaded. Instead, each WebGPU model is watched here: once its
// device is lost, it is rebuilt on the CPU backend from the bytes already downloaded, and the
// call that failed (or any call after) runs again there, so the reader sees no error at all,
// only the status line saying that the GPU was lost.
//
// wgpu creates the device inside the wasm, so the page cannot see it directly: watchGpuDevices()
// wraps GPUAdapter.prototype.requestDevice to note each device created and its `lost` promise.
// It imports nothing, so an embedding page can use it as it is; it runs in whichever context
// builds the models (the model worker, model-host.js, or the page itself).

/** Every GPU device created since watchGpuDevices(): `{ device, lost: Promise, info }`. */
const devices = [];
let watching = false;

/** The GPU devices noted so far (for tests, which destroy them to play a lost GPU). */
export function watchedDevices() {
  return devices.map((entry) => entry.device);
}

/** Note each GPU device created from now on (call before the wasm starts WebGPU). Idempotent. */
export function watchGpuDevices() {
  if (watching || typeof GPUAdapter === 'undefined') return;
  watching = true;
  const requestDevice = GPUAdapter.prototype.requestDevice;
  GPUAdapter.prototype.requestDevice = async function watchedRequestDevice(...args) {
    const device = await requestDevice.apply(this, args);
    const entry = { device, info: null };
    entry.lost = device.lost.then((info) => {
      entry.info = { reason: info?.reason ?? 'unknown', message: info?.message ?? '' };
      return entry.info;
    });
    devices.push(entry);
    return device;
  };
}

// How long a failed call waits for its device's `lost` to settle before the failure is taken
// as the call's own (a read can fail a moment before the loss is reported).
const LOST_GRACE_MS = 1000;

/**
 * Build `Model.fromBytes(manifestJson, weights, { backend })` and, when it runs on WebGPU,
 * return a stand-in with the same API that moves to the CPU when the GPU is lost:
 * `onLost(info)` is called when the loss is seen, `onRecovered(model, info)` once the CPU model
 * runs. The stand-in's `gpuLost` is null, or `{ reason, message }` once lost.
 */
export async function buildModel(Model, { manifestJson, weights }, { backend = 'auto', onLost, onRecovered } = {}) {
  const before = devices.length;
  const model = await Model.fromBytes(manifestJson, weights, { backend });
  if (model.backend !== 'webgpu' || !watching) return model;
  // The devices this model runs on: those created while it was built, else (a device reused
  // from an earlier model) all of them.
  const own = devices.length > before ? devices.slice(before) : devices.slice();
  return recovering(model, own, {
    rebuild: () => Model.fromBytes(manifestJson, weights, { backend: 'cpu' }),
    onLost,
    onRecovered,
  });
}

function recovering(gpuModel, own, { rebuild, onLost, onRecovered }) {
  let current = gpuModel;
  let lostInfo = null;
  let moving = null; // the move to the CPU, once started

  function moveToCpu(info) {
    moving ??= (async () => {
      lostInfo = info;
      onLost?.(info);
      // The lost model is left alone, not freed: its device is gone.
      current = await rebuild();
      onRecovered?.(current, info);
      return current;
    })();
    return moving;
  }
  for (const entry of own) entry.lost.then(moveToCpu);

  // The loss, if one of the model's devices reports it within LOST_GRACE_MS; else null.
  async function lostSoon() {
    const seen = own.find((entry) => entry.info);
    if (seen) return seen.info;
    let timer;
    const late = new Promise((done) => (timer = setTimeout(() => done(null), LOST_GRACE_MS)));
    const info = await Promise.race([...own.map((entry) => entry.lost), late]);
    clearTimeout(timer);
    return info;
  }

  async function call(name, args) {
    const model = moving ? await moving : current;
    try {
      return await model[name](...args);
    } catch (error) {
      if (model !== gpuModel || !/poison|lost|destroy|device|map/i.test(String(error?.message ?? error))) throw error;
      const info = await lostSoon();
      if (!info) throw error;
      return (await moveToCpu(info))[name](...args);
    }
  }

  return {
    get backend() { return current.backend; },
    get fallbackReason() { return current.fallbackReason; },
    get modalities() { return current.modalities; },
    get manifest() { return current.manifest; },
    get latent() { return current.latent; },
    get defaultTemperature() { return current.defaultTemperature; },
    get gpuLost() { return lostInfo; },
    generate: (...args) => call('generate', args),
    encode: (...args) => call('encode', args),
    decode: (...args) => call('decode', args),
    free: () => current.free(),
  };
}
