// The check before a page moves from the CPU to WebGPU (backend-choice.js's hardware path): the
// WebGPU model must decode the same latents to the same outputs as the CPU model that already
// runs, within the tolerance the browser tests hold the page to against the native trainer.
// A driver that computes garbage, or a model that cannot run at all, is caught here, before the
// reader sees a single wrong image. The decode also compiles the GPU's shaders, so the first
// call the reader makes on WebGPU is a warm one. It imports nothing: models are duck-typed.

/** The largest difference allowed between the WebGPU and the CPU outputs. */
export const UPGRADE_TOLERANCE = 1e-3;

// Two latents, fixed and varied: sin(1), sin(2), ... lie in [-1, 1] like typical posteriors.
const PROBE_ROWS = 2;

/**
 * Resolve once `candidate` decodes the probe latents like `reference` does (every output within
 * UPGRADE_TOLERANCE); reject, saying which output differs and by how much, otherwise.
 */
export async function checkAgainst(candidate, reference) {
  const z = Float32Array.from({ length: PROBE_ROWS * reference.latent }, (_, i) => Math.sin(i + 1));
  const expected = await reference.decode(z);
  const actual = await candidate.decode(z);
  for (const { name } of reference.modalities) {
    const worst = maxAbsDiff(actual[name], expected[name]);
    if (!(worst <= UPGRADE_TOLERANCE)) {
      throw new Error(`WebGPU's ${name} differs from the CPU's by ${worst} (more than ${UPGRADE_TOLERANCE}) on a test latent`);
    }
  }
}

/** Largest |a[i] - b[i]|; NaN when either is missing, of another length, or holds a NaN. */
export function maxAbsDiff(a, b) {
  if (!a || !b || a.length !== b.length) return NaN;
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (Number.isNaN(d)) return NaN;
    if (d > worst) worst = d;
  }
  return worst;
}
