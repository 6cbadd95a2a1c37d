// The page's options, read from its URL, so that a link can pick the backend, the weights or
// the demo shown: ?backend=auto|webgpu|cpu, ?model=URL and ?faces-model=URL (relative to the
// page), and ?panel=faces or #faces for the faces demo (a project site can embed that alone).
// ?gpu=trust-software is for testing: it treats a software WebGPU adapter (SwiftShader) as a
// hardware one, so that ?backend=auto's move to WebGPU can be tried where no GPU is
// (backend-choice.js).
// The state of the demo shown (label, seed, temperature, ...) is permalink.js's.

const BACKENDS = ['auto', 'webgpu', 'cpu'];
const GPU_TRUST = ['trust-software'];
const DEFAULT_MODEL = './models/mnist.json';
// The JMVAE-GAN faces; ?faces-model=./models/celeba.json shows the plain decoder's.
export const DEFAULT_FACES_MODEL = './models/celeba-gan.json';

/** The demos, as tabs; the first is shown unless the URL asks for another. */
export const PANELS = ['digits', 'faces'];

/**
 * { backend, model, facesModel, gpu } from a query string like location.search; an unknown
 * backend or ?gpu= throws.
 */
export function readOptions(search) {
  const params = new URLSearchParams(search);
  const backend = (params.get('backend') || 'auto').toLowerCase();
  if (!BACKENDS.includes(backend)) {
    throw new Error(`?backend=${backend} is not one of ${BACKENDS.join(', ')}`);
  }
  const gpu = (params.get('gpu') || '').toLowerCase() || undefined;
  if (gpu && !GPU_TRUST.includes(gpu)) throw new Error(`?gpu=${gpu} is not one of ${GPU_TRUST.join(', ')}`);
  return {
    backend,
    model: params.get('model') || DEFAULT_MODEL,
    facesModel: params.get('faces-model') || DEFAULT_FACES_MODEL,
    gpu,
  };
}

/**
 * The demo a URL asks for: `#faces` or `?panel=faces` (the hash wins, being what in-page links
 * change); anything else is the first demo, as a mistyped link should still show something.
 */
export function panelFrom(search, hash) {
  const fromHash = hash.replace(/^#/, '').toLowerCase();
  if (PANELS.includes(fromHash)) return fromHash;
  const fromQuery = (new URLSearchParams(search).get('panel') || '').toLowerCase();
  return PANELS.includes(fromQuery) ? fromQuery : PANELS[0];
}
