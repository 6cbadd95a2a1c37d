//! The independent digit classifier that judges label -> image coherence.
//!
//! It is trained on real (grey-level) training images only, never on the JMVAE's outputs, so
//! its verdict on generated digits is an outside opinion.

use anyhow::{Context, Result};
use burn::module::Module;
use burn::nn::{Linear, LinearConfig};
use burn::optim::{AdamConfig, GradientsParams};
use burn::store::ModuleRecord;
use burn::tensor::activation::{log_softmax, relu};
use burn::tensor::{Device, Tensor};
use indicatif::{ProgressBar, ProgressStyle};
use jmvae::SeededRng;
use std::path::Path;

use crate::batch::{chunks, images, one_hot};
use crate::mnist::{CLASSES, PIXELS, Split};

/// A 784-512-512-10 ReLU network.
#[derive(Module, Debug)]
pub struct Classifier {
    layers: Vec<Linear>,
}

impl Classifier {
    /// Fresh weights on `device`.
    pub fn new(device: &Device) -> Self {
        let widths = [PIXELS, 512, 512, CLASSES];
        Self { layers: widths.windows(2).map(|w| LinearConfig::new(w[0], w[1]).init(device)).collect() }
    }

    /// Class logits for `[batch, 784]` images.
    pub fn forward(&self, x: Tensor<2>) -> Tensor<2> {
        let last = self.layers.len() - 1;
        self.layers.iter().enumerate().fold(x, |h, (i, layer)| {
            let h = layer.forward(h);
            if i < last { relu(h) } else { h }
        })
    }

    /// The most likely class of each row.
    pub fn predict(&self, x: Tensor<2>) -> Vec<usize> {
        let classes = self.forward(x).argmax(1).into_data();
        classes.iter::<i64>().map(|c| c as usize).collect()
    }

    /// Load weights saved by [`Classifier::save`].
    pub fn load(path: &Path, device: &Device) -> Result<Self> {
        let record = ModuleRecord::load(path).with_context(|| {
            format!("cannot read the classifier `{}` (train one with `jmvae train-classifier`)", path.display())
        })?;
        Classifier::new(device)
            .try_load_record(record.cast_to_module_dtype())
            .with_context(|| format!("`{}` is not a digit classifier", path.display()))
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

/// Train with Adam and cross-entropy on real training images.
pub fn train(train: &Split, epochs: usize, seed: u64, device: &Device) -> Classifier {
    let device = device.clone().autodiff();
    device.seed(seed);
    let mut model = Classifier::new(&device);
    let mut optimizer = AdamConfig::new().init();
    let steps = epochs * train.len().div_ceil(100);
    let bar = ProgressBar::new(steps as u64).with_style(
        ProgressStyle::with_template("classifier {bar:30} {pos}/{len} {msg} [{elapsed}<{eta}]").unwrap(),
    );
    for epoch in 0..epochs {
        let mut order: Vec<usize> = (0..train.len()).collect();
        SeededRng::new(seed ^ (epoch as u64 + 1) << 32).shuffle(&mut order);
        for indices in order.chunks(100) {
            let labels: Vec<u8> = indices.iter().map(|&i| train.labels[i]).collect();
            let logits = model.forward(images(train, indices, &device));
            let loss = (log_softmax(logits, 1) * one_hot(&labels, &device)).sum_dim(1).mean().neg();
            bar.set_message(format!("epoch {} loss {:.4}", epoch + 1, loss.clone().into_scalar::<f32>()));
            let grads = GradientsParams::from_grads(loss.backward(), &model);
            model = optimizer.step(1e-3, model, grads);
            bar.inc(1);
        }
    }
    bar.finish();
    model.valid()
}
