// The model worker: a module Web Worker (worker-client.js starts it) that runs the models, so that
// the page's main thread never waits while the CPU backend computes. It answers the messages of
// model-host.js, `{ id, type, ... }` -> `{ id, ok: true, value }` or `{ id, ok: false, message }`,
// transferring the Float32Arrays of its answers rather than copying them, and passes the host's
// events on as `{ event }`. Its first message, `{ type: 'ready' }`, says that it and its
// imports loaded; a page that does not hear it soon runs the models itself.
//
// For tests and the curious: `self.jmvae = { gpuDevices() }`, the GPU devices created here (a
// test destroys them to play a lost GPU; see gpu-loss.js).

import { messageOf, rememberPanics } from './error-messages.js';
import { watchedDevices } from './gpu-loss.js';
import { createHost } from './model-host.js';

rememberPanics(); // a Rust panic's message, not "unreachable", goes back to the page
const host = createHost({ emit: (event) => self.postMessage({ event }) });
self.jmvae = { gpuDevices: watchedDevices };

self.addEventListener('message', async ({ data }) => {
  const { id } = data;
  let value;
  try {
    value = await host.handle(data);
  } catch (error) {
    self.postMessage({ id, ok: false, message: messageOf(error) });
    return;
  }
  self.postMessage({ id, ok: true, value }, buffersOf(value));
});

/**
 * The buffers of the typed arrays in an answer (`out.image`, `out.readBack.label`, ...), each
 * only when the array is its buffer's sole view: a view into wasm memory must stay behind.
 */
function buffersOf(value, depth = 0) {
  if (ArrayBuffer.isView(value)) return value.byteLength === value.buffer.byteLength && value.buffer instanceof ArrayBuffer ? [value.buffer] : [];
  if (!value || typeof value !== 'object' || depth > 2) return [];
  const buffers = Object.values(value).flatMap((field) => buffersOf(field, depth + 1));
  return [...new Set(buffers)];
}

self.postMessage({ type: 'ready' });
