//! Fault injection for the reliability tests (`tests/reliability*.rs`, `tests/cli_faces.rs`),
//! and nothing else: compiled only with the crate's `fault-injection` feature, which
//! `cargo test` turns on (the crate is its own dev-dependency with it, see `Cargo.toml`), so
//! that the binary the tests run has the hooks. In any other build every hook is a no-op the
//! compiler removes: a release binary has none of them.
//!
//! Each hook is driven by an environment variable that normal use never sets; unset, a hook
//! does nothing (one cached lookup).
//!
//! - `JMVAE_FAULT_WRITE_FAIL_AFTER=N`: the first N file writes succeed and every later one
//!   fails with ENOSPC ("No space left on device"), as on a disk that fills up. A write is a
//!   file written through `atomic.rs` (`run.json`, `state.json`, `latest`, reports, manifests,
//!   weights, judges), a Burn record of a checkpoint (`model.bpk`, `optimizer.bpk`), or a line
//!   appended to `metrics.jsonl`.
//! - `JMVAE_FAULT_CHECKPOINT_PAUSE_MS=N`: at each stage of a checkpoint write, print
//!   `fault: checkpoint-NNNN STAGE` to stderr and sleep N ms, so that a test can kill the
//!   process at a known stage.
//! - `JMVAE_FAULT_NAN_LOSS_AT_STEP=N`: the loss of optimiser step N (counted from 0 over the
//!   whole run, as `state.json`'s `steps`) reads as NaN, as when training diverges.
//! - `JMVAE_FAULT_NAN_DISCRIMINATOR_AT_STEP=N`: the same for the discriminator's loss of a
//!   JMVAE-GAN run, as when the discriminator diverges.

#[cfg(feature = "fault-injection")]
mod hooks {
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

/// The same hooks, doing nothing: the build for users.
#[cfg(not(feature = "fault-injection"))]
mod hooks {
    use std::io;

    /// A file write, which never fails here.
    #[inline(always)]
    pub fn before_write() -> io::Result<()> {
        Ok(())
    }

    /// A stage of a checkpoint write, with no pause here.
    #[inline(always)]
    pub fn checkpoint_stage(_name: &str, _stage: &str) {}

    /// The loss of a step, as it is.
    #[inline(always)]
    pub fn loss(_step: u64, value: f32) -> f32 {
        value
    }

    /// The discriminator's loss of a step, as it is.
    #[inline(always)]
    pub fn discriminator_loss(_step: u64, value: f32) -> f32 {
        value
    }
}

pub use hooks::{before_write, checkpoint_stage, discriminator_loss, loss};
