//! The paper's evaluation on the MNIST test set: importance-sampled log-likelihoods,
//! label accuracy from images, and label -> image coherence judged by the classifier.

use burn::tensor::{Device, Tensor};
use indicatif::{ProgressBar, ProgressStyle};
use jmvae::estimate::{log_marginal, log_marginal_from_prior};
use jmvae::infer::decode_all;
use jmvae::{Inputs, Jmvae, SeededRng};
use serde::Serialize;

use crate::batch::{chunks, inputs, one_hot};
use crate::classifier::Classifier;
use crate::mnist::{CLASSES, Split};

/// Rows pushed through a decoder at once (examples x samples), to bound memory.
const ROWS_PER_CALL: usize = 20_000;

/// Everything `jmvae eval` reports, averaged over the test examples.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Metrics {
    /// Test examples used.
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
    /// Fraction of digits generated from each label that the classifier assigns to it.
    pub coherence: Option<f64>,
    /// The same, label by label (0..9).
    pub coherence_per_label: Option<Vec<f64>>,
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

/// For each label w, the fraction of `per_label` digits, z ~ q(z|w), that `classifier`
/// assigns to w.
pub fn coherence_per_label(model: &Jmvae, classifier: &Classifier, per_label: usize, seed: u64, device: &Device) -> Vec<f64> {
    (0..CLASSES)
        .map(|label| {
            let w = one_hot(&[label as u8], device);
            let given: Inputs = vec![None, Some(w)];
            let q = model.posterior(&given);
            let z = jmvae::infer::latents(&q, per_label, seed + label as u64);
            let digits = decode_all(model, z).swap_remove(0);
            let correct = classifier.predict(digits).iter().filter(|&&p| p == label).count();
            correct as f64 / per_label as f64
        })
        .collect()
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

/// Every metric that applies to `model` (a VAE has no label metrics).
pub fn evaluate(
    model: &Jmvae,
    test: &Split,
    k: usize,
    classifier: Option<&Classifier>,
    seed: u64,
    device: &Device,
) -> Metrics {
    let multimodal = model.config.modalities.len() > 1;
    let mut metrics = Metrics { examples: test.len(), k, ..Default::default() };
    // A VAE's only encoder is q(z|x) itself; JMVAE-zero has no q(z|x) to propose with.
    if !multimodal || !model.unimodal_encoders.is_empty() {
        metrics.log_px_unimodal_proposal = Some(mean_log_marginals(model, test, &[0], &[&[0]], k, seed, device)[0]);
    }
    if !multimodal {
        return metrics;
    }
    let joint = mean_log_marginals(model, test, &[0, 1], &[&[0], &[0, 1]], k, seed + 1, device);
    metrics.log_px_joint_proposal = Some(joint[0]);
    let log_pxw = joint[1];
    metrics.log_pxw = Some(log_pxw);
    metrics.log_px_given_w = Some(log_pxw - mean_log_pw(model, test, k.max(1000), seed + 2, device));
    metrics.label_accuracy = Some(label_accuracy(model, test, device));
    if let Some(classifier) = classifier {
        let per_label = coherence_per_label(model, classifier, 1000, seed + 3, device);
        metrics.coherence = Some(per_label.iter().sum::<f64>() / per_label.len() as f64);
        metrics.coherence_per_label = Some(per_label);
        metrics.reconstruction_accuracy = Some(reconstruction_accuracy(model, classifier, test, device));
    }
    metrics
}

impl Metrics {
    /// The metrics as a Markdown table.
    pub fn markdown(&self) -> String {
        let mut out = format!("| metric ({} test examples, K = {}) | value |\n|---|---|\n", self.examples, self.k);
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
        row("label -> image coherence", self.coherence, true);
        row("classifier accuracy (reconstructed test images)", self.reconstruction_accuracy, true);
        row("classifier accuracy (real test images)", self.classifier_accuracy, true);
        out
    }
}
