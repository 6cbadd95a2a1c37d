//! Diversity: how far apart generated samples are in a judge's penultimate features, over the
//! same among real samples, so that a coherent model that always draws one digit shows it.

use anyhow::Result;
use burn::tensor::Device;

use crate::batch::{chunks, images};
use crate::examples::Examples;
use crate::judges::attributes::{AttributeClassifier, FEATURES as FACE_FEATURES};
use crate::judges::digits::{Classifier, FEATURES};
use crate::mnist::{CLASSES, Split};
use crate::modalities::IMAGE;

/// Digits per label whose pairwise feature distances measure diversity.
pub const DIVERSITY_SAMPLE: usize = 300;
/// Real faces whose pairwise feature distances are the reference spread.
const FACES_SAMPLE: usize = 300;

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
            mean_pairwise_distance(&features, FEATURES)
        })
        .collect()
}

/// Mean pairwise feature distance among the real images of each class of the categorical
/// modality `label` in `split` (the first [`DIVERSITY_SAMPLE`] of each).
pub fn class_diversity(judge: &Classifier, split: &dyn Examples, label: &str, classes: usize, device: &Device) -> Result<Vec<f64>> {
    let mut of_class = vec![Vec::new(); classes];
    for indices in chunks(split.len(), 1000) {
        let truth = split.inputs(&indices, device).get(label)?.argmax(1).into_data();
        for (&i, c) in indices.iter().zip(truth.iter::<i64>()) {
            if of_class[c as usize].len() < DIVERSITY_SAMPLE {
                of_class[c as usize].push(i);
            }
        }
    }
    of_class
        .iter()
        .map(|shown| {
            // A class absent from the split has no spread (and an empty batch no features).
            if shown.len() < 2 {
                return Ok(0.0);
            }
            let images = split.inputs(shown, device).get(IMAGE)?;
            Ok(mean_pairwise_distance(&judge.features(images).into_data().try_to_vec::<f32>()?, FEATURES))
        })
        .collect()
}

/// Mean pairwise feature distance among the first real faces of `split`.
pub fn real_spread(judge: &AttributeClassifier, split: &dyn Examples, device: &Device) -> Result<f64> {
    let shown: Vec<usize> = (0..split.len().min(FACES_SAMPLE)).collect();
    let images = split.inputs(&shown, device).get(IMAGE)?;
    Ok(mean_pairwise_distance(&judge.features(images).into_data().try_to_vec::<f32>()?, FACE_FEATURES))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairwise_distance_of_a_hand_example() {
        // Three points at 0, 3 and 4 on a line... in two dimensions: (0,0), (3,0), (0,4).
        let d = mean_pairwise_distance(&[0.0, 0.0, 3.0, 0.0, 0.0, 4.0], 2);
        assert!((d - (3.0 + 4.0 + 5.0) / 3.0).abs() < 1e-9, "{d}");
    }
}
