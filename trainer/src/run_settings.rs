//! `run.json`: everything that defines a training run, and the run-directory format that
//! older and newer builds check before they read a run.

use std::fs;
use std::path::Path;

use anyhow::{Context, Result, bail};
use jmvae::ModelConfig;
use serde::{Deserialize, Serialize};

use crate::atomic::write_json;
use crate::datasets::folder_recipe::FolderRecipe;
use crate::gan::GanSettings;

/// The run-directory format this code writes, and the newest it reads. Runs written before
/// `run.json` had a `format` are format 1. Raise it when a change makes older code misread a
/// run; older code then refuses the run with an upgrade hint instead of misreading it.
pub const RUN_FORMAT: u32 = 1;

fn first_run_format() -> u32 {
    1
}

/// Everything that defines a training run; stored as `run.json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunSettings {
    /// The run-directory format ([`RUN_FORMAT`] for new runs; 1 where `run.json` has none).
    #[serde(default = "first_run_format")]
    pub format: u32,
    /// Dataset name (`mnist`).
    pub dataset: String,
    /// Model preset name (`jmvae` or `vae`).
    pub model: String,
    /// The networks.
    pub config: ModelConfig,
    /// α of JMVAE-kl.
    pub alpha: f64,
    /// Epochs over which β rises from 0 to 1 (0: no warm-up).
    pub warmup: usize,
    /// Examples per step.
    pub batch: usize,
    /// Adam's learning rate.
    pub lr: f64,
    /// Seed of initialisation, shuffling, binarisation and noise.
    pub seed: u64,
    /// The command line that started the run.
    pub command: String,
    /// Training examples held out for validation (MNIST: the last N; faces: any N > 0 uses
    /// CelebA's official validation partition); 0 holds none out and monitors the test set.
    #[serde(default)]
    pub validation: usize,
    /// Likelihood weights λ_m by modality name (a documented deviation; empty: all 1).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rescale: Vec<(String, f64)>,
    /// The manifest whose weights the run started from (fine-tuning), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub init: Option<String>,
    /// The modality whose encoder alone is refitted to the model's posterior, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refit: Option<String>,
    /// JMVAE-GAN: the discriminator and the weights of its terms; none for JMVAE.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gan: Option<GanSettings>,
    /// Whether training faces are flipped left-right at random (augmentation).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub flip: bool,
    /// Folder datasets: how the folder was read (image size, likelihood, held-out test, seed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub folder: Option<FolderRecipe>,
}

impl RunSettings {
    /// Read `run.json` at `path`; a run of a newer format than [`RUN_FORMAT`] is refused
    /// before its settings are read, with an upgrade hint.
    pub fn read(path: &Path) -> Result<Self> {
        let text = fs::read_to_string(path).with_context(|| format!("cannot read `{}`", path.display()))?;
        let value: serde_json::Value =
            serde_json::from_str(&text).with_context(|| format!("`{}` is not a valid run file", path.display()))?;
        match value.get("format") {
            None => {}
            Some(format) => match format.as_u64() {
                Some(n) if n <= RUN_FORMAT as u64 => {}
                Some(n) => bail!(
                    "`{}` is run format {n}, written by a newer jmvae; this one reads run formats up to {RUN_FORMAT}. \
                     Upgrade jmvae (build it from a newer checkout) to use this run",
                    path.display()
                ),
                None => bail!("`{}` is not a valid run file: `format` is {format}, not a number", path.display()),
            },
        }
        serde_json::from_value(value).with_context(|| format!("`{}` is not a valid run file", path.display()))
    }

    /// Write the settings to `path` atomically.
    pub fn write(&self, path: &Path) -> Result<()> {
        write_json(path, self)
    }
}
