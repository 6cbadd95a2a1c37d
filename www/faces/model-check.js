// What the faces tab assumes of its model: the image is a 64x64 colour face (channel-first RGB
// in [0, 1]) and the attributes are binary flags whose names come from the manifest (CelebA's
// 40). The canvases, the photo's framing and the toggles are all built for that shape.

export const SIDE = 64;
export const CHANNELS = 3;
/** Values in one face: 3 planes of 64x64 (R, then G, then B). */
export const FACE_VALUES = CHANNELS * SIDE * SIDE;

/** The model's attribute names, or a clear error for another model. */
export function checkFaces(model) {
  const image = model.modalities.find((m) => m.name === 'image');
  const attributes = model.modalities.find((m) => m.name === 'attributes');
  const ok =
    image && image.kind === 'colour_image' && String(image.shape) === `${CHANNELS},${SIDE},${SIDE}` &&
    attributes && attributes.kind === 'binary_attributes' && attributes.labels.length > 0;
  if (!ok) {
    const seen = model.modalities.map((m) => `${m.name} (${m.kind}) [${m.shape}]`).join(', ');
    throw new Error(`the faces panel needs a faces model (image colour_image [3,64,64] + attributes binary_attributes), got ${seen}`);
  }
  return { labels: [...attributes.labels] };
}
