//! One file per command of the CLI; each turns its parsed flags into work (`train`'s many
//! flags are checked in `train_flags.rs`).

pub mod convergence;
pub mod eval;
pub mod export;
pub mod sample;
pub mod train;
pub mod train_classifier;
mod train_flags;

use anyhow::{Result, bail};
use burn::tensor::Device;
use jmvae::infer::Temperature;
use jmvae::{Jmvae, Manifest};

use crate::checkpoint::RunDir;
use crate::cli::{DeviceChoice, ModelSource};
use crate::datasets::folder_recipe::FolderRecipe;

/// The CPU device the trainer computes on.
pub fn device() -> Device {
    Device::flex()
}

/// The device `choice` names, started and checked with one small computation, so that a
/// missing adapter or driver is a message here rather than a panic mid-run.
pub fn compute_device(choice: DeviceChoice) -> Result<Device> {
    let device = match choice {
        DeviceChoice::Cpu => return Ok(device()),
        DeviceChoice::Wgpu => wgpu_device()?,
        DeviceChoice::Cuda => cuda_device()?,
    };
    let name = format!("{choice:?}").to_lowercase();
    // Backends report a missing adapter by panicking: catch it, quietly, and say so.
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let probe = std::panic::catch_unwind(|| burn::tensor::Tensor::<1>::ones([4], &device).sum().into_scalar::<f32>());
    std::panic::set_hook(hook);
    match probe {
        Ok(sum) if sum == 4.0 => Ok(device),
        Ok(sum) => bail!("--device {name}: the device started but computed 1+1+1+1 = {sum}"),
        Err(panic) => {
            let why = panic.downcast_ref::<String>().cloned().or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()));
            bail!("--device {name}: the device could not start ({}); use --device cpu", why.unwrap_or_else(|| "no reason given".into()))
        }
    }
}

#[cfg(feature = "wgpu")]
fn wgpu_device() -> Result<Device> {
    Ok(Device::wgpu(burn::tensor::DeviceKind::DefaultDevice))
}

#[cfg(not(feature = "wgpu"))]
fn wgpu_device() -> Result<Device> {
    bail!("--device wgpu: this build has no wgpu backend; build the trainer with `cargo build --release -p jmvae-trainer --features wgpu`")
}

#[cfg(feature = "cuda")]
fn cuda_device() -> Result<Device> {
    Ok(Device::cuda(0))
}

#[cfg(not(feature = "cuda"))]
fn cuda_device() -> Result<Device> {
    bail!("--device cuda: this build has no CUDA backend; build the trainer with `cargo build --release -p jmvae-trainer --features cuda`")
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
    /// Folder datasets: how the folder was read in training.
    pub folder: Option<FolderRecipe>,
}

/// The model of `source`: a checkpoint of a run, or an exported manifest.
pub(crate) fn load_evaluated(source: &ModelSource, device: &Device) -> Result<Evaluated> {
    match (&source.run, &source.manifest) {
        (Some(run), _) => {
            let dir = RunDir::new(run);
            let settings = dir.settings()?;
            let model = dir.load_model_at(source.checkpoint, device)?.0;
            let name = run.display().to_string();
            let folder = settings.folder;
            Ok(Evaluated { dataset: settings.dataset, model, validation: Some(settings.validation), temperature: None, name, folder })
        }
        (_, Some(path)) => {
            let (manifest, model) = Manifest::read(path, device)?;
            let validation = manifest.training["validation"].as_u64().map(|v| v as usize);
            let temperature = Some(manifest.default_temperature());
            let folder = serde_json::from_value(manifest.training["folder"].clone()).ok();
            Ok(Evaluated { dataset: manifest.dataset, model, validation, temperature, name: manifest.name, folder })
        }
        _ => bail!("give --run or --manifest"),
    }
}
