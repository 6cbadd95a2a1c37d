//! The evaluation quantities, one file per kind of metric (as MultiVae organises them): each
//! works on any split of named examples, whatever the dataset.

pub mod accuracy;
pub mod coherence;
pub mod convergence;
pub mod cross_coherence;
pub mod diversity;
pub mod likelihoods;
pub mod read_back;
pub mod realism;
pub mod temperature;
pub mod widths;

use indicatif::{ProgressBar, ProgressStyle};

/// Rows pushed through a decoder at once (examples x samples), to bound memory.
pub const ROWS_PER_CALL: usize = 20_000;

/// The mean of `values` (0 for none).
pub fn mean(values: &[f64]) -> f64 {
    values.iter().sum::<f64>() / values.len().max(1) as f64
}

/// A progress bar for a pass over `len` examples.
fn progress(len: usize, what: &str) -> ProgressBar {
    let bar = ProgressBar::new(len as u64);
    bar.set_style(ProgressStyle::with_template(&format!("{what:>12} {{bar:30}} {{pos}}/{{len}} [{{elapsed}}<{{eta}}]")).unwrap());
    bar
}
