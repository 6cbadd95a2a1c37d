//! A run directory and its checkpoint store: per-epoch checkpoints written atomically, and the
//! best one. The run's settings (`run_settings.rs`) and metrics log (`metrics_log.rs`) are
//! reached through it.
//!
//! ```text
//! RUN/run.json            settings (model config, objective, optimiser, data, seed), with
//!                         the run format (`format`, [`RUN_FORMAT`]); see `run_settings.rs`
//! RUN/latest              name of the newest complete checkpoint directory
//! RUN/checkpoint-NNNN/    model.bpk, optimizer.bpk (Burn records) and state.json
//! RUN/metrics.jsonl       one JSON object per epoch; see `metrics_log.rs`
//! RUN/best/               with --validation: the best checkpoint's model.bpk, state.json, best.json
//! ```
//! A checkpoint is written into a temporary directory (`checkpoint-NNNN.tmp`), renamed into
//! place, and only then named in `latest` (itself replaced atomically), so an interrupted run
//! resumes from the last whole one. Directories with a suffix (`.tmp`, `.old`) are scratch,
//! never read, and removed by the next checkpoint; a `checkpoint-NNNN` without one is always
//! complete, since old checkpoints are renamed to scratch before they are deleted.
//! The checkpoint before the newest is kept until the next one is written, so that a reader
//! (`jmvae eval --run`, `export`) that has just read `latest` never sees its files disappear.
//!
//! [`RUN_FORMAT`]: crate::run_settings::RUN_FORMAT

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use burn::module::Module;
use burn::optim::ModuleOptimizer;
use burn::store::ModuleRecord;
use burn::tensor::Device;
use jmvae::{Jmvae, ModelConfig};
use serde::{Deserialize, Serialize};

use crate::atomic::{save_record, write_atomic, write_json};
use crate::fault_injection;
use crate::gan::{Adversary, GanSettings};
use crate::metrics_log::MetricsLog;
use crate::run_settings::RunSettings;

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

    /// The metrics log, `metrics.jsonl`.
    pub fn metrics(&self) -> MetricsLog {
        MetricsLog { path: self.path.join("metrics.jsonl") }
    }

    /// Whether a run was already started here.
    pub fn exists(&self) -> bool {
        self.settings_path().exists()
    }

    /// Read `run.json`; a run of a newer format than [`RUN_FORMAT`](crate::run_settings::RUN_FORMAT)
    /// is refused before its settings are read, with an upgrade hint.
    pub fn settings(&self) -> Result<RunSettings> {
        RunSettings::read(&self.settings_path())
    }

    /// Write `run.json` for a new run.
    pub fn create(&self, settings: &RunSettings) -> Result<()> {
        settings.write(&self.settings_path())
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

    /// Write model, optimiser and state into the checkpoint's temporary directory; nothing
    /// that a reader or a resume looks at changes until [`RunDir::commit_checkpoint`]. A write
    /// that fails (a full disk) removes the temporary directory and says what is kept.
    pub fn write_checkpoint(&self, model: &Jmvae, optimizer: &ModuleOptimizer, adversary: Option<&Adversary>, state: &TrainingState) -> Result<PendingCheckpoint> {
        let name = format!("checkpoint-{:04}", state.epoch);
        let tmp = self.path.join(format!("{name}.tmp"));
        let result = (|| -> Result<()> {
            if tmp.exists() {
                fs::remove_dir_all(&tmp).with_context(|| format!("cannot remove `{}`", tmp.display()))?;
            }
            fs::create_dir_all(&tmp).with_context(|| format!("cannot create `{}`", tmp.display()))?;
            fault_injection::checkpoint_stage(&name, "model");
            let file = tmp.join("model.bpk");
            save_record(&file, |f| model.clone().into_record().save(f))?;
            fault_injection::checkpoint_stage(&name, "optimizer");
            let file = tmp.join("optimizer.bpk");
            save_record(&file, |f| optimizer.save(f))?;
            if let Some(adversary) = adversary {
                fault_injection::checkpoint_stage(&name, "discriminator");
                adversary.save(&tmp)?;
            }
            fault_injection::checkpoint_stage(&name, "state");
            write_json(&tmp.join("state.json"), state)
        })();
        if let Err(e) = result {
            let _ = fs::remove_dir_all(&tmp);
            return Err(e.context(self.not_saved(&name)));
        }
        Ok(PendingCheckpoint { name, tmp })
    }

    /// Put a written checkpoint in place and name it in `latest`, then drop the checkpoints
    /// before the previous one.
    pub fn commit_checkpoint(&self, pending: PendingCheckpoint) -> Result<()> {
        let (name, tmp) = (pending.name.clone(), pending.tmp.clone());
        let dir = self.path.join(&name);
        let previous = self.latest()?;
        let result = (|| -> Result<()> {
            // Left by a run killed between its rename and `latest`: set aside, then replaced.
            if dir.exists() {
                remove_checkpoint(&dir)?;
            }
            fault_injection::checkpoint_stage(&name, "rename");
            fs::rename(&tmp, &dir).with_context(|| format!("cannot move the checkpoint to `{}`", dir.display()))?;
            fault_injection::checkpoint_stage(&name, "latest");
            write_atomic(&self.path.join("latest"), name.as_bytes())
        })();
        result.map_err(|e| e.context(self.not_saved(&name)))?;
        drop(pending);
        fault_injection::checkpoint_stage(&name, "cleanup");
        for old in self.checkpoints()? {
            if old != dir && Some(&old) != previous.as_ref() {
                let _ = remove_checkpoint(&old);
            }
        }
        self.remove_stale_temporaries();
        Ok(())
    }

    /// Remove the temporary files of the run's own files (`latest`, `run.json`,
    /// `metrics.jsonl`) left by an earlier process that was killed while writing them.
    fn remove_stale_temporaries(&self) {
        let ours = format!(".tmp-{}", std::process::id());
        let Ok(entries) = fs::read_dir(&self.path) else { return };
        for path in entries.filter_map(|e| e.ok()).map(|e| e.path()) {
            let name = path.file_name().unwrap_or_default().to_string_lossy().into_owned();
            let stale = ["latest.tmp-", "run.json.tmp-", "metrics.jsonl.tmp-"].iter().any(|p| name.starts_with(p));
            if stale && !name.ends_with(&ours) && path.is_file() {
                let _ = fs::remove_file(&path);
            }
        }
    }

    /// What a failed checkpoint write leaves: the message's context.
    fn not_saved(&self, name: &str) -> String {
        let kept = match self.latest() {
            Ok(Some(dir)) => format!("the run keeps its last complete checkpoint `{}`", dir.display()),
            _ => "the run has no complete checkpoint yet".into(),
        };
        format!(
            "checkpoint `{name}` of `{}` was not saved; {kept}; once the cause below is fixed (a full disk?), continue with --resume",
            self.path.display()
        )
    }

    /// Every complete checkpoint directory of the run, and the scratch ones (`.tmp`, `.old`).
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
        let file = tmp.join("model.bpk");
        save_record(&file, |f| model.clone().into_record().save(f))?;
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
        fault_injection::checkpoint_stage("best", "rename");
        fs::rename(&tmp, &best).with_context(|| format!("cannot move the best checkpoint to `{}`", best.display()))?;
        let _ = fs::remove_dir_all(old);
        Ok(())
    }

    /// The directory of the best checkpoint: `best/`, or `best.old/` when a run was killed
    /// between setting the old best aside and moving the new one in.
    fn best_dir(&self) -> PathBuf {
        let best = self.path.join("best");
        let old = self.path.join("best.old");
        if !best.join("state.json").is_file() && old.join("state.json").is_file() { old } else { best }
    }

    /// What `best/best.json` says of the best checkpoint, if there is one.
    pub fn best_record(&self) -> Result<Option<BestRecord>> {
        let path = self.best_dir().join("best.json");
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
                let dir = self.best_dir();
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
        let file = dir.join("optimizer.bpk");
        if !file.is_file() {
            bail!(
                "`{}` is missing, so `{}` cannot be resumed exactly (its model is intact: `jmvae export --run` \
                 still works, and `jmvae train --init` can start a new run from the exported weights)",
                file.display(),
                self.path.display()
            );
        }
        optimizer
            .load(dir.join("optimizer.bpk"))
            .with_context(|| format!("cannot read `{}`", dir.join("optimizer.bpk").display()))
    }

    /// Load the latest checkpoint's discriminator and its optimiser (a JMVAE-GAN run).
    pub fn load_adversary(&self, gan: &GanSettings, config: &ModelConfig, device: &Device) -> Result<Adversary> {
        let dir = self.latest()?.context("no checkpoint to resume from")?;
        Adversary::load(gan, config, &dir, device)
    }
}

/// A checkpoint in its temporary directory, waiting for [`RunDir::commit_checkpoint`]; one
/// that is dropped uncommitted (a later write of its epoch failed) is removed.
pub struct PendingCheckpoint {
    name: String,
    tmp: PathBuf,
}

impl Drop for PendingCheckpoint {
    fn drop(&mut self) {
        // After a commit the directory has been renamed away and this does nothing.
        let _ = fs::remove_dir_all(&self.tmp);
    }
}

/// Remove a checkpoint directory by first renaming it to scratch (`.old`), so that a process
/// killed during the removal never leaves a partial `checkpoint-NNNN` behind.
fn remove_checkpoint(dir: &Path) -> Result<()> {
    let name = dir.file_name().unwrap_or_default().to_string_lossy();
    let scratch = if name.contains('.') { dir.to_path_buf() } else { dir.with_file_name(format!("{name}.old")) };
    if scratch != dir {
        if scratch.exists() {
            fs::remove_dir_all(&scratch).with_context(|| format!("cannot remove `{}`", scratch.display()))?;
        }
        fs::rename(dir, &scratch).with_context(|| format!("cannot move `{}` aside", dir.display()))?;
    }
    fs::remove_dir_all(&scratch).with_context(|| format!("cannot remove `{}`", scratch.display()))
}
