//! MNIST digits: 28x28 binarised images and their labels, the paper's benchmark.

use std::path::Path;

use anyhow::{Context, Result, bail};
use burn::tensor::Device;
use jmvae::infer::{Observation, generate, observe};
use jmvae::weights::Sampling;
use jmvae::{Jmvae, ModelConfig};
use serde::Serialize;
use serde_json::json;

use super::{DataArgs, DatasetKind, EvalRequest, Grid, JudgeRequest, Monitor, Options, Report, SampleRequest, metric_row, metric_table};
use crate::batch::{images, one_hot};
use crate::epoch_record::{LogPx, Watched};
use crate::examples::{Batch, Examples, First, SplitName, Splits, TrainingSet};
use crate::judges::digits::{self, Classifier, accuracy};
use crate::metrics::accuracy::{class_accuracy, reconstruction_accuracy};
use crate::metrics::coherence::{CurvePoint, curve};
use crate::metrics::diversity::real_diversity;
use crate::metrics::likelihoods::{cvae_label_posterior, mean_log_marginals, mean_log_pw};
use crate::metrics::temperature::{chosen_line, REPORTED_TEMPERATURES, DIGITS_RULE, coherence_scores, curve_temperatures, selection_grid};
use crate::metrics::widths::{EncoderWidths, encoder_widths};
use crate::mnist::{Mnist, Split, TEST_BINARISATION_SEED, VALIDATION_BINARISATION_SEED};
use crate::modalities::{ATTRIBUTES, IMAGE, LABEL};
use crate::seeds::{MONITOR_LOG_PX, Stream, seed_for};

/// Digits generated per label for coherence.
const PER_LABEL: usize = 1000;
/// Digits per label at each point of the temperature-selection grid.
const PER_LABEL_SELECTION: usize = 500;

/// MNIST, as the trainer knows it.
pub struct MnistDigits;

impl Examples for Split {
    fn len(&self) -> usize {
        Split::len(self)
    }

    fn inputs(&self, indices: &[usize], device: &Device) -> Batch {
        let labels: Vec<u8> = indices.iter().map(|&i| self.labels[i]).collect();
        Batch::new(vec![(IMAGE, images(self, indices, device)), (LABEL, one_hot(&labels, device))])
    }
}

/// Training images are binarised afresh every epoch.
impl TrainingSet for Split {
    fn len(&self) -> usize {
        Split::len(self)
    }

    fn epoch(&self, seed: u64) -> Box<dyn Examples + '_> {
        Box::new(self.binarised(seed))
    }
}

impl DatasetKind for MnistDigits {
    fn name(&self) -> &'static str {
        "mnist"
    }

    fn load_training(&self, data: &DataArgs, validation: usize, limit: Option<usize>) -> Result<(Splits, ModelConfig)> {
        let mnist = Mnist::load(&data.data)?;
        let (train, held_out) = match validation {
            0 => (mnist.train, None),
            n => {
                let (train, held_out) = mnist.train.hold_out(n)?;
                (train, Some(held_out))
            }
        };
        let train = match limit {
            Some(n) => train.take(n),
            None => train,
        };
        let splits = Splits {
            train: Box::new(train),
            validation: held_out.map(|v| Box::new(v.binarised(VALIDATION_BINARISATION_SEED)) as Box<dyn Examples>),
            test: Box::new(mnist.test.binarised(TEST_BINARISATION_SEED)),
        };
        Ok((splits, ModelConfig::mnist()))
    }

    fn watch(&self, model: &Jmvae, split: &dyn Examples, monitor: &Monitor, _elbo: f64, device: &Device) -> Result<Watched> {
        let subset = First::of(split, monitor.examples);
        // JMVAE-zero has no q(z|x): it proposes from the joint encoder with every modality. So
        // does the CVAE, whose image decoder reads the label: its value is log p(x|w).
        let names: Vec<&str> = model.config.modalities.iter().map(|m| m.name.as_str()).collect();
        let proposal: &[&str] = if model.unimodal_encoders.is_empty() { &names } else { &[IMAGE] };
        let value = mean_log_marginals(model, &subset, proposal, &[&[IMAGE]], monitor.k, MONITOR_LOG_PX, device)?[0];
        let labelled = model.config.modalities.len() > 1 && model.config.conditions.is_empty();
        let quantity = if model.config.conditions.is_empty() { "log p(x)" } else { "log p(x|w)" };
        let label_accuracy = labelled.then(|| class_accuracy(model, split, IMAGE, LABEL, device)).transpose()?;
        Ok(Watched {
            log_px: Some(LogPx { quantity, value, k: monitor.k, examples: subset.len() }),
            label_accuracy,
            attribute_accuracy: None,
            score: Some(value),
        })
    }

    fn best_rule(&self, config: &ModelConfig) -> &'static str {
        if !config.conditions.is_empty() {
            "highest validation log p(x|w) (q(z|x,w) proposal, the monitor's K and examples)"
        } else if config.unimodal_encoders || config.modalities.len() == 1 {
            "highest validation log p(x) (q(z|x) proposal, the monitor's K and examples)"
        } else {
            "highest validation log p(x) (q(z|x,w) proposal, the monitor's K and examples)"
        }
    }

    fn evaluate(&self, model: &Jmvae, request: &EvalRequest, device: &Device) -> Result<Box<dyn Report>> {
        // Refused rather than ignored: a user who asks for coherence should not get a report without it.
        if request.judge.is_some() && model.config.modality(LABEL).is_err() {
            bail!("--classifier judges label -> image coherence, but this model has no `label` modality (a VAE of the image alone); leave --classifier out");
        }
        let judge = request.judge.map(|p| Classifier::load(p, device)).transpose()?;
        let split = request.options.split;
        let real = real_split(&request.data.data, split, request.validation, request.limit)?;
        let binarised = real.binarised(binarisation_seed(split));
        Ok(Box::new(evaluate(model, &binarised, &real, judge.as_ref(), &request.options, device)?))
    }

    fn examples(&self, data: &DataArgs, split: SplitName, validation: usize, limit: usize) -> Result<Box<dyn Examples>> {
        Ok(Box::new(real_split(&data.data, split, validation, Some(limit))?.binarised(binarisation_seed(split))))
    }

    fn train_judge(&self, request: &JudgeRequest, device: &Device) -> Result<String> {
        let mut mnist = Mnist::load(&request.data.data)?;
        if let Some(n) = request.limit {
            mnist.train = mnist.train.take(n);
        }
        let model = digits::train(&mnist.train, request.epochs, request.seed, device);
        let accuracy = accuracy(&model, &mnist.test, device);
        model.save(request.out)?;
        Ok(format!("classifier test accuracy: {:.2} % ({} test images) -> {}", accuracy * 100.0, mnist.test.len(), request.out.display()))
    }

    fn sample(&self, model: &Jmvae, request: &SampleRequest, device: &Device) -> Result<Grid> {
        if !request.attributes.is_empty() {
            model.config.index_of(ATTRIBUTES).context("--attributes needs a faces model")?;
        }
        let classes = model.config.modality(LABEL)?.size();
        let labels: Vec<usize> = match request.label {
            Some(l) => vec![l],
            None => (0..classes).collect(),
        };
        let (image, label) = (model.config.index_of(IMAGE)?, model.config.index_of(LABEL)?);
        let mut grid = Grid { images: Vec::new(), rows: labels.len(), cols: request.samples.max(1), side: 28, channels: 1, outputs: Vec::new() };
        for &l in &labels {
            let given = observe(&model.config, &[(LABEL.into(), Observation::Class(l))], device)?;
            let generated = generate(model, &given, request.samples, request.seed, request.temperature)?;
            let digits = generated[image].clone().into_data().try_to_vec::<f32>()?;
            grid.images.extend_from_slice(&digits);
            let probabilities = generated[label].clone().into_data().try_to_vec::<f32>()?;
            grid.outputs.push(json!({"label": l, "image": digits, "label_probabilities": probabilities}));
        }
        Ok(grid)
    }
}

/// The grey-level images of `split` (validation: the last `validation` training images), the
/// first `limit` of them.
fn real_split(dir: &Path, split: SplitName, validation: usize, limit: Option<usize>) -> Result<Split> {
    let mnist = Mnist::load(dir)?;
    let real = match split {
        SplitName::Test => mnist.test,
        SplitName::Validation => {
            eprintln!("validation: the last {validation} training images");
            mnist.train.hold_out(validation)?.1
        }
    };
    Ok(match limit {
        Some(n) => real.take(n),
        None => real,
    })
}

/// The fixed seed each split is binarised with, so every evaluation sees the same pixels.
fn binarisation_seed(split: SplitName) -> u64 {
    match split {
        SplitName::Test => TEST_BINARISATION_SEED,
        SplitName::Validation => VALIDATION_BINARISATION_SEED,
    }
}

/// Every metric that applies to `model` (a VAE has no label metrics), on `split` (binarised)
/// with `real` its grey-level images (the judge's reference for diversity).
fn evaluate(model: &Jmvae, split: &Split, real: &Split, judge: Option<&Classifier>, options: &Options, device: &Device) -> Result<DigitsReport> {
    let Options { k, seed, temperature, .. } = *options;
    let multimodal = model.config.modalities.len() > 1;
    let mut metrics = DigitsReport { split: options.split, examples: split.len(), k, temperature: temperature.value(), ..Default::default() };
    // A VAE's only encoder is q(z|x) itself; JMVAE-zero has no q(z|x) to propose with.
    if !multimodal || !model.unimodal_encoders.is_empty() {
        metrics.log_px_unimodal_proposal = Some(mean_log_marginals(model, split, &[IMAGE], &[&[IMAGE]], k, seed, device)?[0]);
    }
    if !multimodal {
        return Ok(metrics);
    }
    if model.config.conditions.is_empty() {
        let joint = mean_log_marginals(model, split, &[IMAGE, LABEL], &[&[IMAGE], &[IMAGE, LABEL]], k, seed_for(seed, Stream::JointProposal), device)?;
        metrics.log_px_joint_proposal = Some(joint[0]);
        let log_pxw = joint[1];
        metrics.log_pxw = Some(log_pxw);
        metrics.log_px_given_w = Some(log_pxw - mean_log_pw(model, split, LABEL, k.max(1000), seed_for(seed, Stream::LabelMarginal), device)?);
        metrics.log_pw_given_x = Some(log_pxw - joint[0]);
        metrics.label_accuracy = Some(class_accuracy(model, split, IMAGE, LABEL, device)?);
        metrics.encoder_widths = Some(encoder_widths(model, split, device)?);
    } else {
        // The CVAE decodes the image from z and the label: its bound is on log p(x|w) itself.
        metrics.log_px_given_w = Some(mean_log_marginals(model, split, &[IMAGE, LABEL], &[&[IMAGE]], k, seed_for(seed, Stream::JointProposal), device)?[0]);
        // Its only way to a label is Bayes' rule over the ten log p(x|w'): a tenth of K each,
        // so that it costs one pass of K.
        let bayes = cvae_label_posterior(model, split, LABEL, (k / 10).max(1), seed_for(seed, Stream::LabelMarginal), device)?;
        metrics.log_pw_given_x = Some(bayes.log_pw_given_x);
        metrics.log_px_uniform_label = Some(bayes.log_px);
        metrics.label_accuracy = Some(bayes.accuracy);
    }
    if let Some(judge) = judge {
        let reference = real_diversity(judge, real, device);
        let temperatures = curve_temperatures(temperature);
        // Choices read the validation draws; the test report draws afresh, so no choice saw its digits.
        let draws = match options.split {
            SplitName::Test => seed_for(seed, Stream::TestCoherence),
            SplitName::Validation => seed_for(seed, Stream::ValidationCoherence),
        };
        let points = curve(model, judge, &reference, &temperatures, PER_LABEL, draws, device)?;
        let headline = points.iter().find(|p| p.temperature == temperature.value()).expect("in the curve");
        metrics.coherence = Some(headline.coherence);
        metrics.coherence_per_label = Some(headline.coherence_per_label.clone());
        metrics.diversity = Some(headline.diversity);
        metrics.coherence_curve = Some(points.into_iter().filter(|p| REPORTED_TEMPERATURES.contains(&p.temperature)).collect());
        metrics.reconstruction_accuracy = Some(reconstruction_accuracy(model, judge, split, device)?);
        metrics.classifier_accuracy = Some(accuracy(judge, real, device));
        metrics.judge = Some("CNN 32-64 (4x4 stride-2 convolutions) + 128 + 10, trained on real training images (`jmvae train-classifier`)".into());
        if options.chooses_temperature() {
            // Fresh noise (another seed) for the choice, so it does not reuse the curve's draws.
            let grid = curve(model, judge, &reference, &selection_grid(), PER_LABEL_SELECTION, seed_for(seed, Stream::TemperatureSelection), device)?;
            metrics.sampling = Some(DIGITS_RULE.sampling(&coherence_scores(&grid))?);
            metrics.selection_curve = Some(grid);
        }
    }
    Ok(metrics)
}

/// Everything `jmvae eval` reports, averaged over the examples of the split.
#[derive(Clone, Debug, Default, Serialize)]
pub struct DigitsReport {
    /// The split evaluated.
    pub split: SplitName,
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
    /// The CVAE's log p(x) = log Σ_w p(x|w) p(w) with p(w) uniform (it does not model w), each
    /// p(x|w) from K/10 draws of q(z|x,w).
    pub log_px_uniform_label: Option<f64>,
    /// log p(x|w): JMVAE's log p(x,w) - log p(w); the CVAE's own, proposal q(z|x,w).
    pub log_px_given_w: Option<f64>,
    /// log p(w|x) of the true label: JMVAE's log p(x,w) - log p(x) (both with q(z|x,w)); the
    /// CVAE's by Bayes' rule over log p(x|w') with p(w) uniform, K/10 samples per class.
    pub log_pw_given_x: Option<f64>,
    /// Accuracy of argmax p(w|z), z = mean of q(z|x); the CVAE's argmax of its p(w|x).
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

impl Report for DigitsReport {
    fn to_json(&self) -> Result<String> {
        Ok(serde_json::to_string_pretty(self)?)
    }

    fn markdown(&self) -> String {
        let mut out = metric_table(self.examples, self.split, self.k);
        let mut row = |name: &str, value: Option<f64>, percent: bool| metric_row(&mut out, name, value, percent);
        row("log p(x), proposal q(z|x)", self.log_px_unimodal_proposal, false);
        row("log p(x), proposal q(z|x,w)", self.log_px_joint_proposal, false);
        row("log p(x) = log Σ_w p(x|w) / 10 (CVAE, K/10 per label)", self.log_px_uniform_label, false);
        row("log p(x,w)", self.log_pxw, false);
        row("log p(x|w)", self.log_px_given_w, false);
        row("log p(w|x)", self.log_pw_given_x, false);
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
                    "| {} | {:.2} % | {} | {:.2} |\n",
                    p.temperature,
                    p.coherence * 100.0,
                    p.read_back.map_or("–".into(), |r| format!("{:.2} %", r * 100.0)),
                    p.diversity
                ));
            }
        }
        out.push_str(&chosen_line(self.split, self.sampling.as_ref()));
        out
    }
}
