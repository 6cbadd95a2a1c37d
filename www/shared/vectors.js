// Small sums on the model's flat outputs: rows of probabilities and latent vectors.

/** Index of the largest of `count` values starting at `offset` (one row of a flat array). */
export function argmax(values, offset = 0, count = values.length - offset) {
  let best = 0;
  for (let i = 1; i < count; i++) if (values[offset + i] > values[offset + best]) best = i;
  return best;
}

/** Latent `a` moved a fraction `t` of the way to `b`. */
export function mix(a, b, t) {
  const z = new Float32Array(a.length);
  for (let i = 0; i < z.length; i++) z[i] = (1 - t) * a[i] + t * b[i];
  return z;
}
