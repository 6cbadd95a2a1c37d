//! The faces evaluation: attributes predicted from test images (q(z|x) -> p(w|z)) beside the
//! majority-class baseline, and the coherence of faces generated from attribute vectors
//! (q(z|w) -> p(x|z)) as judged by the independent attribute classifier.

use burn::tensor::{Device, Tensor, TensorData};
use jmvae::infer::{Temperature, decode_all};
use jmvae::weights::Sampling;
use jmvae::{Jmvae, SeededRng};
use serde::Serialize;

use crate::evaluate::Options;
use crate::coherence::{REPORTED_TEMPERATURES, TemperatureRule, curve_temperatures, mean_pairwise_distance, selection_grid};

/// Read-back of requested attributes the default temperature must reach on validation.
pub const TARGET_READ_BACK: f64 = 0.85;
/// Real faces whose pairwise feature distances are the reference spread.
const DIVERSITY_SAMPLE: usize = 300;
/// Attribute sets, and faces per set, whose within-set spread measures diversity (the page
/// shows 16 faces of one set).
const DIVERSITY_SETS: usize = 30;
const FACES_PER_SET: usize = 16;

/// Faces generated from the split's attribute vectors at one temperature, read by the judge.
#[derive(Clone, Debug, Serialize)]
pub struct ReadBackPoint {
    /// τ.
    pub temperature: f32,
    /// Of all requested (present) attributes, the fraction the classifier finds in the face.
    pub read_back: f64,
    /// The same, attribute by attribute (among the requests that asked for it).
    pub read_back_per_attribute: Vec<f64>,
    /// Mean over attributes of the agreement with the whole request (present and absent).
    pub coherence: f64,
    /// The same agreement, attribute by attribute (the report's `coherence` at its temperature).
    #[serde(skip)]
    pub coherence_per_attribute: Vec<f64>,
    /// Of all requested attributes, the fraction the model itself reads back from its faces
    /// (q(z|x) -> p(w|z), as the page shows it).
    pub model_read_back: f64,
    /// Mean pairwise distance between 16 faces generated from one attribute set, in the
    /// classifier's 256 penultimate features, over the same among all the split's real faces
    /// (of every attribute set, so a ratio below 1 is expected); averaged over 30 sets.
    pub diversity: f64,
}

use crate::attribute_classifier::AttributeClassifier;
use crate::batch::chunks;
use crate::celeba::Faces;
use crate::dataset::Examples;

/// Everything `jmvae eval` reports for a faces model, per attribute and averaged.
#[derive(Clone, Debug, Default, Serialize)]
pub struct FaceMetrics {
    /// Test faces used.
    pub examples: usize,
    /// The attribute names, in the order of every list below.
    pub attributes: Vec<String>,
    /// Accuracy of p(w|z) > 1/2, z the mean of q(z|x).
    pub attribute_accuracy: Vec<f64>,
    /// Its mean over the attributes.
    pub mean_attribute_accuracy: f64,
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
    pub split: String,
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
}

/// The mean of `values` (0 for none).
pub fn mean(values: &[f64]) -> f64 {
    values.iter().sum::<f64>() / values.len().max(1) as f64
}

/// Per attribute, the fraction of `faces` whose annotation `predict` gets right: it is given
/// the images and attributes of a chunk (`[rows, size]` each) and answers present/absent for
/// every attribute of every row, row-major.
fn agreement(faces: &Faces, device: &Device, mut predict: impl FnMut(Tensor<2>, Tensor<2>) -> Vec<bool>) -> Vec<f64> {
    let n = faces.attribute_count();
    let mut correct = vec![0usize; n];
    for indices in chunks(faces.len(), 500) {
        let [images, attributes]: [Tensor<2>; 2] = faces.inputs(&indices, device).try_into().expect("image and attributes");
        let truth = attributes.clone().into_data();
        let predicted = predict(images, attributes);
        for (j, (p, t)) in predicted.iter().zip(truth.iter::<f32>()).enumerate() {
            correct[j % n] += usize::from(*p == (t > 0.5));
        }
    }
    correct.iter().map(|&c| c as f64 / faces.len().max(1) as f64).collect()
}

/// Per attribute: accuracy of p(w|z) > 1/2 with z the mean of q(z|x), on `faces`.
pub fn attribute_accuracy(model: &Jmvae, faces: &Faces, device: &Device) -> Vec<f64> {
    agreement(faces, device, |images, _| {
        let z = model.posterior(&vec![Some(images), None]).mean;
        // p > 1/2 exactly when the logit is positive.
        model.decode_logits(1, z).into_data().iter::<f32>().map(|l| l > 0.0).collect()
    })
}

/// Per attribute, the fraction of `faces` where `classifier` agrees with the annotation.
pub fn classifier_accuracy(classifier: &AttributeClassifier, faces: &Faces, device: &Device) -> Vec<f64> {
    agreement(faces, device, |images, _| classifier.predict(images))
}

/// Per attribute, the fraction of `faces` that have it.
fn frequencies(faces: &Faces) -> Vec<f64> {
    let mut present = vec![0usize; faces.attribute_count()];
    for i in 0..faces.len() {
        present.iter_mut().zip(faces.attributes_of(i)).for_each(|(p, &a)| *p += usize::from(a));
    }
    present.iter().map(|&p| p as f64 / faces.len().max(1) as f64).collect()
}

/// Per attribute: accuracy on `test` of always answering `train`'s more frequent value.
pub fn majority_baseline(train: &Faces, test: &Faces) -> Vec<f64> {
    let train_share = frequencies(train);
    let test_share = frequencies(test);
    train_share.iter().zip(test_share).map(|(&tr, te)| if tr >= 0.5 { te } else { 1.0 - te }).collect()
}

/// For each attribute vector w of `faces`, one face z ~ q(z|w) at `temperature` -> mean of
/// p(x|z), read by `classifier`: the read-back of what was requested, and diversity.
pub fn read_back(
    model: &Jmvae,
    classifier: &AttributeClassifier,
    faces: &Faces,
    real_spread: f64,
    temperature: Temperature,
    seed: u64,
    device: &Device,
) -> anyhow::Result<ReadBackPoint> {
    let n = faces.attribute_count();
    let (image, attributes) = (model.config.index_of("image")?, model.config.index_of("attributes")?);
    let mut rng = SeededRng::new(seed);
    let (mut asked, mut found, mut agree, mut own) = (vec![0usize; n], vec![0usize; n], vec![0usize; n], 0usize);
    for indices in chunks(faces.len(), 500) {
        let data = faces.inputs(&indices, device);
        let w = data[attributes].clone();
        let mut given = vec![None; model.config.modalities.len()];
        given[attributes] = Some(w.clone());
        let q = model.posterior(&given);
        let [rows, latent] = q.mean.dims();
        let eps = Tensor::from_data(TensorData::new(rng.normals(rows * latent), [rows, latent]), device);
        let outputs = decode_all(model, q.sample(eps.mul_scalar(temperature.value())));
        let readings = read_back_by_model(model, &given, &outputs, attributes);
        let predicted = classifier.predict(outputs[image].clone());
        for (j, ((p, t), r)) in predicted.iter().zip(w.into_data().iter::<f32>()).zip(readings).enumerate() {
            let requested = t > 0.5;
            agree[j % n] += usize::from(*p == requested);
            asked[j % n] += usize::from(requested);
            found[j % n] += usize::from(requested && *p);
            own += usize::from(requested && r);
        }
    }
    let total_asked = asked.iter().sum::<usize>().max(1) as f64;
    let coherence_per_attribute: Vec<f64> = agree.iter().map(|&c| c as f64 / faces.len().max(1) as f64).collect();
    Ok(ReadBackPoint {
        temperature: temperature.value(),
        read_back: found.iter().sum::<usize>() as f64 / total_asked,
        read_back_per_attribute: found.iter().zip(&asked).map(|(&f, &a)| f as f64 / a.max(1) as f64).collect(),
        model_read_back: own as f64 / total_asked,
        coherence: mean(&coherence_per_attribute),
        coherence_per_attribute,
        diversity: within_set_spread(model, classifier, faces, temperature, seed, device)? / real_spread.max(1e-12),
    })
}

/// The model's own reading (probability > 1/2) of the attributes of each generated face.
fn read_back_by_model(model: &Jmvae, given: &jmvae::Inputs, outputs: &[Tensor<2>], attributes: usize) -> Vec<bool> {
    let read = jmvae::infer::read_back(model, given, outputs)[attributes].clone().expect("attributes were given");
    read.into_data().iter::<f32>().map(|p| p > 0.5).collect()
}

/// Mean over the first attribute sets of `faces` of the pairwise feature distance among 16
/// faces generated from each.
fn within_set_spread(
    model: &Jmvae,
    classifier: &AttributeClassifier,
    faces: &Faces,
    temperature: Temperature,
    seed: u64,
    device: &Device,
) -> anyhow::Result<f64> {
    let (image, attributes) = (model.config.index_of("image")?, model.config.index_of("attributes")?);
    let sets = faces.len().min(DIVERSITY_SETS);
    let mut total = 0.0;
    for i in 0..sets {
        let mut given = vec![None; model.config.modalities.len()];
        given[attributes] = Some(faces.inputs(&[i], device).swap_remove(attributes));
        let z = jmvae::infer::latents(&model.posterior(&given), FACES_PER_SET, seed + i as u64, temperature);
        let generated = decode_all(model, z).swap_remove(image);
        total += mean_pairwise_distance(&classifier.features(generated).into_data().try_to_vec::<f32>().expect("f32"), 256);
    }
    Ok(total / sets.max(1) as f64)
}

/// Of the attributes present in the real faces of `faces`, the fraction `classifier` finds.
fn classifier_recall(classifier: &AttributeClassifier, faces: &Faces, device: &Device) -> f64 {
    let (mut asked, mut found) = (0usize, 0usize);
    for indices in chunks(faces.len(), 500) {
        let data = faces.inputs(&indices, device);
        let predicted = classifier.predict(data[0].clone());
        for (p, t) in predicted.iter().zip(data[1].clone().into_data().iter::<f32>()) {
            asked += usize::from(t > 0.5);
            found += usize::from(t > 0.5 && *p);
        }
    }
    found as f64 / asked.max(1) as f64
}

/// Mean pairwise feature distance among the first real faces of `faces`.
fn real_spread(classifier: &AttributeClassifier, faces: &Faces, device: &Device) -> f64 {
    let shown: Vec<usize> = (0..faces.len().min(DIVERSITY_SAMPLE)).collect();
    let images = faces.inputs(&shown, device).swap_remove(0);
    mean_pairwise_distance(&classifier.features(images).into_data().try_to_vec::<f32>().expect("f32"), 256)
}

/// The faces' rule for the default temperature: the digits' with read-back in place of coherence.
pub const FACES_RULE: TemperatureRule = TemperatureRule {
    measure: "read-back of requested attributes (attribute classifier)",
    target: TARGET_READ_BACK,
    best: "the best read-back",
};

/// Every faces metric; coherence, read-back and the classifier's ceiling when a classifier is given.
pub fn evaluate(
    model: &Jmvae,
    train: &Faces,
    test: &Faces,
    classifier: Option<&AttributeClassifier>,
    options: &Options,
    device: &Device,
) -> anyhow::Result<FaceMetrics> {
    let attribute_accuracy = attribute_accuracy(model, test, device);
    let majority_baseline = majority_baseline(train, test);
    let mut metrics = FaceMetrics {
        train_frequencies: frequencies(train),
        examples: test.len(),
        attributes: test.attribute_names.clone(),
        mean_attribute_accuracy: mean(&attribute_accuracy),
        attribute_accuracy,
        mean_majority_baseline: mean(&majority_baseline),
        majority_baseline,
        split: options.split.into(),
        temperature: options.temperature.value(),
        ..Default::default()
    };
    if let Some(classifier) = classifier {
        let spread = real_spread(classifier, test, device);
        let points = curve_temperatures(options.temperature)
            .iter()
            .map(|&tau| read_back(model, classifier, test, spread, Temperature::new(tau)?, options.seed, device))
            .collect::<anyhow::Result<Vec<_>>>()?;
        let headline = points.iter().find(|p| p.temperature == options.temperature.value()).expect("in the curve");
        let coherence = headline.coherence_per_attribute.clone();
        let ceiling = classifier_accuracy(classifier, test, device);
        metrics.mean_coherence = Some(mean(&coherence));
        metrics.coherence = Some(coherence);
        metrics.read_back = Some(headline.read_back);
        metrics.classifier_read_back = Some(classifier_recall(classifier, test, device));
        metrics.read_back_curve = Some(points.into_iter().filter(|p| REPORTED_TEMPERATURES.contains(&p.temperature)).collect());
        metrics.mean_classifier_accuracy = Some(mean(&ceiling));
        metrics.classifier_accuracy = Some(ceiling);
        if options.chooses_temperature() {
            let grid = selection_grid()
                .into_iter()
                .step_by(2)
                .map(|tau| read_back(model, classifier, test, spread, Temperature::new(tau)?, options.seed + 1000, device))
                .collect::<anyhow::Result<Vec<_>>>()?;
            let scored: Vec<(f32, f64, f64)> = grid.iter().map(|p| (p.temperature, p.read_back, p.diversity)).collect();
            let (tau, rule) = FACES_RULE.choose(&scored);
            metrics.sampling = Some(Sampling { temperature: Temperature::new(tau)?, chosen_by: rule });
            metrics.selection_curve = Some(grid);
        }
    }
    Ok(metrics)
}

impl FaceMetrics {
    /// The metrics as a Markdown table, one row per attribute and the mean last.
    pub fn markdown(&self) -> String {
        let percent = |v: Option<f64>| v.map_or("–".to_string(), |v| format!("{:.1}", v * 100.0));
        let mut out = format!(
            "| attribute ({} {} faces) | from image, % | majority baseline, % | coherence, % | classifier on real faces, % |\n|---|---:|---:|---:|---:|\n",
            self.examples, self.split
        );
        for (j, name) in self.attributes.iter().enumerate() {
            let pick = |v: &Option<Vec<f64>>| v.as_ref().map(|v| v[j]);
            out.push_str(&format!(
                "| {name} | {} | {} | {} | {} |\n",
                percent(Some(self.attribute_accuracy[j])),
                percent(Some(self.majority_baseline[j])),
                percent(pick(&self.coherence)),
                percent(pick(&self.classifier_accuracy)),
            ));
        }
        out.push_str(&format!(
            "| **mean** | **{}** | **{}** | **{}** | **{}** |\n",
            percent(Some(self.mean_attribute_accuracy)),
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
                    "| {} | {:.1} % | {:.1} % | {:.1} % | {:.2} |\n",
                    p.temperature,
                    p.read_back * 100.0,
                    p.model_read_back * 100.0,
                    p.coherence * 100.0,
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
