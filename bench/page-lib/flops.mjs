// The arithmetic of a generate call, from the manifest's config: 2·rows·in·out per dense
// layer, and for the 4x4, stride 2, padding 1 convolutions of src/network.rs (each halves, or
// for the transposed ones doubles, the side) 2·Cin·Cout·16·Hout·Wout per conv and
// 2·Cin·Cout·16·Hin·Win per transposed conv. Biases, activations, sampling and the
// distributions' means are left out (they are a few per cent of the multiply-adds).
//
// generate(given, { samples: n }) runs the given modality's unimodal encoder on 1 row (the
// posterior is then repeated n times), and every modality's decoder on n rows; with readBack it
// also runs the generated modalities' encoders and the given one's decoder on n rows.

const KERNEL = 16; // 4x4

const dense = (rows, sizes) => sizes.slice(1).reduce((sum, out, i) => sum + 2 * rows * sizes[i] * out, 0);
const size = (shape) => shape.reduce((a, b) => a * b, 1);

/** FLOPs of a modality's encoder (input -> mean and log-variance) on `rows` rows. */
export function encoderFlops(modality, latent, rows) {
  const net = modality.encoder;
  if (net.type === 'mlp') return dense(rows, [size(modality.shape), ...net.hidden, 2 * latent]);
  if (net.type === 'conv') {
    let [channels, h, w] = modality.shape;
    let flops = 0;
    for (const out of net.channels) {
      h /= 2;
      w /= 2;
      flops += 2 * rows * channels * out * KERNEL * h * w;
      channels = out;
    }
    return flops + dense(rows, [channels * h * w, ...net.hidden, 2 * latent]);
  }
  throw new Error(`encoder type ${net.type} not counted`);
}

/** FLOPs of a modality's decoder (latent -> its parameters) on `rows` rows. */
export function decoderFlops(modality, latent, rows) {
  const net = modality.decoder;
  if (net.type === 'mlp') return dense(rows, [latent, ...net.hidden, size(modality.shape)]);
  if (net.type === 'deconv') {
    const [outChannels, height, width] = modality.shape;
    const steps = net.channels.length;
    let [h, w] = [height / 2 ** steps, width / 2 ** steps];
    let flops = dense(rows, [latent, ...net.hidden, net.channels[0] * h * w]);
    const chain = [...net.channels, outChannels];
    for (let i = 0; i < steps; i++) {
      flops += 2 * rows * chain[i] * chain[i + 1] * KERNEL * h * w;
      h *= 2;
      w *= 2;
    }
    return flops;
  }
  throw new Error(`decoder type ${net.type} not counted`);
}

/** FLOPs of generate({ [givenName]: ... }, { samples, readBack }) for the manifest `config`. */
export function generateFlops(config, givenName, samples, { readBack = false } = {}) {
  const { modalities, latent } = config;
  const given = modalities.find((m) => m.name === givenName);
  if (!given) throw new Error(`no modality ${givenName}`);
  let flops = encoderFlops(given, latent, 1);
  for (const m of modalities) flops += decoderFlops(m, latent, samples);
  if (readBack) {
    for (const m of modalities) if (m !== given) flops += encoderFlops(m, latent, samples);
    flops += decoderFlops(given, latent, samples);
  }
  return flops;
}
