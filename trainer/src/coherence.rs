//! Cross-modal quality of digits (DESIGN.md section 6): label -> image coherence as a curve over
//! the sampling temperature τ, the diversity of the generated digits beside it, the width of
//! every encoder, and the rule that picks the default temperature on the validation split.

use anyhow::Result;
use burn::tensor::Device;
use jmvae::infer::{Observation, Temperature, decode_all, latents, observe, read_back};
use jmvae::{Inputs, Jmvae};
use serde::Serialize;

use crate::batch::{chunks, images, inputs};
use crate::classifier::Classifier;
use crate::mnist::{CLASSES, Split};

/// The temperatures every report's curve covers.
pub const REPORTED_TEMPERATURES: [f32; 5] = [0.0, 0.25, 0.5, 0.75, 1.0];
/// Coherence the default temperature must reach on validation.
pub const TARGET_COHERENCE: f64 = 0.97;
/// Diversity ratio a default temperature must keep (generated over real).
pub const MIN_DIVERSITY: f64 = 0.7;
/// Digits per label whose pairwise feature distances measure diversity.
const DIVERSITY_SAMPLE: usize = 300;

/// Coherence and diversity at one temperature.
#[derive(Clone, Debug, Serialize)]
pub struct CurvePoint {
    /// τ.
    pub temperature: f32,
    /// Fraction of digits generated from label w that the CNN judge reads as w, over all labels.
    pub coherence: f64,
    /// The same, label by label (0..9).
    pub coherence_per_label: Vec<f64>,
    /// Fraction that the model itself reads back as w (q(z|x) -> p(w|z)), as the page shows it.
    pub read_back: f64,
    /// Mean pairwise distance between digits of one label, in the judge's 128 penultimate
    /// features, over the same among real digits of that label; averaged over labels.
    pub diversity: f64,
    /// The same ratio, label by label.
    pub diversity_per_label: Vec<f64>,
}

/// Mean σ of each encoder on a split: how wide q(z|w), q(z|x) and q(z|x,w) are, over all
/// latent dimensions and over the active ones only (the unused ones stay at the prior's σ = 1
/// whatever the encoder, and would hide what happens where the model puts its information).
#[derive(Clone, Debug, Serialize)]
pub struct EncoderWidths {
    /// Mean σ of q(z|w) over examples and latent dimensions.
    pub label: f64,
    /// Mean σ of q(z|x).
    pub image: f64,
    /// Mean σ of q(z|x,w).
    pub joint: f64,
    /// Active units (Burda et al., 2016): dimensions whose q(z|x,w) mean varies across the
    /// split with a variance above 0.01.
    pub active_units: usize,
    /// Mean σ of q(z|w) over the active units.
    pub label_active: f64,
    /// Mean σ of q(z|x) over the active units.
    pub image_active: f64,
    /// Mean σ of q(z|x,w) over the active units.
    pub joint_active: f64,
}

/// The model's inputs holding only `label` (one-hot).
fn given_label(model: &Jmvae, label: usize, device: &Device) -> Result<Inputs> {
    Ok(observe(&model.config, &[("label".into(), Observation::Class(label))], device)?)
}

/// Mean Euclidean distance over all pairs of rows of `features` (`rows x width`, row-major).
pub fn mean_pairwise_distance(features: &[f32], width: usize) -> f64 {
    let rows: Vec<&[f32]> = features.chunks(width).collect();
    let (mut total, mut pairs) = (0.0f64, 0usize);
    for i in 0..rows.len() {
        for j in i + 1..rows.len() {
            let d2: f32 = rows[i].iter().zip(rows[j]).map(|(a, b)| (a - b) * (a - b)).sum();
            total += f64::from(d2.sqrt());
            pairs += 1;
        }
    }
    total / pairs.max(1) as f64
}

/// Mean pairwise feature distance among the real digits of each label in `reference`.
pub fn real_diversity(judge: &Classifier, reference: &Split, device: &Device) -> Vec<f64> {
    (0..CLASSES)
        .map(|label| {
            let of_label: Vec<usize> = (0..reference.len()).filter(|&i| reference.labels[i] as usize == label).take(DIVERSITY_SAMPLE).collect();
            let features = judge.features(images(reference, &of_label, device)).into_data().try_to_vec::<f32>().expect("f32");
            mean_pairwise_distance(&features, crate::classifier::FEATURES)
        })
        .collect()
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
    let label_index = model.config.index_of("label")?;
    let image_index = model.config.index_of("image")?;
    let mut points = Vec::new();
    for &tau in temperatures {
        let tau_checked = Temperature::new(tau)?;
        let (mut coherence, mut read, mut diversity) = (Vec::new(), 0usize, Vec::new());
        for label in 0..CLASSES {
            let given = given_label(model, label, device)?;
            let z = latents(&model.posterior(&given), per_label, seed + label as u64, tau_checked);
            let outputs = decode_all(model, z);
            let digits = outputs[image_index].clone();
            let judged = judge.predict(digits.clone());
            coherence.push(judged.iter().filter(|&&p| p == label).count() as f64 / per_label as f64);
            let readings = read_back(model, &given, &outputs)[label_index].clone().expect("the label was given");
            read += readings.argmax(1).into_data().iter::<i64>().filter(|&p| p as usize == label).count();
            let shown = digits.slice([0..per_label.min(DIVERSITY_SAMPLE)]);
            let features = judge.features(shown).into_data().try_to_vec::<f32>().expect("f32");
            diversity.push(mean_pairwise_distance(&features, crate::classifier::FEATURES) / real[label].max(1e-12));
        }
        points.push(CurvePoint {
            temperature: tau,
            coherence: mean(&coherence),
            coherence_per_label: coherence,
            read_back: read as f64 / (per_label * CLASSES) as f64,
            diversity: mean(&diversity),
            diversity_per_label: diversity,
        });
    }
    Ok(points)
}

fn mean(values: &[f64]) -> f64 {
    values.iter().sum::<f64>() / values.len().max(1) as f64
}

/// Mean σ of q(z|w), q(z|x) and q(z|x,w) over `split` (binarised images and their labels),
/// over every latent dimension and over the active units.
pub fn encoder_widths(model: &Jmvae, split: &Split, device: &Device) -> Result<EncoderWidths> {
    let image_index = model.config.index_of("image")?;
    let label_index = model.config.index_of("label")?;
    let (n, latent) = (model.config.modalities.len(), model.config.latent);
    // Per encoder and dimension: the sum of σ; per dimension: sums of the joint mean and its square.
    let mut sigma = [vec![0.0f64; latent], vec![0.0f64; latent], vec![0.0f64; latent]];
    let (mut mean_sum, mut mean_square) = (vec![0.0f64; latent], vec![0.0f64; latent]);
    for indices in chunks(split.len(), 1000) {
        let data = inputs(split, &indices, n, device);
        let only = |m: usize| -> Inputs { (0..n).map(|i| (i == m).then(|| data[i].clone())).collect() };
        let all: Inputs = data.iter().cloned().map(Some).collect();
        let joint = model.posterior(&all);
        let encoders = [model.posterior(&only(label_index)), model.posterior(&only(image_index))];
        for (sums, q) in sigma.iter_mut().zip(encoders.iter().chain([&joint])) {
            let per_dim = q.std().sum_dim(0).into_data().try_to_vec::<f32>().expect("f32");
            sums.iter_mut().zip(per_dim).for_each(|(s, v)| *s += f64::from(v));
        }
        let means = joint.mean.into_data().try_to_vec::<f32>().expect("f32");
        for row in means.chunks(latent) {
            for (d, &m) in row.iter().enumerate() {
                mean_sum[d] += f64::from(m);
                mean_square[d] += f64::from(m) * f64::from(m);
            }
        }
    }
    let count = split.len().max(1) as f64;
    let active: Vec<usize> = (0..latent).filter(|&d| mean_square[d] / count - (mean_sum[d] / count).powi(2) > 0.01).collect();
    let over = |sums: &[f64], dims: &[usize]| dims.iter().map(|&d| sums[d]).sum::<f64>() / (count * dims.len().max(1) as f64);
    let every: Vec<usize> = (0..latent).collect();
    Ok(EncoderWidths {
        label: over(&sigma[0], &every),
        image: over(&sigma[1], &every),
        joint: over(&sigma[2], &every),
        active_units: active.len(),
        label_active: over(&sigma[0], &active),
        image_active: over(&sigma[1], &active),
        joint_active: over(&sigma[2], &active),
    })
}

/// A rule that picks the default temperature from a validation grid: the largest τ whose score
/// (coherence for digits, read-back for faces) reaches `target` while its diversity ratio stays
/// at least [`MIN_DIVERSITY`]; when none does, the best score that keeps that diversity; when
/// none keeps it, τ = 1.
pub struct TemperatureRule {
    /// The score, as the rule's text names it.
    pub measure: &'static str,
    /// The score to reach.
    pub target: f64,
    /// How the text names the fallback, "the most coherent" or "the best read-back".
    pub best: &'static str,
}

/// The digits' rule.
pub const DIGITS_RULE: TemperatureRule =
    TemperatureRule { measure: "coherence (CNN judge)", target: TARGET_COHERENCE, best: "the most coherent" };

impl TemperatureRule {
    /// The chosen τ and the rule that chose it, from `(τ, score, diversity)` grid points.
    pub fn choose(&self, points: &[(f32, f64, f64)]) -> (f32, String) {
        let rule = format!(
            "the largest temperature on a {}-point grid whose validation {} is at least {:.0} % with a diversity ratio of at least {MIN_DIVERSITY}",
            points.len(),
            self.measure,
            self.target * 100.0
        );
        let diverse: Vec<&(f32, f64, f64)> = points.iter().filter(|p| p.2 >= MIN_DIVERSITY).collect();
        if let Some(p) = diverse.iter().filter(|p| p.1 >= self.target).max_by(|a, b| a.0.total_cmp(&b.0)) {
            return (p.0, rule);
        }
        if let Some(p) = diverse.iter().max_by(|a, b| a.1.total_cmp(&b.1)) {
            return (p.0, format!("{rule}; none reached it, so {} with that diversity", self.best));
        }
        (1.0, format!("{rule}; none kept that diversity, so 1"))
    }
}

/// The digits' default temperature from a coherence curve, by [`DIGITS_RULE`].
pub fn choose_temperature(points: &[CurvePoint]) -> (f32, String) {
    let scored: Vec<(f32, f64, f64)> = points.iter().map(|p| (p.temperature, p.coherence, p.diversity)).collect();
    DIGITS_RULE.choose(&scored)
}

/// The temperatures a report's curve covers: the reported ones, and `headline` if it is not
/// among them (the report's own temperature, kept out of the curve it returns).
pub fn curve_temperatures(headline: Temperature) -> Vec<f32> {
    let mut temperatures = REPORTED_TEMPERATURES.to_vec();
    if !temperatures.contains(&headline.value()) {
        temperatures.push(headline.value());
    }
    temperatures
}

/// The selection grid: τ = 0, 0.05, ..., 1.
pub fn selection_grid() -> Vec<f32> {
    (0..=20).map(|i| i as f32 / 20.0).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(temperature: f32, coherence: f64, diversity: f64) -> CurvePoint {
        CurvePoint { temperature, coherence, coherence_per_label: vec![], read_back: 0.0, diversity, diversity_per_label: vec![] }
    }

    #[test]
    fn pairwise_distance_of_a_hand_example() {
        // Three points at 0, 3 and 4 on a line... in two dimensions: (0,0), (3,0), (0,4).
        let d = mean_pairwise_distance(&[0.0, 0.0, 3.0, 0.0, 0.0, 4.0], 2);
        assert!((d - (3.0 + 4.0 + 5.0) / 3.0).abs() < 1e-9, "{d}");
    }

    #[test]
    fn the_rule_takes_the_warmest_coherent_and_diverse_temperature() {
        let points = [point(0.0, 0.99, 0.3), point(0.5, 0.98, 0.75), point(0.75, 0.97, 0.8), point(1.0, 0.9, 0.9)];
        assert_eq!(choose_temperature(&points).0, 0.75);
        let short = [point(0.0, 0.99, 0.3), point(0.5, 0.9, 0.75), point(1.0, 0.8, 0.9)];
        let (tau, rule) = choose_temperature(&short);
        assert_eq!(tau, 0.5);
        assert!(rule.contains("none reached it"), "{rule}");
        assert_eq!(choose_temperature(&[point(0.0, 1.0, 0.1)]).0, 1.0);
    }
}
