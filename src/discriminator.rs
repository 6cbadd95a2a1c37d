//! The discriminator D(x) of JMVAE-GAN: the probability that an image is real, not decoded.
//!
//! A training-time network: it shapes the image decoder, and is never shipped in a manifest
//! or run by the page. Its penultimate features also serve the decoder's feature-matching term.

use burn::module::Module;
use burn::nn::conv::Conv2d;
use burn::nn::{Linear, LinearConfig};
use burn::tensor::activation::leaky_relu;
use burn::tensor::{Device, Tensor};
use serde::{Deserialize, Serialize};

use crate::config::NetworkConfig;
use crate::error::ModelError;
use crate::network::halving;

/// The slope of the leaky ReLUs, as in DCGAN: a discriminator's gradients must not die.
const LEAK: f64 = 0.2;

/// The shape of D: halving 4x4 convolutions, then one fully connected feature layer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DiscriminatorConfig {
    /// Output channels of each convolution, input side first.
    pub channels: Vec<usize>,
    /// Width of the feature layer before the logit.
    pub features: usize,
}

impl DiscriminatorConfig {
    /// The faces discriminator: convolutions 32-32-64-64 (the image encoder's), 256 features.
    pub fn faces() -> Self {
        Self { channels: vec![32, 32, 64, 64], features: 256 }
    }

    /// The encoders' description of D's convolution stack, whose checks and sizes D shares.
    fn trunk(&self) -> NetworkConfig {
        NetworkConfig::conv(&self.channels, &[self.features])
    }

    /// Why D cannot read images of `shape` (`[channels, height, width]`), if so.
    pub fn check(&self, shape: &[usize]) -> Result<(), ModelError> {
        let bad = |why: String| Err(ModelError::InvalidConfig(format!("discriminator: {why}")));
        if self.channels.is_empty() || self.features == 0 || self.channels.contains(&0) {
            return bad("every layer needs at least one channel or feature".into());
        }
        self.trunk().check(shape, false).or_else(bad)
    }

    /// Fresh weights for images of `shape` (`[channels, height, width]`).
    pub fn init(&self, shape: &[usize], device: &Device) -> Result<Discriminator, ModelError> {
        self.check(shape)?;
        let depths = std::iter::once(shape[0]).chain(self.channels.iter().copied());
        let convs = depths.zip(self.channels.iter().copied()).map(|(from, to)| halving(from, to, device)).collect();
        Ok(Discriminator {
            convs,
            features: LinearConfig::new(self.trunk().flat_size(shape), self.features).init(device),
            logit: LinearConfig::new(self.features, 1).init(device),
            image: shape.to_vec(),
        })
    }
}

/// D: convolutions and a feature layer, each followed by a leaky ReLU, then one logit.
#[derive(Module, Debug)]
pub struct Discriminator {
    convs: Vec<Conv2d>,
    features: Linear,
    logit: Linear,
    /// `[channels, height, width]` of the images it reads.
    #[module(skip)]
    image: Vec<usize>,
}

impl Discriminator {
    /// The penultimate features of flat `[batch, c * h * w]` images: `[batch, features]`.
    pub fn features(&self, images: Tensor<2>) -> Tensor<2> {
        let [batch, _] = images.dims();
        // Intensities in [0, 1] centred to [-1, 1], as DCGAN's discriminators read images.
        let maps = images.mul_scalar(2.0).sub_scalar(1.0).reshape([batch, self.image[0], self.image[1], self.image[2]]);
        let maps = self.convs.iter().fold(maps, |h, conv| leaky_relu(conv.forward(h), LEAK));
        leaky_relu(self.features.forward(maps.reshape([batch as i32, -1])), LEAK)
    }

    /// The logit of D(x) for each image, `[batch, 1]`, and its features.
    pub fn forward(&self, images: Tensor<2>) -> (Tensor<2>, Tensor<2>) {
        let features = self.features(images);
        (self.logit.forward(features.clone()), features)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faces_discriminator_reads_a_batch_of_faces() {
        let device = Device::default();
        let d = DiscriminatorConfig::faces().init(&[3, 64, 64], &device).unwrap();
        let (logit, features) = d.forward(Tensor::zeros([2, 3 * 64 * 64], &device));
        assert_eq!((logit.dims(), features.dims()), ([2, 1], [2, 256]));
    }

    #[test]
    fn shapes_it_cannot_read_are_refused() {
        let device = Device::default();
        let err = |config: DiscriminatorConfig, shape: &[usize]| config.init(shape, &device).unwrap_err().to_string();
        assert!(err(DiscriminatorConfig::faces(), &[784]).contains("[channels, height, width]"));
        assert!(err(DiscriminatorConfig::faces(), &[3, 60, 60]).contains("4 halvings do not divide"));
        let deep = DiscriminatorConfig { channels: vec![8; 64], features: 8 };
        assert!(err(deep, &[3, 64, 64]).contains("64 halvings"));
        let empty = DiscriminatorConfig { channels: vec![8], features: 0 };
        assert!(err(empty, &[3, 64, 64]).contains("at least one"));
    }
}
