//! One file per command of the CLI; each turns its parsed flags into work.

pub mod eval;
pub mod export;
pub mod sample;
pub mod train;
pub mod train_classifier;

use burn::tensor::Device;

/// The CPU device the trainer computes on.
pub fn device() -> Device {
    Device::flex()
}
