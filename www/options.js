// The page's options, read from its query string, so that a link can pick the backend or the
// weights: ?backend=auto|webgpu|cpu and ?model=URL (relative to the page).

const BACKENDS = ['auto', 'webgpu', 'cpu'];
const DEFAULT_MODEL = './models/mnist.json';

/** { backend, model } from a query string like location.search; an unknown backend throws. */
export function readOptions(search) {
  const params = new URLSearchParams(search);
  const backend = (params.get('backend') || 'auto').toLowerCase();
  if (!BACKENDS.includes(backend)) {
    throw new Error(`?backend=${backend} is not one of ${BACKENDS.join(', ')}`);
  }
  return { backend, model: params.get('model') || DEFAULT_MODEL };
}
