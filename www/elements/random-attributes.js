// Random attributes: each present as often as in the training set (the manifest's
// metrics.train_frequencies, where the trainer wrote them; else one half), from a seed, so that a
// seed always gives the same set. Independent draws: correlations between attributes are lost.

/** The training frequency of each of `count` attributes, or null where the manifest has none. */
export function trainFrequencies(manifest, count) {
  const values = manifest?.metrics?.train_frequencies;
  return Array.isArray(values) && values.length === count && values.every((v) => Number.isFinite(v)) ? values : null;
}

/** A 0/1 vector of `count` attributes drawn with `frequencies` (or 0.5 each) from `seed`. */
export function randomAttributes(count, frequencies, seed) {
  const next = mulberry32(seed);
  return Float32Array.from({ length: count }, (_, i) => (next() < (frequencies ? frequencies[i] : 0.5) ? 1 : 0));
}

// A small seeded generator (Tommy Ettinger's Mulberry32): uniform numbers in [0, 1).
function mulberry32(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
