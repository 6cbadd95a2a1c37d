//! log p(m|z) for each kind of modality, computed from the decoder's logits.

use burn::tensor::Tensor;
use burn::tensor::activation::{log_sigmoid, log_softmax, sigmoid, softmax};

use crate::config::{ModalityConfig, ModalityKind};
use crate::gaussian::LOG_2PI;

/// log p(x|z) summed over the modality's values, per example: `[batch, 1]`.
///
/// `x` and `logits` are `[batch, size]`.
pub fn log_likelihood(modality: &ModalityConfig, logits: Tensor<2>, x: Tensor<2>) -> Tensor<2> {
    match modality.kind {
        // x log σ(l) + (1 - x) log σ(-l) = x l + log σ(-l)
        ModalityKind::BinaryImage | ModalityKind::BinaryAttributes => {
            (x * logits.clone() + log_sigmoid(logits.neg())).sum_dim(1)
        }
        ModalityKind::Categorical => (log_softmax(logits, 1) * x).sum_dim(1),
        ModalityKind::ColourImage => {
            let sigma = modality.sigma as f64;
            let [_, size] = x.dims();
            (x - sigmoid(logits))
                .powi_scalar(2)
                .sum_dim(1)
                .mul_scalar(-0.5 / (sigma * sigma))
                .sub_scalar(size as f64 * (sigma.ln() + 0.5 * LOG_2PI))
        }
    }
}

/// The distribution's parameters as the user sees them: pixel probabilities or intensities,
/// class probabilities, attribute probabilities, all in [0, 1].
pub fn mean(modality: &ModalityConfig, logits: Tensor<2>) -> Tensor<2> {
    match modality.kind {
        ModalityKind::Categorical => softmax(logits, 1),
        _ => sigmoid(logits),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::ModelConfig;
    use burn::tensor::{Device, TensorData};

    fn row(values: &[f32], device: &Device) -> Tensor<2> {
        Tensor::from_data(TensorData::new(values.to_vec(), [1, values.len()]), device)
    }

    fn value(t: Tensor<2>) -> f32 {
        t.into_data().try_to_vec::<f32>().unwrap()[0]
    }

    #[test]
    fn bernoulli_log_likelihood_matches_the_formula() {
        let device = Device::default();
        let image = &ModelConfig::mnist().modalities[0];
        let logits = [2.0f32, -1.0, 0.0];
        let x = [1.0f32, 1.0, 0.0];
        let sig = |l: f32| 1.0 / (1.0 + (-l).exp());
        let expected = sig(2.0).ln() + sig(-1.0).ln() + (1.0 - sig(0.0)).ln();
        let got = value(log_likelihood(image, row(&logits, &device), row(&x, &device)));
        assert!((got - expected).abs() < 1e-5, "{got} vs {expected}");
    }

    #[test]
    fn bernoulli_log_likelihood_is_finite_for_extreme_logits() {
        let device = Device::default();
        let image = &ModelConfig::mnist().modalities[0];
        let got = value(log_likelihood(image, row(&[80.0, -80.0], &device), row(&[1.0, 0.0], &device)));
        assert!(got.is_finite() && got.abs() < 1e-6);
    }

    #[test]
    fn categorical_log_likelihood_is_the_log_softmax_of_the_true_class() {
        let device = Device::default();
        let label = &ModelConfig::mnist().modalities[1];
        let mut logits = [0.0f32; 10];
        logits[3] = 1.0;
        let mut onehot = [0.0f32; 10];
        onehot[3] = 1.0;
        let expected = 1.0 - (9.0 + 1.0f32.exp()).ln();
        let got = value(log_likelihood(label, row(&logits, &device), row(&onehot, &device)));
        assert!((got - expected).abs() < 1e-5);
        let probabilities = mean(label, row(&logits, &device)).into_data().try_to_vec::<f32>().unwrap();
        assert!((probabilities.iter().sum::<f32>() - 1.0).abs() < 1e-5);
    }

    #[test]
    fn gaussian_log_likelihood_peaks_at_the_mean() {
        let device = Device::default();
        let mut face = ModelConfig::mnist().modalities[0].clone();
        face.kind = ModalityKind::ColourImage;
        face.sigma = 0.5;
        // sigmoid(0) = 0.5, so x = 0.5 is the mean: log N = -log(sigma) - log(2 pi)/2.
        let at_mean = value(log_likelihood(&face, row(&[0.0], &device), row(&[0.5], &device)));
        let expected = -(0.5f32.ln()) - 0.5 * (2.0 * std::f32::consts::PI).ln();
        assert!((at_mean - expected).abs() < 1e-5);
        let off = value(log_likelihood(&face, row(&[0.0], &device), row(&[1.0], &device)));
        assert!((at_mean - off - 0.5).abs() < 1e-5); // (0.5 / 0.5)^2 / 2
    }
}
