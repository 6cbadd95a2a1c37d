//! JMVAE-GAN, the paper's CelebA variant: the image decoder is trained against a
//! discriminator D as well as on JMVAE-kl, so that decoded faces are sharp rather than the
//! average that a Gaussian likelihood rewards.
//!
//! ```text
//! L_D   = -E_x[log D(x)] - E_x̃[log(1 - D(x̃))]
//! L_dec = -L_JMVAE-kl + γ · -E_x̃[log D(x̃)] + φ · mean_j (E_x f_j(x) - E_x̃ f_j(x̃))²
//! ```
//! x̃ are decoded images (the decoder's means, what the page shows): half of a batch
//! reconstructed from z ~ q(z|x,w), half generated from z ~ q(z|w), the page's path. z is
//! detached, so only the decoder learns from D; the encoders, and so the attributes a face is
//! generated from, keep JMVAE-kl's gradients, as VAE-GAN (Larsen et al., 2016) keeps its
//! encoder out of the GAN loss. The decoder's adversarial term is the non-saturating one
//! (Goodfellow et al., 2014); the second is feature matching (Salimans et al., 2016) on D's
//! penultimate layer, a batch-mean form of VAE-GAN's feature-wise reconstruction.

use burn::tensor::Tensor;
use burn::tensor::activation::log_sigmoid;

use crate::discriminator::Discriminator;
use crate::error::ModelError;
use crate::likelihood::mean;
use crate::model::{Inputs, Jmvae};

/// The weights of the decoder's two GAN terms.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GanWeights {
    /// γ: weight of the adversarial term -log D(x̃).
    pub adversarial: f64,
    /// φ: weight of feature matching on D's penultimate layer.
    pub feature_matching: f64,
}

impl GanWeights {
    /// Weights that are finite and not negative.
    pub fn new(adversarial: f64, feature_matching: f64) -> Result<Self, ModelError> {
        for (name, w) in [("adversarial", adversarial), ("feature-matching", feature_matching)] {
            if !(w >= 0.0 && w.is_finite()) {
                return Err(ModelError::InvalidConfig(format!("the {name} weight must be >= 0, got {w}")));
            }
        }
        Ok(Self { adversarial, feature_matching })
    }

    /// The decoder's GAN loss from its two terms ([`decoder_terms`]): γ · adversarial + φ ·
    /// feature matching.
    pub fn weigh(self, adversarial: Tensor<1>, feature_matching: Tensor<1>) -> Tensor<1> {
        adversarial.mul_scalar(self.adversarial) + feature_matching.mul_scalar(self.feature_matching)
    }
}

/// The decoded images D is shown for a batch of fully observed `inputs`: the first half of
/// the rows reconstructed through q(z|all), the rest generated from every modality but
/// `image`; `eps ~ N(0, I)` is `[batch, latent]`. z is detached: only the decoder is in the graph.
pub fn fakes(model: &Jmvae, inputs: &[Tensor<2>], image: usize, eps: Tensor<2>) -> Tensor<2> {
    let [batch, _] = inputs[image].dims();
    let half = batch.div_ceil(2);
    let rows = |x: &Tensor<2>, from: usize, to: usize| x.clone().slice([from..to]);
    let mut parts = Vec::new();
    for (from, to, with_image) in [(0, half, true), (half, batch, false)] {
        if from == to {
            continue;
        }
        let given: Inputs = inputs.iter().enumerate().map(|(m, x)| (with_image || m != image).then(|| rows(x, from, to))).collect();
        // Every modality is given but (in half the rows) the generated image: none can fail.
        let z = model.posterior(&given).expect("at least the conditions are given").sample(rows(&eps, from, to)).detach();
        let code = model.decoder_input(z, &given).expect("every condition is given");
        parts.push(mean(&model.config.modalities[image], model.decode_logits(image, code).expect("the image is generated")));
    }
    Tensor::cat(parts, 0)
}

/// L_D: D's cross-entropy on `real` images (label 1) and on `fake` ones (label 0), each a
/// batch mean; detach `fake` so that the decoder is not trained by it.
pub fn discriminator_loss(d: &Discriminator, real: Tensor<2>, fake: Tensor<2>) -> Tensor<1> {
    let (real, _) = d.forward(real);
    let (fake, _) = d.forward(fake);
    // -log D = -log σ(l), and -log(1 - D) = -log σ(-l), both stable in the logit l.
    log_sigmoid(real).mean().neg() - log_sigmoid(fake.neg()).mean()
}

/// The decoder's GAN terms for `fake` images against `real` ones, each `[1]`:
/// (-E log D(x̃), mean over features of the squared gap between the batch means of f).
pub fn decoder_terms(d: &Discriminator, real: Tensor<2>, fake: Tensor<2>) -> (Tensor<1>, Tensor<1>) {
    let target = d.features(real).detach().mean_dim(0);
    let (logit, features) = d.forward(fake);
    let adversarial = log_sigmoid(logit).mean().neg();
    let feature_matching = (target - features.mean_dim(0)).square().mean();
    (adversarial, feature_matching)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::ModelConfig;
    use crate::discriminator::DiscriminatorConfig;
    use crate::test_support::Zeros;
    use burn::module::Module;
    use burn::tensor::{Device, TensorData};

    fn faces() -> ModelConfig {
        ModelConfig::celeba((0..3).map(|i| format!("a{i}")).collect())
    }

    #[test]
    fn a_zero_discriminator_is_undecided() {
        // Every logit is 0, so D = 1/2: L_D = 2 log 2, the adversarial term log 2, and every
        // feature is 0, so feature matching is 0.
        let device = Device::default();
        let d = DiscriminatorConfig::faces().init(&[3, 64, 64], &device).unwrap().map(&mut Zeros);
        let (real, fake) = (Tensor::ones([3, 3 * 64 * 64], &device), Tensor::zeros([2, 3 * 64 * 64], &device));
        let loss = discriminator_loss(&d, real.clone(), fake.clone()).into_scalar::<f32>();
        assert!((loss - 2.0 * 2f32.ln()).abs() < 1e-5, "{loss}");
        let (adversarial, matching) = decoder_terms(&d, real, fake);
        assert!((adversarial.clone().into_scalar::<f32>() - 2f32.ln()).abs() < 1e-5);
        assert_eq!(matching.clone().into_scalar::<f32>(), 0.0);
        let weighted = GanWeights::new(3.0, 5.0).unwrap().weigh(adversarial, matching).into_scalar::<f32>();
        assert!((weighted - 3.0 * 2f32.ln()).abs() < 1e-5, "{weighted}");
    }

    #[test]
    fn feature_matching_is_zero_only_when_the_batch_means_agree() {
        let device = Device::default();
        device.seed(7);
        let d = DiscriminatorConfig::faces().init(&[3, 64, 64], &device).unwrap();
        let real = Tensor::random([4, 3 * 64 * 64], burn::tensor::Distribution::Uniform(0.0, 1.0), &device);
        let (_, same) = decoder_terms(&d, real.clone(), real.clone());
        assert!(same.into_scalar::<f32>().abs() < 1e-10);
        let (_, apart) = decoder_terms(&d, real, Tensor::zeros([4, 3 * 64 * 64], &device));
        assert!(apart.into_scalar::<f32>() > 0.0);
    }

    #[test]
    fn fakes_are_half_reconstructions_half_generations_in_the_unit_range() {
        let device = Device::default();
        let model = Jmvae::new(&faces(), &device).unwrap().map(&mut Zeros);
        let image = Tensor::ones([3, 3 * 64 * 64], &device);
        let attributes = Tensor::from_data(TensorData::new(vec![1.0f32, 0.0, 1.0, 0.0, 0.0, 1.0, 1.0, 1.0, 0.0], [3, 3]), &device);
        let x = fakes(&model, &[image, attributes], 0, Tensor::ones([3, 64], &device));
        assert_eq!(x.dims(), [3, 3 * 64 * 64]);
        // A zero decoder's logits are 0: every intensity is σ(0) = 1/2.
        assert!(x.into_data().iter::<f32>().all(|v| (v - 0.5).abs() < 1e-6));
    }

    #[test]
    fn negative_or_infinite_weights_are_refused() {
        assert!(GanWeights::new(-1.0, 0.0).unwrap_err().to_string().contains("adversarial"));
        assert!(GanWeights::new(1.0, f64::INFINITY).unwrap_err().to_string().contains("feature-matching"));
    }
}
