//! A run's `metrics.jsonl`: one JSON object per epoch, appended as each epoch ends and cut back
//! to the resumed checkpoint's epoch when a run resumes.

use std::fs;
use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, Result};

use crate::atomic::write_atomic;
use crate::fault_injection;

/// The metrics log of one run.
pub struct MetricsLog {
    /// Its path, `RUN/metrics.jsonl`.
    pub path: PathBuf,
}

impl MetricsLog {
    /// Keep only the metrics of epochs up to `epoch` (after resuming from a checkpoint).
    pub fn truncate(&self, epoch: usize) -> Result<()> {
        let Ok(text) = fs::read_to_string(&self.path) else { return Ok(()) };
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
        write_atomic(&self.path, kept.as_bytes())
    }

    /// Append one epoch's metrics to the log.
    pub fn append(&self, record: &serde_json::Value) -> Result<()> {
        let path = &self.path;
        let mut file = fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .with_context(|| format!("cannot open `{}`", path.display()))?;
        fault_injection::before_write()
            .and_then(|()| writeln!(file, "{record}"))
            .with_context(|| format!("cannot append to `{}`", path.display()))?;
        Ok(())
    }
}
