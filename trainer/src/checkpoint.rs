//! A run directory: the run's settings, per-epoch checkpoints written atomically, the metrics log.
//!
//! ```text
//! RUN/run.json            settings (model config, objective, optimiser, data, seed)
//! RUN/latest              name of the newest complete checkpoint directory
//! RUN/checkpoint-NNNN/    model.bpk, optimizer.bpk (Burn records) and state.json
//! RUN/metrics.jsonl       one JSON object per epoch
//! ```
//! A checkpoint is written into a temporary directory, renamed into place, and only then named
//! in `latest` (itself replaced atomically), so an interrupted run resumes from the last whole one.
//! The checkpoint before the newest is kept until the next one is written, so that a reader
//! (`jmvae eval --run`, `export`) that has just read `latest` never sees its files disappear.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use burn::module::Module;
use burn::optim::ModuleOptimizer;
use burn::store::ModuleRecord;
use burn::tensor::Device;
use jmvae::{Jmvae, ModelConfig};
use serde::{Deserialize, Serialize};

use crate::atomic::{write_atomic, write_json};

/// Everything that defines a training run; stored as `run.json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunSettings {
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
}

/// Which checkpoint of a run to read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Which {
    /// The newest one.
    Latest,
    /// The best one by the run's validation rule (see `best.json`).
    Best,
}

/// Progress stored with each checkpoint.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrainingState {
    /// Epochs completed.
    pub epoch: usize,
    /// Optimiser steps taken.
    pub steps: u64,
    /// Seconds of training so far, summed over sittings.
    pub seconds: f64,
}

/// Why the checkpoint in `best/` is the best: stored as `best/best.json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BestRecord {
    /// The epoch of the checkpoint.
    pub epoch: usize,
    /// Its score by the rule (higher is better).
    pub score: f64,
    /// What the score measures.
    pub rule: String,
}

/// A run directory on disk.
pub struct RunDir {
    /// Its path.
    pub path: PathBuf,
}

impl RunDir {
    /// The run at `path` (nothing is created yet).
    pub fn new(path: &Path) -> Self {
        Self { path: path.to_path_buf() }
    }

    fn settings_path(&self) -> PathBuf {
        self.path.join("run.json")
    }

    /// The metrics log.
    pub fn metrics_path(&self) -> PathBuf {
        self.path.join("metrics.jsonl")
    }

    /// Whether a run was already started here.
    pub fn exists(&self) -> bool {
        self.settings_path().exists()
    }

    /// Read `run.json`.
    pub fn settings(&self) -> Result<RunSettings> {
        let path = self.settings_path();
        let text = fs::read_to_string(&path).with_context(|| format!("cannot read `{}`", path.display()))?;
        serde_json::from_str(&text).with_context(|| format!("`{}` is not a valid run file", path.display()))
    }

    /// Write `run.json` for a new run.
    pub fn create(&self, settings: &RunSettings) -> Result<()> {
        write_json(&self.settings_path(), settings)
    }

    /// The directory of the newest complete checkpoint, if any.
    pub fn latest(&self) -> Result<Option<PathBuf>> {
        let pointer = self.path.join("latest");
        if !pointer.exists() {
            return Ok(None);
        }
        let name = fs::read_to_string(&pointer).with_context(|| format!("cannot read `{}`", pointer.display()))?;
        let dir = self.path.join(name.trim());
        if !dir.join("state.json").is_file() {
            bail!("`{}` names `{}`, which is not a complete checkpoint", pointer.display(), dir.display());
        }
        Ok(Some(dir))
    }

    /// Save model, optimiser and state as the new latest checkpoint, then drop the old one.
    pub fn save_checkpoint(&self, model: &Jmvae, optimizer: &ModuleOptimizer, state: &TrainingState) -> Result<()> {
        let name = format!("checkpoint-{:04}", state.epoch);
        let tmp = self.path.join(format!("{name}.tmp"));
        if tmp.exists() {
            fs::remove_dir_all(&tmp)?;
        }
        fs::create_dir_all(&tmp).with_context(|| format!("cannot create `{}`", tmp.display()))?;
        model.clone().into_record().save(tmp.join("model.bpk")).context("cannot save the model record")?;
        optimizer.save(tmp.join("optimizer.bpk")).context("cannot save the optimiser state")?;
        write_json(&tmp.join("state.json"), state)?;
        let dir = self.path.join(&name);
        let previous = self.latest()?;
        if dir.exists() {
            fs::remove_dir_all(&dir)?;
        }
        fs::rename(&tmp, &dir).with_context(|| format!("cannot move the checkpoint to `{}`", dir.display()))?;
        write_atomic(&self.path.join("latest"), name.as_bytes())?;
        for old in self.checkpoints()? {
            if old != dir && Some(&old) != previous.as_ref() {
                let _ = fs::remove_dir_all(old);
            }
        }
        Ok(())
    }

    /// Every complete or partial checkpoint directory of the run.
    fn checkpoints(&self) -> Result<Vec<PathBuf>> {
        let entries = fs::read_dir(&self.path).with_context(|| format!("cannot list `{}`", self.path.display()))?;
        let names = entries.filter_map(|e| e.ok()).map(|e| e.path());
        Ok(names.filter(|p| p.file_name().is_some_and(|n| n.to_string_lossy().starts_with("checkpoint-"))).collect())
    }

    /// Save `model` as the run's best checkpoint (`best/`, replaced atomically) with `why`,
    /// the score and rule that made it the best, in `best/best.json`.
    pub fn save_best(&self, model: &Jmvae, state: &TrainingState, why: &BestRecord) -> Result<()> {
        let tmp = self.path.join("best.tmp");
        if tmp.exists() {
            fs::remove_dir_all(&tmp)?;
        }
        fs::create_dir_all(&tmp).with_context(|| format!("cannot create `{}`", tmp.display()))?;
        model.clone().into_record().save(tmp.join("model.bpk")).context("cannot save the model record")?;
        write_json(&tmp.join("best.json"), why)?;
        write_json(&tmp.join("state.json"), state)?;
        let best = self.path.join("best");
        let old = self.path.join("best.old");
        if best.exists() {
            if old.exists() {
                fs::remove_dir_all(&old)?;
            }
            fs::rename(&best, &old)?;
        }
        fs::rename(&tmp, &best).with_context(|| format!("cannot move the best checkpoint to `{}`", best.display()))?;
        let _ = fs::remove_dir_all(old);
        Ok(())
    }

    /// What `best/best.json` says of the best checkpoint, if there is one.
    pub fn best_record(&self) -> Result<Option<BestRecord>> {
        let path = self.path.join("best").join("best.json");
        if !path.is_file() {
            return Ok(None);
        }
        let text = fs::read_to_string(&path).with_context(|| format!("cannot read `{}`", path.display()))?;
        Ok(Some(serde_json::from_str(&text).with_context(|| format!("`{}` is corrupt", path.display()))?))
    }

    /// Load the latest checkpoint's model onto `device`.
    pub fn load_model(&self, device: &Device) -> Result<(Jmvae, TrainingState)> {
        self.load_model_at(Which::Latest, device)
    }

    /// Load the model of checkpoint `which` onto `device`.
    pub fn load_model_at(&self, which: Which, device: &Device) -> Result<(Jmvae, TrainingState)> {
        let dir = match which {
            Which::Latest => self.latest()?.with_context(|| format!("`{}` has no checkpoint yet", self.path.display()))?,
            Which::Best => {
                let dir = self.path.join("best");
                if !dir.join("state.json").is_file() {
                    bail!("`{}` has no best checkpoint (train with --validation N and --eval-every)", self.path.display());
                }
                dir
            }
        };
        let settings = self.settings()?;
        let state: TrainingState = serde_json::from_str(&fs::read_to_string(dir.join("state.json"))?)
            .with_context(|| format!("`{}` is corrupt", dir.join("state.json").display()))?;
        let record = ModuleRecord::load(dir.join("model.bpk"))
            .with_context(|| format!("cannot read `{}`", dir.join("model.bpk").display()))?;
        let model = Jmvae::new(&settings.config, device)?
            .try_load_record(record.cast_to_module_dtype())
            .with_context(|| format!("`{}` does not match the run's model config", dir.display()))?;
        Ok((model, state))
    }

    /// Load the latest checkpoint's optimiser state into `optimizer`.
    pub fn load_optimizer(&self, optimizer: ModuleOptimizer) -> Result<ModuleOptimizer> {
        let dir = self.latest()?.context("no checkpoint to resume from")?;
        optimizer
            .load(dir.join("optimizer.bpk"))
            .with_context(|| format!("cannot read `{}`", dir.join("optimizer.bpk").display()))
    }

    /// Keep only the metrics of epochs up to `epoch` (after resuming from a checkpoint).
    pub fn truncate_metrics(&self, epoch: usize) -> Result<()> {
        let path = self.metrics_path();
        let Ok(text) = fs::read_to_string(&path) else { return Ok(()) };
        let kept: String = text
            .lines()
            .filter(|line| {
                serde_json::from_str::<serde_json::Value>(line)
                    .ok()
                    .and_then(|v| v["epoch"].as_u64())
                    .is_some_and(|e| e as usize <= epoch)
            })
            .map(|line| format!("{line}\n"))
            .collect();
        write_atomic(&path, kept.as_bytes())
    }

    /// Append one epoch's metrics to the log.
    pub fn append_metrics(&self, record: &serde_json::Value) -> Result<()> {
        use std::io::Write;
        let path = self.metrics_path();
        let mut file = fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .with_context(|| format!("cannot open `{}`", path.display()))?;
        writeln!(file, "{record}")?;
        Ok(())
    }
}
