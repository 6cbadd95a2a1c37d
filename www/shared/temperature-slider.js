// The sampling temperature τ of a grid: latents are z = μ + τ·σ·ε, so τ = 1 samples the
// model's q(z | given) and τ = 0 decodes its mean 16 times. The slider starts at the
// temperature the model's manifest chose (model.defaultTemperature), or at what a link asks.

import { createSlider } from './slider.js';

/** The temperature the model samples at unless told otherwise (1 for a pkg/ that predates it). */
export function defaultTemperature(model) {
  const tau = model.defaultTemperature;
  // An f32 reaches JS as 0.699999988...: the manifest said 0.7.
  return typeof tau === 'number' && Number.isFinite(tau) ? Number(tau.toFixed(6)) : 1;
}

/**
 * Wire a temperature slider (`input`, and `output` for its number) to `onInput`, set to
 * `initial` (from a link) or the model's default. Returns { get(), set(value) }.
 */
export function createTemperature(input, output, model, initial, onInput) {
  const slider = createSlider(input, output, { digits: 2, onInput });
  slider.set(initial ?? defaultTemperature(model));
  return slider;
}
