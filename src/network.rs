//! The building blocks of every encoder and decoder: ReLU stacks (convolutional for images,
//! fully connected otherwise), transposed-convolution upsamplers and Gaussian heads.
//!
//! Every network reads and writes flat `[batch, size]` tensors, so the model, the objective
//! and the browser API never see an image's layout; convolutions reshape on the way in and out.

use burn::module::Module;
use burn::nn::conv::{Conv2d, Conv2dConfig, ConvTranspose2d, ConvTranspose2dConfig};
use burn::nn::{Linear, LinearConfig, PaddingConfig2d};
use burn::tensor::activation::relu;
use burn::tensor::{Device, Tensor};

use crate::config::NetworkConfig;
use crate::gaussian::DiagGaussian;

/// The size-halving convolution of the reference architecture: 4x4, stride 2, padding 1.
pub(crate) fn halving(from: usize, to: usize, device: &Device) -> Conv2d {
    Conv2dConfig::new([from, to], [4, 4])
        .with_stride([2, 2])
        .with_padding(PaddingConfig2d::Explicit(1, 1, 1, 1))
        .init(device)
}

/// Its transpose, which doubles height and width.
fn doubling(from: usize, to: usize, device: &Device) -> ConvTranspose2d {
    ConvTranspose2dConfig::new([from, to], [4, 4]).with_stride([2, 2]).with_padding([1, 1]).init(device)
}

/// Fully connected layers from `input` through `hidden`.
fn dense(input: usize, hidden: &[usize], device: &Device) -> Vec<Linear> {
    let widths = std::iter::once(input).chain(hidden.iter().copied());
    widths.zip(hidden.iter().copied()).map(|(from, to)| LinearConfig::new(from, to).init(device)).collect()
}

/// Strided convolutions (images only), then fully connected layers; a ReLU after each.
#[derive(Module, Debug)]
pub struct Mlp {
    convs: Vec<Conv2d>,
    layers: Vec<Linear>,
    /// `[channels, height, width]` of the input when there are convolutions.
    #[module(skip)]
    image: Vec<usize>,
}

impl Mlp {
    /// A stack reading inputs of `shape` (`[n]` for flat features) as `config` says.
    pub fn new(shape: &[usize], config: &NetworkConfig, device: &Device) -> Self {
        let (convs, image) = match config {
            NetworkConfig::Conv { channels, .. } if !channels.is_empty() => {
                let depths = std::iter::once(shape[0]).chain(channels.iter().copied());
                let convs = depths.zip(channels.iter().copied()).map(|(a, b)| halving(a, b, device)).collect();
                (convs, shape.to_vec())
            }
            _ => (Vec::new(), Vec::new()),
        };
        Self { convs, layers: dense(config.flat_size(shape), config.hidden(), device), image }
    }

    /// `[batch, input size] -> [batch, output size]`.
    pub fn forward(&self, x: Tensor<2>) -> Tensor<2> {
        let x = if self.convs.is_empty() {
            x
        } else {
            let [batch, _] = x.dims();
            let maps = x.reshape([batch, self.image[0], self.image[1], self.image[2]]);
            let maps = self.convs.iter().fold(maps, |h, conv| relu(conv.forward(h)));
            maps.reshape([batch as i32, -1])
        };
        self.layers.iter().fold(x, |h, layer| relu(layer.forward(h)))
    }
}

/// Transposed convolutions from a flat feature map to a flat image, a ReLU between each.
#[derive(Module, Debug)]
pub struct Upsampler {
    deconvs: Vec<ConvTranspose2d>,
    /// `[channels, height, width]` of the first feature map.
    #[module(skip)]
    seed: Vec<usize>,
}

impl Upsampler {
    /// From `channels[0]` maps at 1/2^n of `image` (`[c, h, w]`) up to the image itself.
    pub fn new(channels: &[usize], image: &[usize], device: &Device) -> Self {
        let n = 1 << channels.len();
        let depths = channels.iter().copied().chain(std::iter::once(image[0]));
        let deconvs = depths.clone().zip(depths.skip(1)).map(|(a, b)| doubling(a, b, device)).collect();
        Self { deconvs, seed: vec![channels[0], image[1] / n, image[2] / n] }
    }

    /// The number of values of the first feature map.
    pub fn seed_size(&self) -> usize {
        self.seed.iter().product()
    }

    /// `[batch, seed size]` (before its ReLU) -> `[batch, image size]` (logits).
    pub fn forward(&self, h: Tensor<2>) -> Tensor<2> {
        let [batch, _] = h.dims();
        let maps = h.reshape([batch, self.seed[0], self.seed[1], self.seed[2]]);
        let maps = self.deconvs.iter().fold(maps, |h, deconv| deconv.forward(relu(h)));
        maps.reshape([batch as i32, -1])
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
