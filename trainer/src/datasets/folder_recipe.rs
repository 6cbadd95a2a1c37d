//! How a folder dataset is read and modelled: the flags that shape it (`--image-size`,
//! `--likelihood`, `--network`, `--latent`, `--test`) and the seed of its held-out splits,
//! recorded in `run.json` and the manifest so that `eval` and `--resume` read the same examples
//! the same way.

use anyhow::{Result, bail};
use clap::{Args, ValueEnum};
use jmvae::{ModalityKind, ModelConfig};
use serde::{Deserialize, Serialize};

use crate::modalities::IMAGE;

/// The likelihood of a folder dataset's images.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Likelihood {
    /// Independent Bernoullis of re-binarised intensities (MNIST's), the default for grey images.
    Bernoulli,
    /// A Gaussian of fixed σ around the intensities (the faces'), the default for colour images.
    Gaussian,
}

impl Likelihood {
    /// The model's modality kind for images with this likelihood.
    pub fn kind(self) -> ModalityKind {
        match self {
            Self::Bernoulli => ModalityKind::BinaryImage,
            Self::Gaussian => ModalityKind::ColourImage,
        }
    }
}

/// The networks of a folder dataset's images, overriding the choice made from the images.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Network {
    /// The MNIST reference's fully connected networks (the default for grey images up to 32 pixels).
    Mlp,
    /// The faces' convolutional networks (the default for colour or larger images).
    Conv,
}

/// The largest latent a folder model may ask for (the paper's largest is 128 wide; 1024 leaves room).
const MAX_LATENT: usize = 1024;

/// The folder dataset's flags on the command line (`train`, `train-classifier`).
#[derive(Args, Clone, Debug, Default)]
pub struct FolderArgs {
    /// Folder datasets: the side, in pixels, images are resized to (default: the most common
    /// size, capped at 64).
    #[arg(long)]
    pub image_size: Option<u32>,
    /// Folder datasets: the images' likelihood (default: Bernoulli for grey images, Gaussian
    /// for colour ones).
    #[arg(long, value_enum)]
    pub likelihood: Option<Likelihood>,
    /// Folder datasets without a `test` folder: the examples held out for testing, drawn by
    /// --seed (default: a tenth of them).
    #[arg(long)]
    pub test: Option<usize>,
    /// Folder datasets: the images' networks (default: `mlp` for grey images up to 32 pixels,
    /// `conv` for the others).
    #[arg(long, value_enum)]
    pub network: Option<Network>,
    /// Folder datasets: the width of the shared latent z (default 64).
    #[arg(long)]
    pub latent: Option<usize>,
}

impl FolderArgs {
    /// The recipe these flags ask for on the dataset `dataset`, drawing held-out splits by
    /// `seed`; none for the other datasets, which refuse the flags.
    pub fn recipe(&self, dataset: &str, seed: u64) -> Result<Option<FolderRecipe>> {
        if dataset != "folder" {
            let flags = [
                ("--image-size", self.image_size.is_some()),
                ("--likelihood", self.likelihood.is_some()),
                ("--test", self.test.is_some()),
                ("--network", self.network.is_some()),
                ("--latent", self.latent.is_some()),
            ];
            for (flag, given) in flags {
                if given {
                    bail!("{flag} applies to `--dataset folder` only; {dataset} has its own fixed preprocessing, networks and test set");
                }
            }
            return Ok(None);
        }
        if let Some(latent) = self.latent.filter(|&n| n == 0 || n > MAX_LATENT) {
            bail!("--latent {latent}: the latent's width must be from 1 to {MAX_LATENT}");
        }
        Ok(Some(FolderRecipe { image_size: self.image_size, likelihood: self.likelihood, test: self.test, seed, network: self.network, latent: self.latent }))
    }
}

/// How a folder dataset was read; stored as `folder` in `run.json` and the manifest's training record.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FolderRecipe {
    /// The side images are resized to (none until the data has been seen).
    pub image_size: Option<u32>,
    /// The images' likelihood (none until the data has been seen).
    pub likelihood: Option<Likelihood>,
    /// `--test`, as given (none: a tenth, where there is no `test` folder).
    pub test: Option<usize>,
    /// The seed of the held-out draw.
    pub seed: u64,
    /// `--network`, as given (none: chosen from the images).
    #[serde(default)]
    pub network: Option<Network>,
    /// `--latent`, as given (none: 64).
    #[serde(default)]
    pub latent: Option<usize>,
}

impl Default for FolderRecipe {
    fn default() -> Self {
        Self { image_size: None, likelihood: None, test: None, seed: 1, network: None, latent: None }
    }
}

impl FolderRecipe {
    /// The recipe with the size and likelihood that the model of `config` was given.
    pub fn resolved(self, config: &ModelConfig) -> Self {
        let image = config.modality(IMAGE).ok();
        let image_size = image.and_then(|m| m.shape.last()).map(|&s| s as u32).or(self.image_size);
        let likelihood = image.map(|m| if m.kind == ModalityKind::BinaryImage { Likelihood::Bernoulli } else { Likelihood::Gaussian });
        Self { image_size, likelihood: likelihood.or(self.likelihood), ..self }
    }
}
