// What the digits tab assumes of its model: MNIST, i.e. 28x28 grey images and ten labels. The
// canvases, the drawing's preprocessing and the label bars are all built for that shape.

export const SIDE = 28;
export const PIXELS = SIDE * SIDE;

/**
 * The model's labels, and whether it is a CVAE (the label given to its decoder, so that it
 * draws digits from labels but cannot read one from a drawing); a clear error for a model of
 * any other shape.
 */
export function checkMnist(model) {
  const image = model.modalities.find((m) => m.name === 'image');
  const label = model.modalities.find((m) => m.name === 'label');
  const ok = image && String(image.shape) === `${SIDE},${SIDE}` && label && label.labels.length === 10;
  if (!ok) {
    const seen = model.modalities.map((m) => `${m.name} [${m.shape}]`).join(', ');
    throw new Error(`this page needs an MNIST model (image [28,28] + label [10]), got ${seen}`);
  }
  return { labels: [...label.labels], cvae: Boolean(label.condition) };
}
