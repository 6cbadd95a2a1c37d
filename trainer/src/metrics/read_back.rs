//! Read-back of requested attributes: faces generated from attribute sets (q(z|w) -> p(x|z)),
//! read by the attribute judge and by the model itself, with their within-set diversity.

use anyhow::Result;
use burn::tensor::{Device, Tensor};
use jmvae::infer::{Temperature, decode_all};
use jmvae::{Jmvae, SeededRng};
use serde::Serialize;

use super::diversity::mean_pairwise_distance;
use super::mean;
use crate::batch::chunks;
use crate::examples::Examples;
use crate::judges::attributes::{AttributeClassifier, FEATURES};
use crate::modalities::{ATTRIBUTES, IMAGE};

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
    /// (q(z|x) -> p(w|z), as the page shows it); none for a CVAE, which has no p(w|z).
    pub model_read_back: Option<f64>,
    /// Mean pairwise distance between 16 faces generated from one attribute set, in the
    /// classifier's 256 penultimate features, over the same among all the split's real faces
    /// (of every attribute set, so a ratio below 1 is expected); averaged over 30 sets.
    pub diversity: f64,
}

/// For each attribute vector w of `faces`, one face z ~ q(z|w) at `temperature` -> mean of
/// p(x|z), read by `classifier`: the read-back of what was requested, and diversity.
pub fn read_back(
    model: &Jmvae,
    classifier: &AttributeClassifier,
    faces: &dyn Examples,
    real_spread: f64,
    temperature: Temperature,
    seed: u64,
    device: &Device,
) -> Result<ReadBackPoint> {
    let (image, attributes) = (model.config.index_of(IMAGE)?, model.config.index_of(ATTRIBUTES)?);
    let n = model.config.modalities[attributes].size();
    let mut rng = SeededRng::new(seed);
    let (mut asked, mut found, mut agree, mut own) = (vec![0usize; n], vec![0usize; n], vec![0usize; n], 0usize);
    for indices in chunks(faces.len(), 500) {
        let batch = faces.inputs(&indices, device);
        let w = batch.get(ATTRIBUTES)?;
        let given = batch.given(&model.config, &[ATTRIBUTES])?;
        let q = model.posterior(&given)?;
        let [rows, latent] = q.mean.dims();
        let eps = rng.noise(rows, latent, device);
        let outputs = decode_all(model, q.sample(eps.mul_scalar(temperature.value())), &given)?;
        let readings = read_back_by_model(model, &given, &outputs, attributes)?;
        let predicted = classifier.predict(outputs[image].clone());
        let readings = readings.into_iter().flatten().chain(std::iter::repeat(false));
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
        model_read_back: model.config.conditions.is_empty().then(|| own as f64 / total_asked),
        coherence: mean(&coherence_per_attribute),
        coherence_per_attribute,
        diversity: within_set_spread(model, classifier, faces, temperature, seed, device)? / real_spread.max(1e-12),
    })
}

/// The model's own reading (probability > 1/2) of the attributes of each generated face; none
/// for a CVAE.
fn read_back_by_model(model: &Jmvae, given: &jmvae::Inputs, outputs: &[Tensor<2>], attributes: usize) -> Result<Option<Vec<bool>>> {
    let Some(read) = jmvae::infer::read_back(model, given, outputs)?[attributes].clone() else { return Ok(None) };
    Ok(Some(read.into_data().iter::<f32>().map(|p| p > 0.5).collect()))
}

/// Mean over the first attribute sets of `faces` of the pairwise feature distance among 16
/// faces generated from each.
fn within_set_spread(
    model: &Jmvae,
    classifier: &AttributeClassifier,
    faces: &dyn Examples,
    temperature: Temperature,
    seed: u64,
    device: &Device,
) -> Result<f64> {
    let image = model.config.index_of(IMAGE)?;
    let sets = faces.len().min(DIVERSITY_SETS);
    let mut total = 0.0;
    for i in 0..sets {
        let given = faces.inputs(&[i], device).given(&model.config, &[ATTRIBUTES])?;
        let z = jmvae::infer::latents(&model.posterior(&given)?, FACES_PER_SET, seed + i as u64, temperature);
        let generated = decode_all(model, z, &given)?.swap_remove(image);
        total += mean_pairwise_distance(&classifier.features(generated).into_data().try_to_vec::<f32>()?, FEATURES);
    }
    Ok(total / sets.max(1) as f64)
}

/// Of the attributes present in the real faces of `faces`, the fraction `classifier` finds.
pub fn classifier_recall(classifier: &AttributeClassifier, faces: &dyn Examples, device: &Device) -> Result<f64> {
    let (mut asked, mut found) = (0usize, 0usize);
    for indices in chunks(faces.len(), 500) {
        let batch = faces.inputs(&indices, device);
        let predicted = classifier.predict(batch.get(IMAGE)?);
        for (p, t) in predicted.iter().zip(batch.get(ATTRIBUTES)?.into_data().iter::<f32>()) {
            asked += usize::from(t > 0.5);
            found += usize::from(t > 0.5 && *p);
        }
    }
    Ok(found as f64 / asked.max(1) as f64)
}
