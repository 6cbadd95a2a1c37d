//! CelebA faces: 64x64 colour crops and their 40 binary attributes.

use std::path::Path;

use anyhow::{Context, Result, bail};
use burn::tensor::{Device, Tensor, TensorData};
use jmvae::infer::{Observation, Temperature, decode_all, generate, observe};
use jmvae::weights::Sampling;
use jmvae::{Jmvae, ModelConfig};
use serde::Serialize;
use serde_json::json;

use super::{DataArgs, DatasetKind, EvalRequest, Grid, JudgeRequest, Monitor, Options, Report, SampleRequest};
use crate::celeba::{self, Faces, IMAGE_BYTES, Partition, SIDE};
use crate::epoch_record::Watched;
use crate::examples::{Batch, Examples, SplitName, Splits, TrainingSet};
use crate::grid;
use crate::judges::attributes::{self, AttributeClassifier};
use crate::metrics::accuracy::{attribute_accuracy, frequencies, judge_attribute_accuracy, majority_baseline};
use crate::metrics::diversity::real_spread;
use crate::metrics::mean;
use crate::metrics::read_back::{ReadBackPoint, classifier_recall, read_back};
use crate::metrics::realism::{Realism, realism};
use crate::metrics::temperature::{chosen_line, FACES_RULE, REPORTED_TEMPERATURES, curve_temperatures, selection_grid};
use crate::seeds::{Stream, seed_for};
use crate::modalities::{ATTRIBUTES, IMAGE};

/// The notice every CelebA-derived manifest carries.
const NOTICE: &str = "These weights derive from the CelebA dataset (Liu et al., 2015), which is available for \
non-commercial research purposes only; the weights are shared under the same terms: non-commercial research use only.";

/// CelebA, as the trainer knows it.
pub struct CelebaFaces;

impl Examples for Faces {
    fn len(&self) -> usize {
        Faces::len(self)
    }

    fn inputs(&self, indices: &[usize], device: &Device) -> Batch {
        let (images, attributes) = self.batch(indices);
        let rows = indices.len();
        Batch::new(vec![
            (IMAGE, Tensor::from_data(TensorData::new(images, [rows, IMAGE_BYTES]), device)),
            (ATTRIBUTES, Tensor::from_data(TensorData::new(attributes, [rows, self.attribute_names.len()]), device)),
        ])
    }
}

/// Every epoch sees the same faces, borrowed rather than copied.
impl TrainingSet for Faces {
    fn len(&self) -> usize {
        Faces::len(self)
    }

    fn epoch(&self, _seed: u64) -> Box<dyn Examples + '_> {
        Box::new(self)
    }
}

/// The CelebA partitions `wanted`, in that order, the first (training) one cut to
/// `train_limit` faces, saying on stderr how many faces each partition found.
fn load_faces(data: &DataArgs, wanted: &[Partition], train_limit: Option<usize>) -> Result<Vec<Faces>> {
    let loaded = celeba::load_partitions(&data.data, wanted, data.cache_dir().as_deref())?;
    Ok(loaded
        .into_iter()
        .enumerate()
        .map(|(i, (faces, report))| {
            eprintln!("{report}");
            match train_limit {
                Some(n) if i == 0 => faces.take(n),
                _ => faces,
            }
        })
        .collect())
}

impl DatasetKind for CelebaFaces {
    fn name(&self) -> &'static str {
        "celeba"
    }

    fn notice(&self) -> Option<&'static str> {
        Some(NOTICE)
    }

    fn load_training(&self, data: &DataArgs, validation: usize, limit: Option<usize>) -> Result<(Splits, ModelConfig)> {
        let wanted: &[Partition] =
            if validation > 0 { &[Partition::Train, Partition::Validation, Partition::Test] } else { &[Partition::Train, Partition::Test] };
        let mut faces = load_faces(data, wanted, limit)?.into_iter();
        let train = faces.next().expect("train");
        let held_out = if validation > 0 { faces.next() } else { None };
        let test = faces.next().expect("test");
        let config = ModelConfig::celeba(train.attribute_names.clone());
        let splits = Splits {
            train: Box::new(train),
            validation: held_out.map(|v| Box::new(v) as Box<dyn Examples>),
            test: Box::new(test),
        };
        Ok((splits, config))
    }

    fn watch(&self, model: &Jmvae, split: &dyn Examples, _monitor: &Monitor, elbo: f64, device: &Device) -> Result<Watched> {
        if model.config.modalities.len() < 2 {
            return Ok(Watched::default());
        }
        if !model.config.conditions.is_empty() {
            // A CVAE reads no attributes from images: it is chosen by its bound on log p(x|w).
            return Ok(Watched { score: Some(elbo), ..Watched::default() });
        }
        let accuracy = mean(&attribute_accuracy(model, split, IMAGE, ATTRIBUTES, device)?);
        Ok(Watched { attribute_accuracy: Some(accuracy), score: Some(accuracy), ..Watched::default() })
    }

    fn best_rule(&self, config: &ModelConfig) -> &'static str {
        if config.conditions.is_empty() {
            "highest mean validation attribute accuracy from images"
        } else {
            "highest validation bound on log p(x|w) (one sample of q(z|x,w), fixed noise)"
        }
    }

    fn evaluate(&self, model: &Jmvae, request: &EvalRequest, device: &Device) -> Result<Box<dyn Report>> {
        let evaluated = match request.options.split {
            SplitName::Validation => Partition::Validation,
            SplitName::Test => Partition::Test,
        };
        let [train, test]: [Faces; 2] = load_faces(request.data, &[Partition::Train, evaluated], None)?.try_into().expect("two partitions");
        let test = match request.limit {
            Some(n) => test.take(n),
            None => test,
        };
        let names = &model.config.modality(ATTRIBUTES)?.labels;
        if *names != test.attribute_names {
            bail!("the model's attributes differ from those of `{}`", request.data.data.display());
        }
        let classifier = request.judge.map(|p| AttributeClassifier::load(p, names.len(), device)).transpose()?;
        let report = evaluate(model, &train, &test, classifier.as_ref(), &request.options, device)?;
        if let Some(path) = request.reconstructions {
            save_reconstructions(model, &test, path, device)?;
        }
        Ok(Box::new(report))
    }

    fn train_judge(&self, request: &JudgeRequest, device: &Device) -> Result<String> {
        let [train, test]: [Faces; 2] =
            load_faces(request.data, &[Partition::Train, Partition::Test], request.limit)?.try_into().expect("two partitions");
        let model = attributes::train(&train, request.epochs, request.seed, device);
        let accuracy = judge_attribute_accuracy(&model, &test, device)?;
        model.save(request.out)?;
        Ok(format!(
            "attribute classifier: mean test accuracy {:.2} % ({} test faces) -> {}",
            mean(&accuracy) * 100.0,
            test.len(),
            request.out.display()
        ))
    }

    fn sample(&self, model: &Jmvae, request: &SampleRequest, device: &Device) -> Result<Grid> {
        let m = model.config.index_of(ATTRIBUTES).context("--attributes needs a faces model")?;
        let image = model.config.index_of(IMAGE)?;
        let names = &model.config.modalities[m].labels;
        let sets: Vec<String> = if request.attributes.is_empty() { vec![String::new()] } else { request.attributes.to_vec() };
        let mut grid = Grid { images: Vec::new(), rows: sets.len(), cols: request.samples.max(1), side: SIDE, channels: 3, outputs: Vec::new() };
        for set in &sets {
            let attributes = attribute_vector(names, set)?;
            let given = observe(&model.config, &[(ATTRIBUTES.into(), Observation::Values(attributes.clone()))], device)?;
            let generated = generate(model, &given, request.samples, request.seed, request.temperature)?;
            let faces = generated[image].clone().into_data().try_to_vec::<f32>()?;
            grid.images.extend_from_slice(&faces);
            let probabilities = generated[m].clone().into_data().try_to_vec::<f32>()?;
            grid.outputs.push(json!({"present": set, "attributes": attributes, "image": faces, "attribute_probabilities": probabilities}));
        }
        Ok(grid)
    }
}

/// The attribute vector with exactly the named attributes present.
pub(super) fn attribute_vector(names: &[String], present: &str) -> Result<Vec<f32>> {
    let mut values = vec![0.0; names.len()];
    for name in present.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        let j = names
            .iter()
            .position(|n| n == name)
            .with_context(|| format!("unknown attribute `{name}` (known: {})", names.join(", ")))?;
        values[j] = 1.0;
    }
    Ok(values)
}

/// A PNG of the first 16 faces of `test` above their reconstructions (means of q(z|x,w)).
fn save_reconstructions(model: &Jmvae, test: &Faces, path: &Path, device: &Device) -> Result<()> {
    let shown: Vec<usize> = (0..test.len().min(16)).collect();
    let batch = test.inputs(&shown, device);
    let all = batch.all_given(&model.config)?;
    let z = model.joint_encoder(&all).mean;
    let decoded = decode_all(model, z, &all)?.swap_remove(model.config.index_of(IMAGE)?).into_data().try_to_vec::<f32>()?;
    let mut images = batch.get(IMAGE)?.into_data().try_to_vec::<f32>()?;
    images.extend(decoded);
    grid::save_colour_grid(path, &images, 2, shown.len(), SIDE)?;
    eprintln!("wrote {} (CelebA-derived: never commit or redistribute it)", path.display());
    Ok(())
}

/// Every faces metric; coherence, read-back and the classifier's ceiling when a classifier is given.
fn evaluate(
    model: &Jmvae,
    train: &Faces,
    test: &Faces,
    classifier: Option<&AttributeClassifier>,
    options: &Options,
    device: &Device,
) -> Result<FacesReport> {
    // A CVAE has no p(w|z): it cannot read attributes from a face (Bayes' rule over the 2^40
    // attribute sets is out of reach), so it has no accuracy from images.
    let attribute_accuracy =
        model.config.conditions.is_empty().then(|| attribute_accuracy(model, test, IMAGE, ATTRIBUTES, device)).transpose()?;
    let train_frequencies = frequencies(train, ATTRIBUTES, device)?;
    let majority_baseline = majority_baseline(&train_frequencies, &frequencies(test, ATTRIBUTES, device)?);
    let mut metrics = FacesReport {
        train_frequencies,
        examples: test.len(),
        attributes: test.attribute_names.clone(),
        mean_attribute_accuracy: attribute_accuracy.as_deref().map(mean),
        attribute_accuracy,
        mean_majority_baseline: mean(&majority_baseline),
        majority_baseline,
        split: options.split,
        temperature: options.temperature.value(),
        ..Default::default()
    };
    if let Some(classifier) = classifier {
        let spread = real_spread(classifier, test, device)?;
        let points = curve_temperatures(options.temperature)
            .iter()
            .map(|&tau| read_back(model, classifier, test, spread, Temperature::new(tau)?, options.seed, device))
            .collect::<Result<Vec<_>>>()?;
        let headline = points.iter().find(|p| p.temperature == options.temperature.value()).expect("in the curve");
        let coherence = headline.coherence_per_attribute.clone();
        let ceiling = judge_attribute_accuracy(classifier, test, device)?;
        metrics.mean_coherence = Some(mean(&coherence));
        metrics.coherence = Some(coherence);
        metrics.read_back = Some(headline.read_back);
        metrics.classifier_read_back = Some(classifier_recall(classifier, test, device)?);
        metrics.read_back_curve = Some(points.into_iter().filter(|p| REPORTED_TEMPERATURES.contains(&p.temperature)).collect());
        metrics.mean_classifier_accuracy = Some(mean(&ceiling));
        metrics.classifier_accuracy = Some(ceiling);
        metrics.realism = Some(realism(model, classifier, test, options.temperature, options.seed, device)?);
        if options.chooses_temperature() {
            let grid = selection_grid()
                .into_iter()
                .step_by(2)
                .map(|tau| read_back(model, classifier, test, spread, Temperature::new(tau)?, seed_for(options.seed, Stream::TemperatureSelection), device))
                .collect::<Result<Vec<_>>>()?;
            let scored: Vec<(f32, f64, f64)> = grid.iter().map(|p| (p.temperature, p.read_back, p.diversity)).collect();
            metrics.sampling = Some(FACES_RULE.sampling(&scored)?);
            metrics.selection_curve = Some(grid);
        }
    }
    Ok(metrics)
}

/// Everything `jmvae eval` reports for a faces model, per attribute and averaged.
#[derive(Clone, Debug, Default, Serialize)]
pub struct FacesReport {
    /// Test faces used.
    pub examples: usize,
    /// The attribute names, in the order of every list below.
    pub attributes: Vec<String>,
    /// Accuracy of p(w|z) > 1/2, z the mean of q(z|x); none for a CVAE.
    pub attribute_accuracy: Option<Vec<f64>>,
    /// Its mean over the attributes.
    pub mean_attribute_accuracy: Option<f64>,
    /// Fraction of training faces that have each attribute (the page draws "random" from it).
    pub train_frequencies: Vec<f64>,
    /// Accuracy of always answering the attribute's more frequent training value.
    pub majority_baseline: Vec<f64>,
    /// Its mean over the attributes.
    pub mean_majority_baseline: f64,
    /// Fraction of faces generated from each test attribute vector where the classifier
    /// reads back the requested value.
    pub coherence: Option<Vec<f64>>,
    /// Its mean over the attributes.
    pub mean_coherence: Option<f64>,
    /// The classifier's own accuracy on the real test faces (the ceiling for coherence).
    pub classifier_accuracy: Option<Vec<f64>>,
    /// Its mean over the attributes.
    pub mean_classifier_accuracy: Option<f64>,
    /// Of the attributes present in the split's real faces, the fraction the classifier finds:
    /// the judge's own read-back, a ceiling for `read_back`.
    pub classifier_read_back: Option<f64>,
    /// The split evaluated.
    pub split: SplitName,
    /// The temperature of `coherence` and `read_back`.
    pub temperature: f32,
    /// Read-back of requested attributes at that temperature (see [`ReadBackPoint`]).
    pub read_back: Option<f64>,
    /// Read-back, coherence and diversity at τ = 0, 0.25, 0.5, 0.75, 1.
    pub read_back_curve: Option<Vec<ReadBackPoint>>,
    /// Validation only: the default temperature chosen and the rule that chose it.
    pub sampling: Option<Sampling>,
    /// Validation only: the grid the rule read.
    pub selection_curve: Option<Vec<ReadBackPoint>>,
    /// Fréchet distance (classifier features) and sharpness of faces generated from the
    /// split's attribute vectors, against its real faces.
    pub realism: Option<Realism>,
}

impl Report for FacesReport {
    fn to_json(&self) -> Result<String> {
        Ok(serde_json::to_string_pretty(self)?)
    }

    /// One row per attribute and the mean last.
    fn markdown(&self) -> String {
        let percent = |v: Option<f64>| v.map_or("–".to_string(), |v| format!("{:.1}", v * 100.0));
        let mut out = format!(
            "| attribute ({} {} faces) | from image, % | majority baseline, % | coherence, % | classifier on real faces, % |\n|---|---:|---:|---:|---:|\n",
            self.examples, self.split
        );
        for (j, name) in self.attributes.iter().enumerate() {
            let pick = |v: &Option<Vec<f64>>| v.as_ref().map(|v| v[j]);
            out.push_str(&format!(
                "| {name} | {} | {} | {} | {} |\n",
                percent(pick(&self.attribute_accuracy)),
                percent(Some(self.majority_baseline[j])),
                percent(pick(&self.coherence)),
                percent(pick(&self.classifier_accuracy)),
            ));
        }
        out.push_str(&format!(
            "| **mean** | **{}** | **{}** | **{}** | **{}** |\n",
            percent(self.mean_attribute_accuracy),
            percent(Some(self.mean_majority_baseline)),
            percent(self.mean_coherence),
            percent(self.mean_classifier_accuracy),
        ));
        if let Some(curve) = &self.read_back_curve {
            if let Some(ceiling) = self.classifier_read_back {
                out.push_str(&format!("\nthe classifier finds {:.1} % of the attributes present in the real {} faces (its ceiling for read-back)\n", ceiling * 100.0, self.split));
            }
            out.push_str(&format!("\ncoherence above at τ = {}\n\n| τ | read-back of requested attributes (classifier) | read back by the model | coherence (all 40) | diversity ratio (within a set) |\n|---:|---:|---:|---:|---:|\n", self.temperature));
            for p in curve {
                out.push_str(&format!(
                    "| {} | {:.1} % | {} | {:.1} % | {:.2} |\n",
                    p.temperature,
                    p.read_back * 100.0,
                    percent(p.model_read_back) + if p.model_read_back.is_some() { " %" } else { "" },
                    p.coherence * 100.0,
                    p.diversity
                ));
            }
        }
        if let Some(r) = &self.realism {
            out.push_str(&format!(
                "\nrealism of {} faces generated from the {} attribute vectors at τ = {}: Fréchet distance on the attribute classifier's features {:.2} (not FID: no Inception network); sharpness ratio {:.3} (Laplacian variance {:.5} generated, {:.5} real)\n",
                r.examples, self.split, r.temperature, r.frechet_classifier_features, r.sharpness_ratio, r.laplacian_variance_generated, r.laplacian_variance_real
            ));
        }
        out.push_str(&chosen_line(self.split, self.sampling.as_ref()));
        out
    }
}
