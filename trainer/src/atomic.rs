//! Writing files so that a crash or a bad run never leaves a half-written or lost file.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

/// The temporary sibling that `path` is written to before being renamed into place.
pub fn temporary_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".tmp-{}", std::process::id()));
    path.with_file_name(name)
}

/// Write `bytes` to `path` through a temporary file and a rename: readers see the old file or
/// the new one, never a mixture.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    write_atomic_with(path, |file| file.write_all(bytes))
}

/// [`write_atomic`] for content written piece by piece by `write`, so that large files need
/// not be assembled in memory first.
pub fn write_atomic_with(path: &Path, write: impl FnOnce(&mut fs::File) -> std::io::Result<()>) -> Result<()> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        fs::create_dir_all(parent).with_context(|| format!("cannot create `{}`", parent.display()))?;
    }
    let tmp = temporary_path(path);
    let result = (|| {
        let mut file = fs::File::create(&tmp)?;
        fault::before_write()?;
        write(&mut file)?;
        file.sync_all()?;
        fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result.with_context(|| format!("cannot write `{}`", path.display()))
}

/// Save a Burn module's record (`.bpk`) to `path` through a temporary file and a rename.
pub fn save_module<M: burn::module::Module>(module: &M, path: &Path) -> Result<()> {
    let tmp = temporary_path(path);
    fault::before_write().with_context(|| format!("cannot save `{}`", path.display()))?;
    module.clone().into_record().save(&tmp).with_context(|| format!("cannot save `{}`", path.display()))?;
    fs::rename(&tmp, path).with_context(|| format!("cannot write `{}`", path.display()))
}

/// [`write_atomic`] for a value serialised as pretty JSON.
pub fn write_json<T: serde::Serialize>(path: &Path, value: &T) -> Result<()> {
    let mut text = serde_json::to_string_pretty(value)?;
    text.push('\n');
    write_atomic(path, text.as_bytes())
}

/// Fault injection for the reliability tests (`tests/reliability*.rs`), and nothing else.
///
/// Each hook is driven by an environment variable that normal use never sets; unset, a hook
/// does nothing (one cached lookup). They are compiled into the release binary because the
/// end-to-end tests run that binary.
///
/// - `JMVAE_FAULT_WRITE_FAIL_AFTER=N`: the first N file writes succeed and every later one
///   fails with ENOSPC ("No space left on device"), as on a disk that fills up. A write is a
///   file written through this module (`run.json`, `state.json`, `latest`, reports, manifests,
///   weights, judges), a Burn record of a checkpoint (`model.bpk`, `optimizer.bpk`), or a line
///   appended to `metrics.jsonl`.
/// - `JMVAE_FAULT_CHECKPOINT_PAUSE_MS=N`: at each stage of a checkpoint write, print
///   `fault: checkpoint-NNNN STAGE` to stderr and sleep N ms, so that a test can kill the
///   process at a known stage.
/// - `JMVAE_FAULT_NAN_LOSS_AT_STEP=N`: the loss of optimiser step N (counted from 0 over the
///   whole run, as `state.json`'s `steps`) reads as NaN, as when training diverges.
/// - `JMVAE_FAULT_NAN_DISCRIMINATOR_AT_STEP=N`: the same for the discriminator's loss of a
///   JMVAE-GAN run, as when the discriminator diverges.
pub mod fault {
    use std::io;
    use std::sync::OnceLock;
    use std::sync::atomic::{AtomicU64, Ordering};

    fn number(name: &str, cell: &'static OnceLock<Option<u64>>) -> Option<u64> {
        *cell.get_or_init(|| std::env::var(name).ok().and_then(|v| v.trim().parse().ok()))
    }

    /// Count one file write; fail it with ENOSPC once `JMVAE_FAULT_WRITE_FAIL_AFTER` writes are done.
    pub fn before_write() -> io::Result<()> {
        static LIMIT: OnceLock<Option<u64>> = OnceLock::new();
        static WRITES: AtomicU64 = AtomicU64::new(0);
        let Some(limit) = number("JMVAE_FAULT_WRITE_FAIL_AFTER", &LIMIT) else { return Ok(()) };
        if WRITES.fetch_add(1, Ordering::SeqCst) >= limit {
            return Err(io::Error::from_raw_os_error(28)); // ENOSPC
        }
        Ok(())
    }

    /// Announce `stage` of writing checkpoint `name` and pause, under `JMVAE_FAULT_CHECKPOINT_PAUSE_MS`.
    pub fn checkpoint_stage(name: &str, stage: &str) {
        static PAUSE: OnceLock<Option<u64>> = OnceLock::new();
        if let Some(ms) = number("JMVAE_FAULT_CHECKPOINT_PAUSE_MS", &PAUSE) {
            eprintln!("fault: {name} {stage}");
            std::thread::sleep(std::time::Duration::from_millis(ms));
        }
    }

    /// The loss of step `step` as training sees it: NaN at `JMVAE_FAULT_NAN_LOSS_AT_STEP`.
    pub fn loss(step: u64, value: f32) -> f32 {
        static AT: OnceLock<Option<u64>> = OnceLock::new();
        if number("JMVAE_FAULT_NAN_LOSS_AT_STEP", &AT) == Some(step) { f32::NAN } else { value }
    }

    /// The discriminator's loss of step `step`: NaN at `JMVAE_FAULT_NAN_DISCRIMINATOR_AT_STEP`.
    pub fn discriminator_loss(step: u64, value: f32) -> f32 {
        static AT: OnceLock<Option<u64>> = OnceLock::new();
        if number("JMVAE_FAULT_NAN_DISCRIMINATOR_AT_STEP", &AT) == Some(step) { f32::NAN } else { value }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_whole_files_and_leaves_no_temporary() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/x.json");
        write_atomic(&path, b"one").unwrap();
        write_atomic(&path, b"two").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"two");
        assert_eq!(fs::read_dir(path.parent().unwrap()).unwrap().count(), 1);
    }

    #[test]
    fn a_failed_write_keeps_the_old_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x");
        write_atomic(&path, b"old").unwrap();
        // A directory in the way of the rename makes the write fail after the temp file.
        let blocked = dir.path().join("blocked");
        fs::create_dir_all(blocked.join("inner")).unwrap();
        assert!(write_atomic(&blocked, b"new").is_err());
        assert_eq!(fs::read(&path).unwrap(), b"old");
        assert!(!temporary_path(&blocked).exists());
    }
}
