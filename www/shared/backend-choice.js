// The WebGPU fallback choice, as the page sees it: ?backend=auto|webgpu|cpu asks (options.js
// reads it), the wasm decides (src/wasm.rs, `choose_device`: WebGPU when it starts and passes a
// small computation, else the CPU backend compiled into the same module), and this says which
// backend runs and why, also once a model has moved to the CPU because its GPU was lost
// (gpu-loss.js).

/** Where the model runs, and why there when it fell back to the CPU. */
export function describeBackend(model, options) {
  if (model.gpuLost) return gpuLostText(model.gpuLost);
  if (model.backend === 'webgpu') return 'Running on WebGPU (GPU).';
  const cpu = 'Running on the CPU (WebAssembly)';
  if (model.fallbackReason) return `${cpu}, as WebGPU is unavailable: ${model.fallbackReason}.`;
  if (options.backend === 'cpu') return `${cpu}, as ?backend=cpu asks.`;
  return `${cpu}.`;
}

/** The status line once a model has moved to the CPU because its GPU was lost. */
export function gpuLostText(info) {
  const said = info?.message ? ` (WebGPU said: ${info.message.replace(/\.?$/, '.')})` : '';
  return `The GPU was lost; now running on the CPU (WebAssembly).${said}`;
}
