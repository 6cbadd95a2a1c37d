//! The training objectives: JMVAE, JMVAE-kl(alpha) and JMVAE-zero, with optional KL warm-up.
//!
//! ```text
//! L_JM        = E_q(z|x,w)[ Σ_m log p(x_m|z) ] - β · KL(q(z|x,w) || p(z))
//! L_JMVAE-kl  = L_JM - α · Σ_m KL(q(z|x,w) || q(z|x_m))
//! ```
//! One reparameterised sample of z per example; the loss is -L averaged over the batch.
//! A CVAE (a config with conditions) has no unimodal encoders and sums only the modalities it
//! generates, each decoded from z and the conditions: its L is the ELBO of log p(x|w).
//!
//! A documented deviation, off by default: `rescale` multiplies each log p(x_m|z) by λ_m
//! (likelihood rescaling, as MultiVae offers and google/joint_vae does for labels), so that a
//! 10-way label is not drowned by 784 pixels. With λ ≠ 1 the objective is no longer a bound on
//! log p(x, w); the reported likelihoods always use the model itself, never λ.

use burn::tensor::Tensor;

use crate::error::ModelError;
use crate::likelihood::log_likelihood;
use crate::model::{Inputs, Jmvae};

/// The weights of the objective's terms.
#[derive(Clone, Debug, PartialEq)]
pub struct Objective {
    /// α: weight of the KL terms that tie each q(z|x_m) to q(z|all); 0 is plain JMVAE.
    pub alpha: f64,
    /// β: weight of KL(q(z|all) || p(z)), below 1 during warm-up.
    pub beta: f64,
    /// λ_m: weight of each log p(x_m|z), in the config's modality order; empty means all 1.
    pub rescale: Vec<f64>,
}

impl Objective {
    /// JMVAE-kl with the given α and full KL to the prior.
    pub fn jmvae_kl(alpha: f64) -> Result<Self, ModelError> {
        if !(alpha >= 0.0 && alpha.is_finite()) {
            return Err(ModelError::InvalidConfig(format!("alpha must be >= 0, got {alpha}")));
        }
        Ok(Self { alpha, beta: 1.0, rescale: Vec::new() })
    }

    /// The same objective with log p(x_m|z) weighted by `weights[m]` (each finite and > 0).
    pub fn rescaled(self, weights: Vec<f64>) -> Result<Self, ModelError> {
        if let Some(w) = weights.iter().find(|w| !(**w > 0.0 && w.is_finite())) {
            return Err(ModelError::InvalidConfig(format!("a likelihood weight must be positive, got {w}")));
        }
        Ok(Self { rescale: weights, ..self })
    }

    /// The plain bound: β = 1, α = 0, no rescaling (a true ELBO of log p(all)).
    pub fn elbo() -> Self {
        Self { alpha: 0.0, beta: 1.0, rescale: Vec::new() }
    }

    /// β for `epoch` (0-based) when it rises linearly from 0 to 1 over `warmup_epochs`.
    pub fn warmup_beta(epoch: usize, warmup_epochs: usize) -> f64 {
        if warmup_epochs == 0 {
            1.0
        } else {
            ((epoch + 1) as f64 / warmup_epochs as f64).min(1.0)
        }
    }
}

/// The terms of the objective per example, each `[batch, 1]`.
#[derive(Clone, Debug)]
pub struct Terms {
    /// log p(x_m|z), z ~ q(z|all), one entry per generated modality (all but a CVAE's conditions).
    pub log_likelihood: Vec<Tensor<2>>,
    /// The modality (config position) of each entry of `log_likelihood`.
    pub generated: Vec<usize>,
    /// KL(q(z|all) || p(z)).
    pub kl_to_prior: Tensor<2>,
    /// KL(q(z|all) || q(z|x_m)), one per unimodal encoder (empty without them).
    pub kl_to_unimodal: Vec<Tensor<2>>,
}

impl Terms {
    /// Evaluate every term on fully observed `inputs`; `eps ~ N(0, I)` is `[batch, latent]`.
    pub fn compute(model: &Jmvae, inputs: &[Tensor<2>], eps: Tensor<2>) -> Self {
        let observed: Inputs = inputs.iter().cloned().map(Some).collect();
        let q_joint = model.joint_encoder(&observed);
        // Every modality is observed and only generated ones are decoded: neither can fail.
        let code = model.decoder_input(q_joint.sample(eps), &observed).expect("every condition is observed");
        let generated = model.config.generated();
        let log_likelihood = generated
            .iter()
            .map(|&m| log_likelihood(&model.config.modalities[m], model.decode_logits(m, code.clone()).expect("a generated modality"), inputs[m].clone()))
            .collect();
        let kl_to_unimodal = (0..model.unimodal_encoders.len())
            .map(|m| q_joint.kl_to(&model.unimodal_encoder(m, inputs[m].clone())))
            .collect();
        Self { log_likelihood, generated, kl_to_prior: q_joint.kl_to_prior(), kl_to_unimodal }
    }

    /// The objective L per example: `[batch, 1]`.
    pub fn objective(&self, weights: &Objective) -> Tensor<2> {
        // λ_m = 1 (or absent) adds the term as it is, so the paper's objective is untouched.
        let weighted: Vec<Tensor<2>> = self
            .log_likelihood
            .iter()
            .zip(&self.generated)
            .map(|(ll, &m)| match weights.rescale.get(m) {
                Some(&w) if w != 1.0 => ll.clone().mul_scalar(w),
                _ => ll.clone(),
            })
            .collect();
        let reconstruction = sum(&weighted);
        let mut l = reconstruction - self.kl_to_prior.clone().mul_scalar(weights.beta);
        if !self.kl_to_unimodal.is_empty() && weights.alpha != 0.0 {
            l = l - sum(&self.kl_to_unimodal).mul_scalar(weights.alpha);
        }
        l
    }

    /// The loss to minimise: -L averaged over the batch.
    pub fn loss(&self, weights: &Objective) -> Tensor<1> {
        self.objective(weights).mean().neg()
    }

    /// Batch means of every term, for logging: log-likelihoods, KL to prior, KLs to unimodal.
    pub fn means(&self) -> Tensor<1> {
        let all: Vec<Tensor<1>> = self
            .log_likelihood
            .iter()
            .chain(std::iter::once(&self.kl_to_prior))
            .chain(&self.kl_to_unimodal)
            .map(|t| t.clone().mean())
            .collect();
        Tensor::cat(all, 0)
    }
}

/// The bound of one modality alone, for refitting q(z|x_m) to the model's own posterior
/// p(z|x_m) ∝ p(x_m|z)^λ p(z) while every other network stays fixed (a documented deviation:
/// JMVAE-kl fits q(z|x_m) to cover the joint posteriors instead):
/// `L_m = E_q(z|x_m)[λ · log p(x_m|z)] - KL(q(z|x_m) || p(z))`, per example, `[batch, 1]`.
/// Returns `(L_m, log p(x_m|z), KL)`; a CVAE's condition, which has no decoder, is an error.
pub fn unimodal_elbo(model: &Jmvae, m: usize, x: Tensor<2>, eps: Tensor<2>, weight: f64) -> Result<(Tensor<2>, Tensor<2>, Tensor<2>), ModelError> {
    let q = model.unimodal_encoder(m, x.clone());
    let z = q.sample(eps);
    let log_p = log_likelihood(&model.config.modalities[m], model.decode_logits(m, z)?, x);
    let kl = q.kl_to_prior();
    Ok((log_p.clone().mul_scalar(weight) - kl.clone(), log_p, kl))
}

fn sum(terms: &[Tensor<2>]) -> Tensor<2> {
    terms.iter().cloned().reduce(|a, b| a + b).expect("at least one term")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::ModelConfig;
    use crate::test_support::Zeros;
    use burn::module::Module;
    use burn::tensor::{Device, TensorData};


    fn column(values: &[f32], device: &Device) -> Tensor<2> {
        Tensor::from_data(TensorData::new(values.to_vec(), [values.len(), 1]), device)
    }

    #[test]
    fn loss_combines_the_terms_as_the_equation_says() {
        let device = Device::default();
        let terms = Terms {
            log_likelihood: vec![column(&[-2.0, -4.0], &device), column(&[-3.0, -1.0], &device)],
            generated: vec![0, 1],
            kl_to_prior: column(&[1.0, 3.0], &device),
            kl_to_unimodal: vec![column(&[0.5, 0.5], &device), column(&[0.25, 0.75], &device)],
        };
        // Means: ll = -3, -2; KL = 2; KL_uni = 0.5, 0.5. L = -5 - 0.5·2 - 0.1·1 = -6.1
        let weights = Objective { alpha: 0.1, beta: 0.5, rescale: Vec::new() };
        let loss = terms.loss(&weights).into_scalar::<f32>();
        assert!((loss - 6.1).abs() < 1e-5, "{loss}");
        // λ = (1, 10) on the label: ll = -3 + 10·(-2) = -23, so -L = 23 + 1 + 0.1 = 24.1.
        let rescaled = weights.clone().rescaled(vec![1.0, 10.0]).unwrap();
        let loss = terms.loss(&rescaled).into_scalar::<f32>();
        assert!((loss - 24.1).abs() < 1e-4, "{loss}");
        let means = terms.means().into_data().try_to_vec::<f32>().unwrap();
        assert_eq!(means, vec![-3.0, -2.0, 2.0, 0.5, 0.5]);
    }

    #[test]
    fn a_model_with_zero_weights_has_the_hand_computed_loss() {
        // All weights zero: q(z|·) = N(0, I) for every encoder, so every KL is 0; every pixel
        // has probability 1/2 and every class 1/10, so -L = 784 log 2 + log 10 exactly.
        let device = Device::default();
        let model = Jmvae::new(&ModelConfig::mnist(), &device).unwrap().map(&mut Zeros);
        let image = Tensor::ones([3, 784], &device);
        let label = Tensor::from_data(TensorData::new([[0.0f32, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]; 3].concat(), [3, 10]), &device);
        let eps = Tensor::ones([3, 64], &device);
        let terms = Terms::compute(&model, &[image, label], eps);
        let loss = terms.loss(&Objective::jmvae_kl(1.0).unwrap()).into_scalar::<f32>();
        let expected = 784.0 * 2f32.ln() + 10f32.ln();
        assert!((loss - expected).abs() < 1e-2, "{loss} vs {expected}");
        let means = terms.means().into_data().try_to_vec::<f32>().unwrap();
        assert_eq!(means.len(), 5);
        assert!(means[2..].iter().all(|kl| kl.abs() < 1e-6));
    }

    #[test]
    fn a_zero_cvae_sums_only_the_image_it_generates() {
        // The label is a condition: no log p(w|z) term and no unimodal KL, so -L = 784 log 2.
        let device = Device::default();
        let model = Jmvae::new(&ModelConfig::mnist_cvae(), &device).unwrap().map(&mut Zeros);
        let image = Tensor::ones([2, 784], &device);
        let label = Tensor::from_data(TensorData::new([[0.0f32, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]; 2].concat(), [2, 10]), &device);
        let terms = Terms::compute(&model, &[image, label], Tensor::ones([2, 64], &device));
        assert_eq!((terms.log_likelihood.len(), terms.kl_to_unimodal.len()), (1, 0));
        let loss = terms.loss(&Objective::jmvae_kl(0.0).unwrap()).into_scalar::<f32>();
        assert!((loss - 784.0 * 2f32.ln()).abs() < 1e-2, "{loss}");
    }

    #[test]
    fn the_unimodal_bound_of_a_zero_model_is_the_uniform_label() {
        // All weights zero: q(z|w) = N(0, I), so KL = 0, and p(w|z) is uniform over 10 classes.
        let device = Device::default();
        let model = Jmvae::new(&ModelConfig::mnist(), &device).unwrap().map(&mut Zeros);
        let label = Tensor::from_data(TensorData::new([[0.0f32, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]; 2].concat(), [2, 10]), &device);
        let (bound, log_p, kl) = unimodal_elbo(&model, 1, label, Tensor::ones([2, 64], &device), 3.0).unwrap();
        let expected = -3.0 * 10f32.ln();
        assert!((bound.into_data().try_to_vec::<f32>().unwrap()[0] - expected).abs() < 1e-4);
        assert!((log_p.into_data().try_to_vec::<f32>().unwrap()[1] + 10f32.ln()).abs() < 1e-4);
        assert!(kl.into_data().try_to_vec::<f32>().unwrap().iter().all(|k| k.abs() < 1e-6));
    }

    #[test]
    fn negative_alpha_is_refused() {
        assert!(Objective::jmvae_kl(-0.1).unwrap_err().to_string().contains("alpha"));
        assert!(Objective::jmvae_kl(f64::NAN).is_err());
        let err = Objective::jmvae_kl(0.1).unwrap().rescaled(vec![1.0, 0.0]).unwrap_err().to_string();
        assert!(err.contains("positive, got 0"), "{err}");
    }

    #[test]
    fn warmup_rises_linearly_to_one() {
        assert_eq!(Objective::warmup_beta(0, 0), 1.0);
        assert_eq!(Objective::warmup_beta(0, 4), 0.25);
        assert_eq!(Objective::warmup_beta(3, 4), 1.0);
        assert_eq!(Objective::warmup_beta(10, 4), 1.0);
    }
}
