//! Coherence of digits (DESIGN.md section 6): label -> image, judged by the CNN, as a curve over
//! the sampling temperature τ, with the model's own read-back and the diversity beside it.

use anyhow::Result;
use burn::tensor::Device;
use jmvae::infer::{Observation, Temperature, decode_all, latents, observe, read_back};
use jmvae::{Inputs, Jmvae};
use serde::Serialize;

use super::diversity::{DIVERSITY_SAMPLE, mean_pairwise_distance};
use super::mean;
use crate::judges::digits::{Classifier, FEATURES};
use crate::modalities::{IMAGE, LABEL};

/// Coherence and diversity at one temperature.
#[derive(Clone, Debug, Serialize)]
pub struct CurvePoint {
    /// τ.
    pub temperature: f32,
    /// Fraction of digits generated from label w that the CNN judge reads as w, over all labels.
    pub coherence: f64,
    /// The same, label by label (0..9).
    pub coherence_per_label: Vec<f64>,
    /// Fraction that the model itself reads back as w (q(z|x) -> p(w|z)), as the page shows it;
    /// none for a CVAE, which has no p(w|z).
    pub read_back: Option<f64>,
    /// Mean pairwise distance between digits of one label, in the judge's 128 penultimate
    /// features, over the same among real digits of that label; averaged over labels.
    pub diversity: f64,
    /// The same ratio, label by label.
    pub diversity_per_label: Vec<f64>,
}

/// The model's inputs holding only `label` (one-hot).
fn given_label(model: &Jmvae, label: usize, device: &Device) -> Result<Inputs> {
    Ok(observe(&model.config, &[(LABEL.into(), Observation::Class(label))], device)?)
}

/// Coherence, read-back and diversity at each of `temperatures`, from `per_label` digits per
/// label; the same noise ε (from `seed`) at every τ, so the curve moves only with τ.
pub fn curve(
    model: &Jmvae,
    judge: &Classifier,
    real: &[f64],
    temperatures: &[f32],
    per_label: usize,
    seed: u64,
    device: &Device,
) -> Result<Vec<CurvePoint>> {
    let label_index = model.config.index_of(LABEL)?;
    let image_index = model.config.index_of(IMAGE)?;
    let classes = model.config.modalities[label_index].size();
    let mut points = Vec::new();
    for &tau in temperatures {
        let tau_checked = Temperature::new(tau)?;
        let (mut coherence, mut read, mut diversity) = (Vec::new(), Some(0usize), Vec::new());
        for label in 0..classes {
            let given = given_label(model, label, device)?;
            let z = latents(&model.posterior(&given)?, per_label, seed + label as u64, tau_checked);
            let outputs = decode_all(model, z, &given)?;
            let digits = outputs[image_index].clone();
            let judged = judge.predict(digits.clone());
            coherence.push(judged.iter().filter(|&&p| p == label).count() as f64 / per_label as f64);
            // A CVAE has no p(w|z): it reads nothing back.
            read = match (read, read_back(model, &given, &outputs)?[label_index].clone()) {
                (Some(read), Some(readings)) => Some(read + readings.argmax(1).into_data().iter::<i64>().filter(|&p| p as usize == label).count()),
                _ => None,
            };
            let shown = digits.slice([0..per_label.min(DIVERSITY_SAMPLE)]);
            let features = judge.features(shown).into_data().try_to_vec::<f32>().expect("f32");
            diversity.push(mean_pairwise_distance(&features, FEATURES) / real[label].max(1e-12));
        }
        points.push(CurvePoint {
            temperature: tau,
            coherence: mean(&coherence),
            coherence_per_label: coherence,
            read_back: read.map(|read| read as f64 / (per_label * classes) as f64),
            diversity: mean(&diversity),
            diversity_per_label: diversity,
        });
    }
    Ok(points)
}

