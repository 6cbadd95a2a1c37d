// A manifest in words: what the weights are, how they were trained and what they measured, as
// rows a reader can take in ("Label accuracy from images: 97.5 %") instead of raw keys. Pure
// (no DOM), tested in Node; the page's "About these weights" and the `about` panel show it, with
// the whole manifest one click away. Metrics this file does not know are left to the manifest.

const pct = (p) => `${(100 * p).toFixed(1)} %`;
const nats = (v) => `${v.toFixed(2).replace('-', '−')} nats`;
const isNumber = (v) => typeof v === 'number' && Number.isFinite(v);
const capital = (word) => word.charAt(0).toUpperCase() + word.slice(1);

/** `[[term, sentence]]` for `manifest`: name, data, weights, training, then each known metric. */
export function describeManifest(manifest) {
  const m = manifest.metrics ?? {};
  const on = m.examples && m.split ? ` (${Number(m.examples).toLocaleString('en')} ${m.split} examples)` : '';
  const rows = [
    ['Model', manifest.name],
    ['Data', manifest.dataset],
    ['Weights', weights(manifest.weights)],
    ['Training', training(manifest.training)],
    ...metricRows(m, on),
    ['Sampling', sampling(manifest.sampling, m.temperature)],
    ['Notice', manifest.notice],
  ];
  return rows.filter(([, text]) => text);
}

function weights(w) {
  if (!w) return '';
  return `${w.file}, ${(Number(w.bytes) / 1e6).toFixed(1)} MB stored as ${w.dtype}`;
}

function training(t) {
  if (!t) return '';
  const parts = [
    t.decoder === 'gan' && 'JMVAE-GAN decoder',
    isNumber(t.epochs) && `${t.epochs} epochs`,
    isNumber(t.alpha) && `α = ${t.alpha}`,
    isNumber(t.parameters) && `${t.parameters.toLocaleString('en')} parameters`,
    isNumber(t.seconds) && `${Math.round(t.seconds).toLocaleString('en')} s`,
    t.refit && `a refit of the ${t.refit} encoder`,
  ].filter(Boolean);
  return parts.join(', ');
}

function sampling(s, temperature) {
  if (!isNumber(s?.temperature ?? temperature)) return '';
  const tau = Number((s?.temperature ?? temperature).toFixed(4)); // an f32 read back as 0.949999988...
  return s?.chosen_by ? `temperature ${tau}: ${s.chosen_by}` : `temperature ${tau}`;
}

// One row per metric the trainer writes that a reader cares about, in a reading order.
function metricRows(m, on) {
  const rows = [];
  const add = (term, ok, text) => ok && rows.push([term, text()]); // text only when there is a value
  add('log p(image)', isNumber(m.log_px_unimodal_proposal), () => `${nats(m.log_px_unimodal_proposal)} on test images${on}, importance-sampled with K = ${m.k}`);
  add('log p(image | label)', isNumber(m.log_px_given_w) && !isNumber(m.log_px_unimodal_proposal), () => `${nats(m.log_px_given_w)}${on}`);
  add('Label accuracy from images', isNumber(m.label_accuracy), () => `${pct(m.label_accuracy)} of test images: the label the model reads from an image is its own`);
  add('Coherence', isNumber(m.coherence), () => `${pct(m.coherence)} of the images drawn from a label are read as that label by an independent judge${m.judge ? ` (${m.judge.split(',')[0]}; ${pct(m.classifier_accuracy)} on real images)` : ''}`);
  add('Diversity', isNumber(m.diversity), () => `${m.diversity.toFixed(2)}: the spread of images drawn from one label, as a ratio to real images of it`);
  // A folder model's report: each class read from images, the judged coherence, every direction.
  for (const [name, accuracy] of Array.isArray(m.class_accuracy) ? m.class_accuracy : []) {
    add(`${capital(name)} accuracy from images`, isNumber(accuracy), () => `${pct(accuracy)} of test images: the ${name} the model reads from an image is its own`);
  }
  const judged = m.coherence && typeof m.coherence === 'object' ? m.coherence : null;
  add('Coherence', isNumber(judged?.coherence), () => `${pct(judged.coherence)} of the images drawn from a label (τ = ${Number(judged.temperature.toFixed(4))}) are read as that label by an independent judge${isNumber(m.classifier_accuracy) ? ` (${pct(m.classifier_accuracy)} on real images)` : ''}; their spread is ${judged.diversity.toFixed(2)} of real images`);
  const cross = Array.isArray(m.cross_coherence) ? m.cross_coherence : [];
  add('Coherence between modalities', cross.length > 0, () => `${cross.map((d) => `${d.from} → ${d.to} ${pct(d.coherence)}`).join(', ')}: the share of test examples whose target, generated from the source alone, is of their class`);
  add('Attribute accuracy from images', isNumber(m.mean_attribute_accuracy), () => `${pct(m.mean_attribute_accuracy)}, mean over ${m.attributes?.length ?? '?'} attributes${isNumber(m.mean_majority_baseline) ? ` (always guessing the majority: ${pct(m.mean_majority_baseline)})` : ''}`);
  add('Attributes read back', isNumber(m.read_back), () => `${pct(m.read_back)} of the attributes asked for are read in the faces drawn from them, by an attribute classifier${isNumber(m.classifier_read_back) ? ` that reads ${pct(m.classifier_read_back)} on real faces` : ''}`);
  const fd = m.realism?.frechet_classifier_features;
  add('Fréchet distance', isNumber(fd), () => `${fd?.toFixed(1)} between generated and real faces on the attribute classifier's features (lower is closer)`);
  const widths = m.encoder_widths;
  add('Encoder widths', isNumber(widths?.label_active), () => `mean σ on the ${widths?.active_units} active latent units: q(z | label) ${widths?.label_active?.toFixed(2)}, q(z | image) ${widths?.image_active?.toFixed(2)}, q(z | image, label) ${widths?.joint_active?.toFixed(2)} (the prior: 1)`);
  return rows;
}
