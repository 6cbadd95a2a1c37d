// The seed inputs: whatever was typed, as a seed the model accepts.

/** A non-negative whole number from the input's text (0 for anything else). */
export function readSeed(input) {
  const seed = Math.trunc(Number(input.value));
  return Number.isFinite(seed) && seed >= 0 ? seed : 0;
}

/** Step the input's seed by one (Resample) and return the new seed. */
export function nextSeed(input) {
  const seed = readSeed(input) + 1;
  input.value = String(seed);
  return seed;
}
