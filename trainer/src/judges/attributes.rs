//! The independent attribute classifier that judges attributes -> face coherence.
//!
//! It is trained on real training faces only, never on the JMVAE's outputs, so its verdict on
//! generated faces is an outside opinion. Its network is the JMVAE's image encoder shape (the
//! shared `Mlp` with convolutions), with a linear layer to one logit per attribute.

use std::path::Path;

use anyhow::{Context, Result};
use burn::config::Config;
use burn::module::Module;
use burn::nn::{Linear, LinearConfig};
use burn::optim::GradientsParams;
use burn::store::ModuleRecord;
use burn::tensor::activation::{log_sigmoid, sigmoid};
use burn::tensor::{Device, Tensor};
use indicatif::{ProgressBar, ProgressStyle};
use jmvae::network::Mlp;
use jmvae::{NetworkConfig, SeededRng};

use crate::adam::adam;
use crate::celeba::{Faces, SIDE};
use crate::examples::Examples;
use crate::modalities::{ATTRIBUTES, IMAGE};
use crate::seeds::{Stream, seed_for};

/// Width of the penultimate (feature) layer.
pub const FEATURES: usize = 256;

/// Convolutions 32-32-64-64, a 256-wide layer, one logit per attribute.
#[derive(Module, Debug)]
pub struct AttributeClassifier {
    trunk: Mlp,
    logits: Linear,
}

/// The judge's shape, as Burn's configs describe a module: one logit per attribute.
#[derive(Config, Debug)]
pub struct AttributeClassifierConfig {
    /// Number of attributes.
    pub attributes: usize,
}

impl AttributeClassifierConfig {
    /// Fresh weights on `device`.
    pub fn init(&self, device: &Device) -> AttributeClassifier {
        let network = NetworkConfig::conv(&[32, 32, 64, 64], &[FEATURES]);
        AttributeClassifier {
            trunk: Mlp::new(&[3, SIDE, SIDE], &network, device),
            logits: LinearConfig::new(FEATURES, self.attributes).init(device),
        }
    }
}

impl AttributeClassifier {
    /// Penultimate features for `[batch, 3 * 64 * 64]` images: `[batch, 256]`.
    pub fn features(&self, images: Tensor<2>) -> Tensor<2> {
        self.trunk.forward(images)
    }

    /// Attribute logits for `[batch, 3 * 64 * 64]` images.
    pub fn forward(&self, images: Tensor<2>) -> Tensor<2> {
        self.logits.forward(self.features(images))
    }

    /// Whether each attribute is predicted present (probability above one half), row by row.
    pub fn predict(&self, images: Tensor<2>) -> Vec<bool> {
        let p = sigmoid(self.forward(images)).into_data();
        p.iter::<f32>().map(|p| p > 0.5).collect()
    }

    /// Load weights saved by [`AttributeClassifier::save`] for `attributes` attributes.
    pub fn load(path: &Path, attributes: usize, device: &Device) -> Result<Self> {
        let record = ModuleRecord::load(path).with_context(|| {
            format!("cannot read the attribute classifier `{}` (train one with `jmvae train-classifier --dataset celeba`)", path.display())
        })?;
        AttributeClassifierConfig::new(attributes)
            .init(device)
            .try_load_record(record.cast_to_module_dtype())
            .with_context(|| format!("`{}` is not an attribute classifier for {attributes} attributes", path.display()))
    }

    /// Save the weights to `path` atomically.
    pub fn save(&self, path: &Path) -> Result<()> {
        crate::atomic::save_module(self, path)
    }
}

/// Train with Adam and per-attribute cross-entropy on real training faces.
pub fn train(train: &Faces, epochs: usize, seed: u64, device: &Device) -> AttributeClassifier {
    let device = device.clone().autodiff();
    device.seed(seed);
    let mut model = AttributeClassifierConfig::new(train.attribute_names.len()).init(&device);
    let mut optimizer = adam();
    let batch = 64;
    let bar = ProgressBar::new((epochs * train.len().div_ceil(batch)) as u64).with_style(
        ProgressStyle::with_template("classifier {bar:30} {pos}/{len} {msg} [{elapsed}<{eta}]").unwrap(),
    );
    for epoch in 0..epochs {
        let mut order: Vec<usize> = (0..train.len()).collect();
        SeededRng::new(seed_for(seed, Stream::JudgeEpoch(epoch))).shuffle(&mut order);
        for indices in order.chunks(batch) {
            let batch = train.inputs(indices, &device);
            let (images, attributes) = (batch.get(IMAGE).expect("faces"), batch.get(ATTRIBUTES).expect("faces"));
            let logits = model.forward(images);
            // w l + log σ(-l) is log p(w|l) for each Bernoulli attribute.
            let log_likelihood = (attributes * logits.clone() + log_sigmoid(logits.neg())).sum_dim(1);
            let loss = log_likelihood.mean().neg();
            bar.set_message(format!("epoch {} loss {:.3}", epoch + 1, loss.clone().into_scalar::<f32>()));
            let grads = GradientsParams::from_grads(loss.backward(), &model);
            model = optimizer.step(1e-3, model, grads);
            bar.inc(1);
        }
    }
    bar.finish();
    model.valid()
}
