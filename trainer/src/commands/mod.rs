//! One file per command of the CLI; each turns its parsed flags into work.

pub mod eval;
pub mod export;
pub mod sample;
pub mod train;
pub mod train_classifier;

use std::path::Path;

use anyhow::Result;
use burn::tensor::Device;
use jmvae::{Jmvae, Manifest};

/// The CPU device the trainer computes on.
pub fn device() -> Device {
    Device::flex()
}

/// Read a manifest and its weights (beside it) and build the model.
pub fn load_manifest(path: &Path, device: &Device) -> Result<(Manifest, Jmvae)> {
    Ok(Manifest::read(path, device)?)
}
