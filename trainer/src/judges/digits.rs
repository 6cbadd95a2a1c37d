//! The independent digit classifier that judges label -> image coherence: a small CNN.
//!
//! It is trained on real (grey-level) training images only, never on the JMVAE's outputs, so
//! its verdict on generated digits is an outside opinion. Its penultimate layer is also the
//! feature space in which the diversity of generated digits is measured.

use anyhow::{Context, Result};
use burn::config::Config;
use burn::module::Module;
use burn::nn::{Linear, LinearConfig};
use burn::optim::GradientsParams;
use burn::store::ModuleRecord;
use burn::tensor::activation::log_softmax;
use burn::tensor::{Device, Tensor, TensorData};
use indicatif::{ProgressBar, ProgressStyle};
use jmvae::network::Mlp;
use jmvae::{NetworkConfig, SeededRng};
use std::path::Path;

use crate::adam::adam;
use crate::batch::{chunks, images, one_hot};
use crate::mnist::{CLASSES, PIXELS, Split};
use crate::seeds::{Stream, seed_for};

/// Width of the penultimate (feature) layer.
pub const FEATURES: usize = 128;
/// Largest shift, in pixels, of the training images' random translations.
const MAX_SHIFT: i64 = 2;

/// Convolutions 32-64 (4x4, stride 2), a 128-wide layer, 10 logits.
#[derive(Module, Debug)]
pub struct Classifier {
    trunk: Mlp,
    logits: Linear,
}

/// The judge's shape, as Burn's configs describe a module.
#[derive(Config, Debug)]
pub struct ClassifierConfig {
    /// Number of classes.
    #[config(default = 10)]
    pub classes: usize,
    /// The images' shape, `[channels, height, width]` (MNIST's by default).
    #[config(default = "vec![1, 28, 28]")]
    pub shape: Vec<usize>,
}

impl ClassifierConfig {
    /// Fresh weights on `device`: the two convolutions where they divide the image's size,
    /// else a dense layer in their place.
    pub fn init(&self, device: &Device) -> Classifier {
        let halves = self.shape[1..].iter().all(|s| s % 4 == 0);
        let network = if halves { NetworkConfig::conv(&[32, 64], &[FEATURES]) } else { NetworkConfig::mlp(&[512, FEATURES]) };
        Classifier { trunk: Mlp::new(&self.shape, &network, device), logits: LinearConfig::new(FEATURES, self.classes).init(device) }
    }
}

impl Classifier {
    /// Penultimate features for `[batch, 784]` images: `[batch, 128]`.
    pub fn features(&self, x: Tensor<2>) -> Tensor<2> {
        self.trunk.forward(x)
    }

    /// Class logits for `[batch, 784]` images.
    pub fn forward(&self, x: Tensor<2>) -> Tensor<2> {
        self.logits.forward(self.features(x))
    }

    /// The most likely class of each row.
    pub fn predict(&self, x: Tensor<2>) -> Vec<usize> {
        let classes = self.forward(x).argmax(1).into_data();
        classes.iter::<i64>().map(|c| c as usize).collect()
    }

    /// Load weights saved by [`Classifier::save`].
    pub fn load(path: &Path, device: &Device) -> Result<Self> {
        Self::load_as(path, &ClassifierConfig::new(), device)
    }

    /// Load weights saved by [`Classifier::save`] for a judge of `config`.
    pub fn load_as(path: &Path, config: &ClassifierConfig, device: &Device) -> Result<Self> {
        let record = ModuleRecord::load(path).with_context(|| {
            format!("cannot read the classifier `{}` (train one with `jmvae train-classifier`)", path.display())
        })?;
        config
            .init(device)
            .try_load_record(record.cast_to_module_dtype())
            .with_context(|| format!("`{}` is not a digit classifier (CNN); retrain it with `jmvae train-classifier`", path.display()))
    }

    /// Save the weights to `path` atomically.
    pub fn save(&self, path: &Path) -> Result<()> {
        crate::atomic::save_module(self, path)
    }
}

/// Fraction of `split` that `classifier` labels correctly.
pub fn accuracy(classifier: &Classifier, split: &Split, device: &Device) -> f64 {
    let mut correct = 0;
    for indices in chunks(split.len(), 1000) {
        let predicted = classifier.predict(images(split, &indices, device));
        correct += indices.iter().zip(predicted).filter(|&(&i, p)| split.labels[i] as usize == p).count();
    }
    correct as f64 / split.len().max(1) as f64
}

/// `image` (28x28) moved by (dx, dy) pixels, the uncovered border black.
fn shifted(image: &[f32], dx: i64, dy: i64) -> impl Iterator<Item = f32> + '_ {
    (0..28i64).flat_map(move |y| {
        (0..28i64).map(move |x| {
            let (sx, sy) = (x - dx, y - dy);
            if (0..28).contains(&sx) && (0..28).contains(&sy) { image[(sy * 28 + sx) as usize] } else { 0.0 }
        })
    })
}

/// The images of `indices`, each translated by a random shift of up to [`MAX_SHIFT`] pixels:
/// the augmentation that takes a small CNN past 99 % on MNIST.
fn augmented(split: &Split, indices: &[usize], rng: &mut SeededRng, device: &Device) -> Tensor<2> {
    let span = (2 * MAX_SHIFT + 1) as usize;
    let mut values = Vec::with_capacity(indices.len() * PIXELS);
    for &i in indices {
        let dx = rng.below(span) as i64 - MAX_SHIFT;
        let dy = rng.below(span) as i64 - MAX_SHIFT;
        values.extend(shifted(split.image(i), dx, dy));
    }
    Tensor::from_data(TensorData::new(values, [indices.len(), PIXELS]), device)
}

/// Train with Adam and cross-entropy on real training images, randomly shifted.
pub fn train(train: &Split, epochs: usize, seed: u64, device: &Device) -> Classifier {
    fit(&ClassifierConfig::new().with_classes(CLASSES), train.len(), epochs, seed, device, |indices, rng, device| {
        let labels: Vec<u8> = indices.iter().map(|&i| train.labels[i]).collect();
        (augmented(train, indices, rng, device), one_hot(&labels, device))
    })
}

/// Train a judge of `config` with Adam and cross-entropy on `len` examples, whose images and
/// one-hot classes `batch` gives for a step's indices (drawing any augmentation from the rng).
pub fn fit(
    config: &ClassifierConfig,
    len: usize,
    epochs: usize,
    seed: u64,
    device: &Device,
    mut batch: impl FnMut(&[usize], &mut SeededRng, &Device) -> (Tensor<2>, Tensor<2>),
) -> Classifier {
    let device = device.clone().autodiff();
    device.seed(seed);
    let mut model = config.init(&device);
    let mut optimizer = adam();
    let steps = epochs * len.div_ceil(100);
    let bar = ProgressBar::new(steps as u64).with_style(
        ProgressStyle::with_template("classifier {bar:30} {pos}/{len} {msg} [{elapsed}<{eta}]").unwrap(),
    );
    for epoch in 0..epochs {
        let mut rng = SeededRng::new(seed_for(seed, Stream::JudgeEpoch(epoch)));
        let mut order: Vec<usize> = (0..len).collect();
        rng.shuffle(&mut order);
        // Halve the step size for the last third of the epochs, for a steadier final model.
        let lr = if 3 * epoch >= 2 * epochs { 5e-4 } else { 1e-3 };
        for (step, indices) in order.chunks(100).enumerate() {
            let (images, classes) = batch(indices, &mut rng, &device);
            let loss = (log_softmax(model.forward(images), 1) * classes).sum_dim(1).mean().neg();
            if step % 20 == 0 {
                bar.set_message(format!("epoch {} loss {:.4}", epoch + 1, loss.clone().into_scalar::<f32>()));
            }
            let grads = GradientsParams::from_grads(loss.backward(), &model);
            model = optimizer.step(lr, model, grads);
            bar.inc(1);
        }
    }
    bar.finish();
    model.valid()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shift_moves_pixels_and_blanks_the_border() {
        let mut image = vec![0.0; PIXELS];
        image[5 * 28 + 7] = 1.0;
        let moved: Vec<f32> = shifted(&image, 2, -1).collect();
        assert_eq!(moved[4 * 28 + 9], 1.0);
        assert_eq!(moved.iter().sum::<f32>(), 1.0);
        let edge: Vec<f32> = shifted(&vec![1.0; PIXELS], 2, 0).collect();
        assert_eq!(edge[0], 0.0);
        assert_eq!(edge[2], 1.0);
    }
}
