// The WebGPU fallback choice, as the page sees it: ?backend=auto|webgpu|cpu asks (options.js
// reads it), the wasm decides (src/wasm.rs, `choose_device`: WebGPU when it starts and passes a
// small computation, else the CPU backend compiled into the same module), and this says which
// backend runs and why.

/** Where the model runs, and why there when it fell back to the CPU. */
export function describeBackend(model, options) {
  if (model.backend === 'webgpu') return 'Running on WebGPU (GPU).';
  const cpu = 'Running on the CPU (WebAssembly)';
  if (model.fallbackReason) return `${cpu}, as WebGPU is unavailable: ${model.fallbackReason}.`;
  if (options.backend === 'cpu') return `${cpu}, as ?backend=cpu asks.`;
  return `${cpu}.`;
}
