//! The building blocks of every encoder and decoder: ReLU stacks and Gaussian heads.

use burn::module::Module;
use burn::nn::{Linear, LinearConfig};
use burn::tensor::activation::relu;
use burn::tensor::{Device, Tensor};

use crate::config::NetworkConfig;
use crate::gaussian::DiagGaussian;

/// Fully connected layers, each followed by a ReLU.
#[derive(Module, Debug)]
pub struct Mlp {
    layers: Vec<Linear>,
}

impl Mlp {
    /// A stack taking `input` features through the widths of `config`.
    pub fn new(input: usize, config: &NetworkConfig, device: &Device) -> Self {
        let NetworkConfig::Mlp { hidden } = config;
        let widths = std::iter::once(input).chain(hidden.iter().copied());
        let layers = widths
            .clone()
            .zip(hidden.iter().copied())
            .map(|(from, to)| LinearConfig::new(from, to).init(device))
            .collect();
        Self { layers }
    }

    /// `[batch, input] -> [batch, last width]`.
    pub fn forward(&self, x: Tensor<2>) -> Tensor<2> {
        self.layers.iter().fold(x, |h, layer| relu(layer.forward(h)))
    }
}

/// Linear heads for the mean and log-variance of a diagonal Gaussian.
#[derive(Module, Debug)]
pub struct GaussianHead {
    mean: Linear,
    log_var: Linear,
}

impl GaussianHead {
    /// Heads from `input` features to a `latent`-dimensional Gaussian.
    pub fn new(input: usize, latent: usize, device: &Device) -> Self {
        Self {
            mean: LinearConfig::new(input, latent).init(device),
            log_var: LinearConfig::new(input, latent).init(device),
        }
    }

    /// The Gaussian for each row of `h`.
    pub fn forward(&self, h: Tensor<2>) -> DiagGaussian {
        DiagGaussian::new(self.mean.forward(h.clone()), self.log_var.forward(h))
    }
}
