// The image a panel starts from before the visitor draws or chooses one: one drawn by the model
// itself from the figure's `given` (seed and temperature as set), so that every figure is live
// without input, and no dataset image is ever shipped.

import { givenValues } from './sources.js';

/** One image of `image` generated from `given` (else the first other modality's default). */
export async function exampleImage(ctx, image, others) {
  const given = givenValues(others, ctx.options.given);
  const out = await ctx.model.generate(given, { samples: 1, seed: ctx.options.seed, temperature: ctx.options.temperature });
  return out[image.name];
}

/** The refusal of a CVAE for panels that read or encode an image without its conditions. */
export function conditionsOf(modalities) {
  return modalities.filter((m) => m.condition).map((m) => m.name);
}
