//! The `jmvae` trainer as a library: the CLI's commands and the data loaders they use.
//!
//! `main.rs` is the binary, a dispatch over [`commands`]. The library exists so that the fuzz
//! targets in `fuzz/` (see `docs/FUZZING.md`) can reach the parsers of outside bytes: [`idx`]
//! (MNIST, raw or gzip) and [`celeba`] (the attribute and partition files and the cache file,
//! through [`celeba::fuzzing`]). Everything else stays private to the crate.

pub mod celeba;
pub mod cli;
pub mod commands;
pub mod folder;
pub mod idx;

mod adam;
mod atomic;
mod augment;
mod batch;
mod checkpoint;
mod datasets;
mod epoch_record;
mod examples;
mod fault_injection;
mod gan;
mod grid;
mod judges;
mod metrics;
mod metrics_log;
mod mnist;
mod modalities;
mod run_settings;
mod seeds;
mod train;
#[cfg(test)]
mod fuzz_seeds;
#[cfg(test)]
mod three_modalities;
