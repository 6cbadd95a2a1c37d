//! One file per command of the CLI; each turns its parsed flags into work.

pub mod convergence;
pub mod eval;
pub mod export;
pub mod sample;
pub mod train;
pub mod train_classifier;

use anyhow::{Result, bail};
use burn::tensor::Device;
use jmvae::infer::Temperature;
use jmvae::{Jmvae, Manifest};

use crate::checkpoint::RunDir;
use crate::cli::ModelSource;

/// The CPU device the trainer computes on.
pub fn device() -> Device {
    Device::flex()
}

/// A model to evaluate and what its run or manifest recorded about it.
pub(crate) struct Evaluated {
    /// The dataset it was trained on.
    pub dataset: String,
    /// The model.
    pub model: Jmvae,
    /// The MNIST validation size it recorded, if any.
    pub validation: Option<usize>,
    /// A manifest's default sampling temperature.
    pub temperature: Option<Temperature>,
    /// The manifest's name, or the run directory.
    pub name: String,
}

/// The model of `source`: a checkpoint of a run, or an exported manifest.
pub(crate) fn load_evaluated(source: &ModelSource, device: &Device) -> Result<Evaluated> {
    match (&source.run, &source.manifest) {
        (Some(run), _) => {
            let dir = RunDir::new(run);
            let settings = dir.settings()?;
            let model = dir.load_model_at(source.checkpoint, device)?.0;
            let name = run.display().to_string();
            Ok(Evaluated { dataset: settings.dataset, model, validation: Some(settings.validation), temperature: None, name })
        }
        (_, Some(path)) => {
            let (manifest, model) = Manifest::read(path, device)?;
            let validation = manifest.training["validation"].as_u64().map(|v| v as usize);
            let temperature = Some(manifest.default_temperature());
            Ok(Evaluated { dataset: manifest.dataset, model, validation, temperature, name: manifest.name })
        }
        _ => bail!("give --run or --manifest"),
    }
}
