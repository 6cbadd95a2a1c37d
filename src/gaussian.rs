//! Diagonal Gaussians q(z|·) and the closed-form quantities the objectives need.

use burn::tensor::Tensor;

/// log(2π), the constant of every Gaussian log-density here.
pub const LOG_2PI: f64 = 1.837_877_066_409_345_3;

/// N(mean, diag(exp(log_var))) for a batch: both tensors are `[batch, latent]`.
#[derive(Clone, Debug)]
pub struct DiagGaussian {
    /// The mean of each latent dimension.
    pub mean: Tensor<2>,
    /// The log-variance of each latent dimension.
    pub log_var: Tensor<2>,
}

impl DiagGaussian {
    /// A Gaussian from its mean and log-variance.
    pub fn new(mean: Tensor<2>, log_var: Tensor<2>) -> Self {
        Self { mean, log_var }
    }

    /// The standard deviation, `exp(log_var / 2)`.
    pub fn std(&self) -> Tensor<2> {
        self.log_var.clone().mul_scalar(0.5).exp()
    }

    /// The reparameterised sample `mean + std * eps`, with `eps ~ N(0, I)` given by the caller.
    pub fn sample(&self, eps: Tensor<2>) -> Tensor<2> {
        self.mean.clone() + self.std() * eps
    }

    /// KL(self || N(0, I)) per example: `[batch, 1]`.
    pub fn kl_to_prior(&self) -> Tensor<2> {
        let var = self.log_var.clone().exp();
        (var + self.mean.clone().powi_scalar(2) - self.log_var.clone() - 1.0)
            .sum_dim(1)
            .mul_scalar(0.5)
    }

    /// KL(self || other) between diagonal Gaussians per example: `[batch, 1]`.
    pub fn kl_to(&self, other: &DiagGaussian) -> Tensor<2> {
        let var_ratio = (self.log_var.clone() - other.log_var.clone()).exp();
        let mean_term = (self.mean.clone() - other.mean.clone()).powi_scalar(2)
            * other.log_var.clone().neg().exp();
        (var_ratio + mean_term - 1.0 + other.log_var.clone() - self.log_var.clone())
            .sum_dim(1)
            .mul_scalar(0.5)
    }

    /// log N(z; mean, var) per example, where `z` is `[batch, latent]`: `[batch, 1]`.
    pub fn log_prob(&self, z: Tensor<2>) -> Tensor<2> {
        let [_, latent] = z.dims();
        let squared = (z - self.mean.clone()).powi_scalar(2) * self.log_var.clone().neg().exp();
        (squared + self.log_var.clone())
            .sum_dim(1)
            .mul_scalar(-0.5)
            .sub_scalar(0.5 * LOG_2PI * latent as f64)
    }

    /// The product of Gaussian experts (precision-weighted), used for subsets of modalities.
    pub fn product(experts: &[DiagGaussian]) -> DiagGaussian {
        let precision = experts
            .iter()
            .map(|e| e.log_var.clone().neg().exp())
            .reduce(|a, b| a + b)
            .expect("a product needs at least one expert");
        let weighted_mean = experts
            .iter()
            .map(|e| e.mean.clone() * e.log_var.clone().neg().exp())
            .reduce(|a, b| a + b)
            .expect("a product needs at least one expert");
        let mean = weighted_mean / precision.clone();
        DiagGaussian::new(mean, precision.log().neg())
    }

    /// Repeat every example `times` times along the batch (row i becomes rows i*times..).
    pub fn repeat_each(&self, times: usize) -> DiagGaussian {
        DiagGaussian::new(repeat_rows(self.mean.clone(), times), repeat_rows(self.log_var.clone(), times))
    }
}

/// log N(z; 0, I) per example: `[batch, 1]`.
pub fn log_prior(z: Tensor<2>) -> Tensor<2> {
    let [_, latent] = z.dims();
    z.powi_scalar(2)
        .sum_dim(1)
        .mul_scalar(-0.5)
        .sub_scalar(0.5 * LOG_2PI * latent as f64)
}

/// Each row repeated `times` times in place: `[n, d] -> [n * times, d]`.
pub fn repeat_rows(t: Tensor<2>, times: usize) -> Tensor<2> {
    let [n, d] = t.dims();
    t.unsqueeze_dim::<3>(1).repeat_dim(1, times).reshape([n * times, d])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::SeededRng;
    use burn::tensor::{Device, TensorData};

    fn tensor(values: &[f32], rows: usize, device: &Device) -> Tensor<2> {
        Tensor::from_data(TensorData::new(values.to_vec(), [rows, values.len() / rows]), device)
    }

    fn scalar(t: Tensor<2>) -> f32 {
        t.into_data().try_to_vec::<f32>().unwrap()[0]
    }

    #[test]
    fn kl_to_prior_matches_the_hand_computed_value() {
        let device = Device::default();
        // KL(N(1, e^0.5) || N(0,1)) = 0.5 (e^0.5 + 1 - 0.5 - 1) per dimension, two dimensions.
        let q = DiagGaussian::new(tensor(&[1.0, 1.0], 1, &device), tensor(&[0.5, 0.5], 1, &device));
        let expected = 0.5f32.exp() - 0.5;
        assert!((scalar(q.kl_to_prior()) - expected).abs() < 1e-5);
    }

    #[test]
    fn closed_form_kl_agrees_with_a_monte_carlo_estimate() {
        let device = Device::default();
        let p = DiagGaussian::new(
            tensor(&[0.3, -1.0, 0.5], 1, &device),
            tensor(&[-0.4, 0.2, 0.0], 1, &device),
        );
        let q = DiagGaussian::new(
            tensor(&[0.0, -0.5, 1.0], 1, &device),
            tensor(&[0.3, -0.1, 0.6], 1, &device),
        );
        let closed = scalar(p.kl_to(&q));
        let n = 200_000;
        let eps = tensor(&SeededRng::new(11).normals(n * 3), n, &device);
        let z = p.repeat_each(n).sample(eps);
        let log_ratio = p.repeat_each(n).log_prob(z.clone()) - q.repeat_each(n).log_prob(z);
        let monte_carlo = scalar(log_ratio.mean_dim(0));
        assert!((closed - monte_carlo).abs() < 0.01, "closed {closed} vs MC {monte_carlo}");
        // And KL to N(0, I) is the special case of kl_to.
        let prior = DiagGaussian::new(tensor(&[0.0; 3], 1, &device), tensor(&[0.0; 3], 1, &device));
        assert!((scalar(p.kl_to(&prior)) - scalar(p.kl_to_prior())).abs() < 1e-5);
    }

    #[test]
    fn log_prob_of_the_prior_matches_log_prior() {
        let device = Device::default();
        let z = tensor(&[0.5, -1.5, 2.0, 0.0], 2, &device);
        let prior = DiagGaussian::new(z.zeros_like(), z.zeros_like());
        let a = prior.log_prob(z.clone()).into_data().try_to_vec::<f32>().unwrap();
        let b = log_prior(z).into_data().try_to_vec::<f32>().unwrap();
        // log N([0.5,-1.5]) = -log(2 pi) - (0.25 + 2.25)/2
        assert!((b[0] - (-(2.0 * std::f32::consts::PI).ln() - 1.25)).abs() < 1e-5);
        assert_eq!(a.len(), 2);
        for (x, y) in a.iter().zip(&b) {
            assert!((x - y).abs() < 1e-5);
        }
    }

    #[test]
    fn product_of_two_identical_experts_halves_the_variance() {
        let device = Device::default();
        let e = DiagGaussian::new(tensor(&[1.0, 2.0], 1, &device), tensor(&[0.0, 0.0], 1, &device));
        let p = DiagGaussian::product(&[e.clone(), e]);
        let mean = p.mean.into_data().try_to_vec::<f32>().unwrap();
        let log_var = p.log_var.into_data().try_to_vec::<f32>().unwrap();
        assert!((mean[0] - 1.0).abs() < 1e-6 && (mean[1] - 2.0).abs() < 1e-6);
        assert!((log_var[0] - 0.5f32.ln()).abs() < 1e-6);
    }
}
