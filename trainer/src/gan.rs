//! The training-time half of JMVAE-GAN: the discriminator, its optimiser, their step and
//! their files in a checkpoint. The model's half (the losses) is `jmvae::adversarial`.

use std::path::Path;

use anyhow::{Context, Result, bail};
use burn::module::Module;
use burn::optim::{AdamConfig, GradientsParams, ModuleOptimizer};
use burn::store::ModuleRecord;
use burn::tensor::{Device, Tensor};
use jmvae::adversarial::{GanWeights, decoder_terms, discriminator_loss, fakes};
use jmvae::discriminator::{Discriminator, DiscriminatorConfig};
use jmvae::{Jmvae, ModelConfig};
use serde::{Deserialize, Serialize};

use crate::atomic::save_record;
use crate::modalities::IMAGE;

/// γ when `--gan-weight` is not given.
pub const DEFAULT_ADVERSARIAL: f64 = 250.0;
/// φ when `--feature-weight` is not given.
pub const DEFAULT_FEATURE_MATCHING: f64 = 100.0;
/// The discriminator's learning rate when `--gan-lr` is not given: DCGAN's.
pub const DEFAULT_DISCRIMINATOR_LR: f64 = 2e-4;

/// A JMVAE-GAN run's discriminator and the weights of its terms; stored in `run.json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GanSettings {
    /// The discriminator's networks.
    pub discriminator: DiscriminatorConfig,
    /// γ: weight of the decoder's adversarial term.
    pub adversarial: f64,
    /// φ: weight of the decoder's feature matching.
    pub feature_matching: f64,
    /// The modality D judges (the image).
    pub image: String,
    /// The discriminator's Adam learning rate.
    pub lr: f64,
}

impl GanSettings {
    /// The faces GAN with the given weights; refused for a model without a colour image.
    pub fn new(config: &ModelConfig, adversarial: f64, feature_matching: f64, lr: f64) -> Result<Self> {
        GanWeights::new(adversarial, feature_matching)?;
        if !(lr > 0.0 && lr.is_finite()) {
            bail!("--gan-lr must be positive, got {lr}");
        }
        let image = config.modality(IMAGE).context("--gan needs an `image` modality")?;
        if image.shape.len() != 3 {
            bail!("--gan trains a convolutional discriminator on [channels, height, width] images; this dataset's images are {:?} (use the faces)", image.shape);
        }
        let discriminator = DiscriminatorConfig::faces();
        discriminator.check(&image.shape)?;
        Ok(Self { discriminator, adversarial, feature_matching, image: IMAGE.into(), lr })
    }

    /// The decoder's GAN weights.
    pub fn weights(&self) -> GanWeights {
        GanWeights { adversarial: self.adversarial, feature_matching: self.feature_matching }
    }
}

/// The discriminator being trained beside the model, with its own Adam.
pub struct Adversary {
    /// D.
    pub discriminator: Discriminator,
    /// Its optimiser.
    pub optimizer: ModuleOptimizer,
}

/// What one adversarial step leaves for the decoder's loss and for the log.
pub struct AdversarialStep {
    /// γ · adversarial + φ · feature matching, to add to the decoder's loss.
    pub decoder_loss: Tensor<1>,
    /// L_D before D's update (NaN when D diverged).
    pub discriminator_loss: f32,
    /// The decoder's adversarial term and feature matching, unweighted.
    pub terms: [f32; 2],
}

const DISCRIMINATOR_FILE: &str = "discriminator.bpk";
const OPTIMIZER_FILE: &str = "discriminator-optimizer.bpk";

impl Adversary {
    /// A fresh discriminator for `settings` on `device` (seeded by the caller).
    pub fn new(settings: &GanSettings, config: &ModelConfig, device: &Device) -> Result<Self> {
        let shape = &config.modality(&settings.image)?.shape;
        Ok(Self { discriminator: settings.discriminator.init(shape, device)?, optimizer: AdamConfig::new().with_beta_1(0.5).init() })
    }

    /// One update of D on `inputs`' images against the decoder's fakes, then the decoder's
    /// GAN loss against the updated D. `eps ~ N(0, I)` draws the fakes' z.
    pub fn step(&mut self, settings: &GanSettings, model: &Jmvae, inputs: &[Tensor<2>], eps: Tensor<2>) -> Result<AdversarialStep> {
        let image = model.config.index_of(&settings.image)?;
        let real = inputs[image].clone();
        let fake = fakes(model, inputs, image, eps);
        let d_loss = discriminator_loss(&self.discriminator, real.clone(), fake.clone().detach());
        let d_value = d_loss.clone().into_scalar::<f32>();
        let grads = GradientsParams::from_grads(d_loss.backward(), &self.discriminator);
        self.discriminator = self.optimizer.step(settings.lr, self.discriminator.clone(), grads);
        let (adversarial, matching) = decoder_terms(&self.discriminator, real, fake);
        let terms = [adversarial.clone().into_scalar::<f32>(), matching.clone().into_scalar::<f32>()];
        let decoder_loss = settings.weights().weigh(adversarial, matching);
        Ok(AdversarialStep { decoder_loss, discriminator_loss: d_value, terms })
    }

    /// Write D and its optimiser into checkpoint directory `dir`, as the model's records are.
    pub fn save(&self, dir: &Path) -> Result<()> {
        save_record(&dir.join(DISCRIMINATOR_FILE), |f| self.discriminator.clone().into_record().save(f))?;
        save_record(&dir.join(OPTIMIZER_FILE), |f| self.optimizer.save(f))
    }

    /// D and its optimiser from checkpoint directory `dir`.
    pub fn load(settings: &GanSettings, config: &ModelConfig, dir: &Path, device: &Device) -> Result<Self> {
        let fresh = Self::new(settings, config, device)?;
        let file = dir.join(DISCRIMINATOR_FILE);
        if !file.is_file() {
            bail!("`{}` is missing: this JMVAE-GAN checkpoint has no discriminator to resume", file.display());
        }
        let record = ModuleRecord::load(&file).with_context(|| format!("cannot read `{}`", file.display()))?;
        let discriminator = fresh
            .discriminator
            .try_load_record(record.cast_to_module_dtype())
            .with_context(|| format!("`{}` does not match the run's discriminator", file.display()))?;
        let optimizer = fresh.optimizer.load(dir.join(OPTIMIZER_FILE)).with_context(|| format!("cannot read `{}`", dir.join(OPTIMIZER_FILE).display()))?;
        Ok(Self { discriminator, optimizer })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use burn::tensor::Distribution;

    #[test]
    fn the_discriminator_learns_to_tell_textured_images_from_flat_ones() {
        // Real: uniform noise, all texture; fake: flat grey, all blur. A working D step drives
        // L_D from 2 log 2 (undecided) well down within a few dozen steps.
        let device = Device::default().autodiff();
        device.seed(3);
        let config = DiscriminatorConfig { channels: vec![8, 8], features: 16 };
        let mut d = config.init(&[3, 16, 16], &device).unwrap();
        let mut optimizer = AdamConfig::new().with_beta_1(0.5).init();
        let mut losses = Vec::new();
        for _ in 0..60 {
            let real = Tensor::random([16, 3 * 16 * 16], Distribution::Uniform(0.0, 1.0), &device);
            let fake = Tensor::full([16, 3 * 16 * 16], 0.5, &device);
            let loss = discriminator_loss(&d, real, fake);
            losses.push(loss.clone().into_scalar::<f32>());
            let grads = GradientsParams::from_grads(loss.backward(), &d);
            d = optimizer.step(1e-3, d, grads);
        }
        assert!((losses[0] - 2.0 * 2f32.ln()).abs() < 0.2, "starts undecided: {}", losses[0]);
        assert!(losses[59] < 0.5 * losses[0], "{losses:?}");
    }
}
