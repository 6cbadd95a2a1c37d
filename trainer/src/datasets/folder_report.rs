//! `jmvae eval` on a folder dataset: the importance-sampled log-likelihoods, the accuracy
//! with which each categorical or attribute modality is read from the image, and with judges
//! the coherence of generated images (from `label`, and between every two modalities).

use anyhow::Result;
use burn::tensor::Device;
use jmvae::weights::Sampling;
use jmvae::{Jmvae, ModalityKind};
use serde::Serialize;

use super::{Options, Report, metric_row, metric_table};
use crate::examples::{Examples, SplitName};
use crate::judges::digits::Classifier;
use crate::metrics::accuracy::{attribute_accuracy, class_accuracy, frequencies, judge_class_accuracy, majority_baseline};
use crate::metrics::coherence::{CurvePoint, curve};
use crate::metrics::cross_coherence::{Direction, cross_coherence, table};
use crate::metrics::diversity::class_diversity;
use crate::metrics::likelihoods::mean_log_marginals;
use crate::metrics::mean;
use crate::modalities::{IMAGE, LABEL, is_image};

use crate::metrics::temperature::{DIGITS_RULE, coherence_scores, selection_grid};
use crate::seeds::{Stream, seed_for};

/// Images generated per class for coherence (the digits' protocol).
const PER_CLASS: usize = 1000;
/// Images generated per class at each τ of the validation grid that chooses the temperature.
const PER_CLASS_SELECTION: usize = 500;

/// Everything `jmvae eval` reports for a folder dataset.
#[derive(Clone, Debug, Default, Serialize)]
pub struct FolderReport {
    /// The split evaluated.
    pub split: SplitName,
    /// Examples used.
    pub examples: usize,
    /// Importance samples per example.
    pub k: usize,
    /// log p(image), proposal q(z|image) (none for JMVAE-zero, which has no such encoder).
    pub log_px_unimodal_proposal: Option<f64>,
    /// log p(image), proposal q(z|all).
    pub log_px_joint_proposal: Option<f64>,
    /// log p(all modalities), proposal q(z|all).
    pub log_p_joint: Option<f64>,
    /// Per categorical modality: its name, and the accuracy of argmax p(w|z), z the mean of q(z|image).
    pub class_accuracy: Vec<(String, f64)>,
    /// The attribute names, in the order of the lists below.
    pub attributes: Vec<String>,
    /// Per attribute: accuracy of p(a|z) > 1/2, z the mean of q(z|image).
    pub attribute_accuracy: Vec<f64>,
    /// Its mean.
    pub mean_attribute_accuracy: Option<f64>,
    /// Per attribute: always answering the training split's more frequent value.
    pub majority_baseline: Vec<f64>,
    /// The judge (`--classifier`): its accuracy on the split's real images, the ceiling for coherence.
    pub classifier_accuracy: Option<f64>,
    /// Label -> image coherence, read-back and diversity at `temperature`, judged.
    pub coherence: Option<CurvePoint>,
    /// The temperature of `coherence` and `cross_coherence`.
    pub temperature: f32,
    /// Per judge (`--classifier` for `image`, `--judge NAME=PATH`): its image modality and its
    /// accuracy on the split's real images of it, the ceiling for coherence into that modality.
    pub judge_accuracy: Vec<(String, f64)>,
    /// A model of three or more modalities with unimodal encoders: the coherence of every
    /// direction from one modality to another whose target is judged (see `metrics::cross_coherence`).
    pub cross_coherence: Vec<Direction>,
    /// The image modalities left out of `cross_coherence` as targets, for want of a judge.
    pub unjudged: Vec<String>,
    /// On validation, with the judge of `image`: the default temperature chosen by the digits'
    /// rule (label -> image coherence and diversity on a grid of τ), for `jmvae export --sampling`.
    pub sampling: Option<Sampling>,
    /// The grid it was chosen on.
    pub selection_curve: Option<Vec<CurvePoint>>,
}

/// Every metric that applies to `model` on `split` (as the estimators see it), with `real` its
/// intensities for the judge and `train` for the majority baseline.
pub fn evaluate(model: &Jmvae, [split, real, train]: [&dyn Examples; 3], judges: &[(String, Classifier)], options: &Options, device: &Device) -> Result<FolderReport> {
    let Options { k, seed, .. } = *options;
    let config = &model.config;
    let mut report = FolderReport { split: options.split, examples: split.len(), k, temperature: options.temperature.value(), ..Default::default() };
    for (name, judge) in judges {
        report.judge_accuracy.push((name.clone(), judge_class_accuracy(judge, real, name, LABEL, device)?));
    }
    if let Some((_, judge)) = judges.iter().find(|(name, _)| name == IMAGE) {
        report.classifier_accuracy = report.judge_accuracy.iter().find(|(name, _)| name == IMAGE).map(|(_, a)| *a);
        // The spread of the real images of each class, in the judge's features: read once, the
        // yardstick of every diversity below.
        let reference = class_diversity(judge, real, LABEL, config.modality(LABEL)?.size(), device)?;
        report.coherence = Some(coherence(model, judge, &reference, options, device)?);
        if options.chooses_temperature() {
            let grid = selection(model, judge, &reference, seed, device)?;
            report.sampling = Some(DIGITS_RULE.sampling(&coherence_scores(&grid))?);
            report.selection_curve = Some(grid);
        }
    }
    let all: Vec<&str> = config.modalities.iter().map(|m| m.name.as_str()).collect();
    if all.len() == 1 || !model.unimodal_encoders.is_empty() {
        report.log_px_unimodal_proposal = Some(mean_log_marginals(model, split, &[IMAGE], &[&[IMAGE]], k, seed, device)?[0]);
    }
    if all.len() == 1 || !config.conditions.is_empty() {
        return Ok(report);
    }
    let joint = mean_log_marginals(model, split, &all, &[&[IMAGE], &all], k, seed_for(seed, Stream::JointProposal), device)?;
    (report.log_px_joint_proposal, report.log_p_joint) = (Some(joint[0]), Some(joint[1]));
    for m in &config.modalities {
        match m.kind {
            ModalityKind::Categorical => report.class_accuracy.push((m.name.clone(), class_accuracy(model, split, IMAGE, &m.name, device)?)),
            ModalityKind::BinaryAttributes => {
                report.attributes = m.labels.clone();
                report.attribute_accuracy = attribute_accuracy(model, split, IMAGE, &m.name, device)?;
                report.mean_attribute_accuracy = Some(mean(&report.attribute_accuracy));
                report.majority_baseline = majority_baseline(&frequencies(train, &m.name, device)?, &frequencies(split, &m.name, device)?);
            }
            _ => {}
        }
    }
    if config.modalities.len() >= 3 && !model.unimodal_encoders.is_empty() && config.modality(LABEL).is_ok_and(|m| m.kind == ModalityKind::Categorical) {
        let draws = seed_for(seed, Stream::CrossCoherence);
        report.cross_coherence = cross_coherence(model, split, judges, LABEL, options.temperature, draws, device)?;
        let judged = |name: &str| judges.iter().any(|(n, _)| n == name);
        report.unjudged = config.modalities.iter().filter(|m| is_image(&m.kind) && !judged(&m.name)).map(|m| m.name.clone()).collect();
    }
    Ok(report)
}

/// Label -> image coherence at the options' temperature, against the real images' diversity `reference`.
fn coherence(model: &Jmvae, judge: &Classifier, reference: &[f64], options: &Options, device: &Device) -> Result<CurvePoint> {
    // As for the digits: the test report's draws are apart from every choice's.
    let draws = match options.split {
        SplitName::Test => seed_for(options.seed, Stream::TestCoherence),
        SplitName::Validation => seed_for(options.seed, Stream::ValidationCoherence),
    };
    let mut point = curve(model, judge, reference, &[options.temperature.value()], PER_CLASS, draws, device)?.remove(0);
    // A class with fewer than two real images in the split has no spread to compare with.
    let compared: Vec<f64> = point.diversity_per_label.iter().zip(reference).filter(|(_, r)| **r > 0.0).map(|(d, _)| *d).collect();
    point.diversity = mean(&compared);
    Ok(point)
}

/// Label -> image coherence and diversity over the selection grid τ = 0, 0.05, ..., 1, with
/// noise of its own (not the headline's draws).
fn selection(model: &Jmvae, judge: &Classifier, reference: &[f64], seed: u64, device: &Device) -> Result<Vec<CurvePoint>> {
    curve(model, judge, reference, &selection_grid(), PER_CLASS_SELECTION, seed_for(seed, Stream::TemperatureSelection), device)
}

impl Report for FolderReport {
    fn to_json(&self) -> Result<String> {
        Ok(serde_json::to_string_pretty(self)?)
    }

    fn markdown(&self) -> String {
        let mut out = metric_table(self.examples, self.split, self.k);
        let mut row = |name: &str, value: Option<f64>, percent: bool| metric_row(&mut out, name, value, percent);
        row("log p(image), proposal q(z|image)", self.log_px_unimodal_proposal, false);
        row("log p(image), proposal q(z|all)", self.log_px_joint_proposal, false);
        row("log p(all modalities), proposal q(z|all)", self.log_p_joint, false);
        for (name, accuracy) in &self.class_accuracy {
            row(&format!("{name} accuracy from images"), Some(*accuracy), true);
        }
        row("mean attribute accuracy from images", self.mean_attribute_accuracy, true);
        let tau = self.temperature;
        row(&format!("label -> image coherence (judge, τ = {tau})"), self.coherence.as_ref().map(|c| c.coherence), true);
        row("read back by the model", self.coherence.as_ref().and_then(|c| c.read_back), true);
        row(&format!("diversity ratio (judge features, τ = {tau})"), self.coherence.as_ref().map(|c| c.diversity), false);
        row("classifier accuracy (real images of the split)", self.classifier_accuracy, true);
        for (name, accuracy) in self.judge_accuracy.iter().filter(|(name, _)| name != IMAGE) {
            row(&format!("judge of `{name}` accuracy (real images of the split)"), Some(*accuracy), true);
        }
        if !self.attributes.is_empty() {
            out.push_str("\n| attribute | from image, % | majority baseline, % |\n|---|---:|---:|\n");
            for (j, name) in self.attributes.iter().enumerate() {
                out.push_str(&format!("| {name} | {:.1} | {:.1} |\n", self.attribute_accuracy[j] * 100.0, self.majority_baseline[j] * 100.0));
            }
        }
        if !self.cross_coherence.is_empty() {
            out.push('\n');
            out.push_str(&table(&self.cross_coherence, &self.judge_accuracy, tau));
        }
        if let (Some(sampling), Some(grid)) = (&self.sampling, &self.selection_curve) {
            out.push_str("\n| τ | label -> image coherence, % | diversity ratio |\n|---:|---:|---:|\n");
            for p in grid {
                out.push_str(&format!("| {} | {:.1} | {:.2} |\n", p.temperature, p.coherence * 100.0, p.diversity));
            }
            out.push_str(&format!("\nDefault temperature {}: {}.\n", sampling.temperature.value(), sampling.chosen_by));
        }
        if !self.unjudged.is_empty() {
            let names: Vec<String> = self.unjudged.iter().map(|n| format!("`{n}`")).collect();
            out.push_str(&format!(
                "\nNot generated as targets, for want of a judge: {} (train one with `jmvae train-classifier --modality NAME`, give it with `--judge NAME=PATH`).\n",
                names.join(", ")
            ));
        }
        out
    }
}
