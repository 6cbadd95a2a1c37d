//! The paper's evaluation on the MNIST test (or validation) set: importance-sampled
//! log-likelihoods, label accuracy from images, and label -> image coherence judged by the CNN
//! classifier, as a curve over the sampling temperature with diversity beside it.

use burn::tensor::{Device, Tensor};
use indicatif::{ProgressBar, ProgressStyle};
use jmvae::estimate::{log_marginal, log_marginal_from_prior};
use jmvae::infer::{Temperature, decode_all};
use jmvae::weights::Sampling;
use jmvae::{Inputs, Jmvae, SeededRng};
use serde::Serialize;

use crate::batch::{chunks, inputs};
use crate::classifier::Classifier;
use crate::coherence::{
    CurvePoint, EncoderWidths, REPORTED_TEMPERATURES, choose_temperature, curve, curve_temperatures, encoder_widths, real_diversity,
    selection_grid,
};
use crate::mnist::{CLASSES, Split};

/// Rows pushed through a decoder at once (examples x samples), to bound memory.
const ROWS_PER_CALL: usize = 20_000;

/// Digits generated per label for coherence.
const PER_LABEL: usize = 1000;
/// Digits per label at each point of the temperature-selection grid.
const PER_LABEL_SELECTION: usize = 500;

/// How `evaluate` (and the faces' `evaluate_faces::evaluate`) runs.
#[derive(Clone, Debug)]
pub struct Options {
    /// Importance samples per example (the faces report no importance-sampled estimate).
    pub k: usize,
    /// Seed of every estimate.
    pub seed: u64,
    /// The temperature of the headline coherence.
    pub temperature: Temperature,
    /// `test` or `validation`.
    pub split: &'static str,
}

impl Options {
    /// Whether the report chooses the default temperature: on validation only, never on test.
    pub fn chooses_temperature(&self) -> bool {
        self.split == "validation"
    }
}

/// Everything `jmvae eval` reports, averaged over the examples of the split.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Metrics {
    /// The split evaluated: `test` or `validation`.
    pub split: String,
    /// Examples used.
    pub examples: usize,
    /// Importance samples per example.
    pub k: usize,
    /// log p(x), proposal q(z|x).
    pub log_px_unimodal_proposal: Option<f64>,
    /// log p(x), proposal q(z|x,w).
    pub log_px_joint_proposal: Option<f64>,
    /// log p(x,w), proposal q(z|x,w).
    pub log_pxw: Option<f64>,
    /// log p(x|w) = log p(x,w) - log p(w).
    pub log_px_given_w: Option<f64>,
    /// Accuracy of argmax p(w|z), z = mean of q(z|x).
    pub label_accuracy: Option<f64>,
    /// The judge: what it is and its own test accuracy is `classifier_accuracy`.
    pub judge: Option<String>,
    /// The temperature of `coherence` below (the manifest's default, or --temperature).
    pub temperature: f32,
    /// Fraction of digits generated from each label that the classifier assigns to it.
    pub coherence: Option<f64>,
    /// The same, label by label (0..9).
    pub coherence_per_label: Option<Vec<f64>>,
    /// The diversity ratio at that temperature (judge features, generated over real).
    pub diversity: Option<f64>,
    /// Coherence, read-back and diversity at τ = 0, 0.25, 0.5, 0.75, 1.
    pub coherence_curve: Option<Vec<CurvePoint>>,
    /// Mean σ of q(z|w), q(z|x) and q(z|x,w) on the split.
    pub encoder_widths: Option<EncoderWidths>,
    /// Validation only: the default temperature chosen and the rule that chose it.
    pub sampling: Option<Sampling>,
    /// Validation only: the grid the rule read.
    pub selection_curve: Option<Vec<CurvePoint>>,
    /// The classifier's accuracy on the model's reconstructions of the test images.
    pub reconstruction_accuracy: Option<f64>,
    /// The classifier's own accuracy on the real test images.
    pub classifier_accuracy: Option<f64>,
}

fn progress(len: usize, what: &str) -> ProgressBar {
    let bar = ProgressBar::new(len as u64);
    bar.set_style(ProgressStyle::with_template(&format!("{what:>12} {{bar:30}} {{pos}}/{{len}} [{{elapsed}}<{{eta}}]")).unwrap());
    bar
}

/// Mean over `split` of log p(T) for each target set T, with the posterior of `proposal`
/// (modality indices); the sets share one pass of `k` samples per example.
pub fn mean_log_marginals(
    model: &Jmvae,
    split: &Split,
    proposal: &[usize],
    target_sets: &[&[usize]],
    k: usize,
    seed: u64,
    device: &Device,
) -> Vec<f64> {
    let n = model.config.modalities.len();
    let mut rng = SeededRng::new(seed);
    let mut totals = vec![0.0; target_sets.len()];
    let bar = progress(split.len(), "log p");
    for indices in chunks(split.len(), (ROWS_PER_CALL / k).max(1)) {
        let data = inputs(split, &indices, n, device);
        let given: Inputs = (0..n).map(|m| proposal.contains(&m).then(|| data[m].clone())).collect();
        let values = log_marginal(model, &given, &data, target_sets, k, &mut rng);
        for (total, v) in totals.iter_mut().zip(values) {
            *total += v.sum().into_scalar::<f64>();
        }
        bar.inc(indices.len() as u64);
    }
    bar.finish_and_clear();
    totals.into_iter().map(|t| t / split.len() as f64).collect()
}

/// Mean over `split` of log p(w), each label's value estimated once with `n` prior samples.
pub fn mean_log_pw(model: &Jmvae, split: &Split, n: usize, seed: u64, device: &Device) -> f64 {
    let eye = Tensor::<2>::eye(CLASSES, device);
    let per_class = log_marginal_from_prior(model, 1, eye, n, &mut SeededRng::new(seed))
        .into_data()
        .try_to_vec::<f32>()
        .expect("f32 values");
    split.labels.iter().map(|&l| per_class[l as usize] as f64).sum::<f64>() / split.len() as f64
}

/// Accuracy of argmax p(w|z) with z the mean of q(z|x).
pub fn label_accuracy(model: &Jmvae, split: &Split, device: &Device) -> f64 {
    let n = model.config.modalities.len();
    let mut correct = 0;
    for indices in chunks(split.len(), 1000) {
        let data = inputs(split, &indices, n, device);
        let mut given: Inputs = vec![None; n];
        given[0] = Some(data[0].clone());
        let z = model.posterior(&given).mean;
        let predicted = model.decode_logits(1, z).argmax(1).into_data();
        correct += indices
            .iter()
            .zip(predicted.iter::<i64>())
            .filter(|&(&i, p)| split.labels[i] as i64 == p)
            .count();
    }
    correct as f64 / split.len() as f64
}

/// Accuracy of `classifier` on the model's reconstructions of `split` (decoded means of
/// q(z|x,w)): how well the judge reads the model's blurry outputs at all.
pub fn reconstruction_accuracy(model: &Jmvae, classifier: &Classifier, split: &Split, device: &Device) -> f64 {
    let n = model.config.modalities.len();
    let mut correct = 0;
    for indices in chunks(split.len(), 1000) {
        let data = inputs(split, &indices, n, device);
        let z = model.joint_encoder(&data.into_iter().map(Some).collect()).mean;
        let predicted = classifier.predict(decode_all(model, z).swap_remove(0));
        correct += indices.iter().zip(predicted).filter(|&(&i, p)| split.labels[i] as usize == p).count();
    }
    correct as f64 / split.len() as f64
}

/// Every metric that applies to `model` (a VAE has no label metrics), on `split` (binarised)
/// with `real` its grey-level images (the judge's reference for diversity).
pub fn evaluate(
    model: &Jmvae,
    split: &Split,
    real: &Split,
    judge: Option<&Classifier>,
    options: &Options,
    device: &Device,
) -> anyhow::Result<Metrics> {
    let Options { k, seed, temperature, .. } = *options;
    let multimodal = model.config.modalities.len() > 1;
    let mut metrics = Metrics { split: options.split.into(), examples: split.len(), k, temperature: temperature.value(), ..Default::default() };
    // A VAE's only encoder is q(z|x) itself; JMVAE-zero has no q(z|x) to propose with.
    if !multimodal || !model.unimodal_encoders.is_empty() {
        metrics.log_px_unimodal_proposal = Some(mean_log_marginals(model, split, &[0], &[&[0]], k, seed, device)[0]);
    }
    if !multimodal {
        return Ok(metrics);
    }
    let joint = mean_log_marginals(model, split, &[0, 1], &[&[0], &[0, 1]], k, seed + 1, device);
    metrics.log_px_joint_proposal = Some(joint[0]);
    let log_pxw = joint[1];
    metrics.log_pxw = Some(log_pxw);
    metrics.log_px_given_w = Some(log_pxw - mean_log_pw(model, split, k.max(1000), seed + 2, device));
    metrics.label_accuracy = Some(label_accuracy(model, split, device));
    metrics.encoder_widths = Some(encoder_widths(model, split, device)?);
    if let Some(judge) = judge {
        let reference = real_diversity(judge, real, device);
        let temperatures = curve_temperatures(temperature);
        // Choices read the validation draws; the test report draws afresh, so no choice saw its digits.
        let draws = if options.split == "test" { seed + 20_003 } else { seed + 3 };
        let points = curve(model, judge, &reference, &temperatures, PER_LABEL, draws, device)?;
        let headline = points.iter().find(|p| p.temperature == temperature.value()).expect("in the curve");
        metrics.coherence = Some(headline.coherence);
        metrics.coherence_per_label = Some(headline.coherence_per_label.clone());
        metrics.diversity = Some(headline.diversity);
        metrics.coherence_curve = Some(points.into_iter().filter(|p| REPORTED_TEMPERATURES.contains(&p.temperature)).collect());
        metrics.reconstruction_accuracy = Some(reconstruction_accuracy(model, judge, split, device));
        metrics.classifier_accuracy = Some(crate::classifier::accuracy(judge, real, device));
        metrics.judge = Some("CNN 32-64 (4x4 stride-2 convolutions) + 128 + 10, trained on real training images (`jmvae train-classifier`)".into());
        if options.chooses_temperature() {
            // Fresh noise (another seed) for the choice, so it does not reuse the curve's draws.
            let grid = curve(model, judge, &reference, &selection_grid(), PER_LABEL_SELECTION, seed + 1000, device)?;
            let (tau, rule) = choose_temperature(&grid);
            metrics.sampling = Some(Sampling { temperature: Temperature::new(tau)?, chosen_by: rule });
            metrics.selection_curve = Some(grid);
        }
    }
    Ok(metrics)
}

impl Metrics {
    /// The metrics as a Markdown table.
    pub fn markdown(&self) -> String {
        let mut out = format!("| metric ({} {} examples, K = {}) | value |\n|---|---|\n", self.examples, self.split, self.k);
        let mut row = |name: &str, value: Option<f64>, percent: bool| {
            if let Some(v) = value {
                let v = if percent { format!("{:.2} %", v * 100.0) } else { format!("{v:.2}") };
                out.push_str(&format!("| {name} | {v} |\n"));
            }
        };
        row("log p(x), proposal q(z|x)", self.log_px_unimodal_proposal, false);
        row("log p(x), proposal q(z|x,w)", self.log_px_joint_proposal, false);
        row("log p(x,w)", self.log_pxw, false);
        row("log p(x|w)", self.log_px_given_w, false);
        row("label accuracy from images", self.label_accuracy, true);
        let tau = self.temperature;
        row(&format!("label -> image coherence (CNN judge, τ = {tau})"), self.coherence, true);
        row(&format!("diversity ratio (judge features, τ = {tau})"), self.diversity, false);
        if let Some(w) = &self.encoder_widths {
            row("mean σ of q(z|w)", Some(w.label), false);
            row("mean σ of q(z|x)", Some(w.image), false);
            row("mean σ of q(z|x,w)", Some(w.joint), false);
            row(&format!("mean σ of q(z|w) over the {} active units", w.active_units), Some(w.label_active), false);
            row(&format!("mean σ of q(z|x) over the {} active units", w.active_units), Some(w.image_active), false);
            row(&format!("mean σ of q(z|x,w) over the {} active units", w.active_units), Some(w.joint_active), false);
        }
        row("classifier accuracy (reconstructed test images)", self.reconstruction_accuracy, true);
        row("classifier accuracy (real images of the split)", self.classifier_accuracy, true);
        if let Some(curve) = &self.coherence_curve {
            out.push_str("\n| τ | coherence (judge) | read back by the model | diversity ratio |\n|---:|---:|---:|---:|\n");
            for p in curve {
                out.push_str(&format!(
                    "| {} | {:.2} % | {:.2} % | {:.2} |\n",
                    p.temperature,
                    p.coherence * 100.0,
                    p.read_back * 100.0,
                    p.diversity
                ));
            }
        }
        if let Some(s) = &self.sampling {
            out.push_str(&format!("\ndefault temperature chosen on {}: {} ({})\n", self.split, s.temperature, s.chosen_by));
        }
        out
    }
}
