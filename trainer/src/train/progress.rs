//! An epoch's progress: what its steps add up to, the bar that shows it while it runs, and
//! the metrics line it becomes.

use indicatif::{ProgressBar, ProgressStyle};

use crate::epoch_record::{EpochRecord, Watched};
use crate::examples::SplitName;
use crate::run_settings::RunSettings;

/// What an epoch's steps add up to, for its metrics line.
pub struct EpochTotals {
    /// The epoch, 0-based.
    pub epoch: usize,
    beta: f64,
    /// Each term's means, summed over the steps.
    pub sums: Vec<f64>,
    /// The losses, summed over the steps.
    pub loss: f64,
    /// The steps of an epoch, which the sums are divided by.
    steps: usize,
    /// Training examples the epoch saw.
    examples: usize,
    /// Seconds the epoch's steps took.
    pub seconds: f64,
}

impl EpochTotals {
    /// Nothing yet of epoch `epoch` (0-based) at warm-up `beta`: `steps` steps over `examples`.
    pub fn new(epoch: usize, beta: f64, steps: usize, examples: usize) -> Self {
        Self { epoch, beta, sums: Vec::new(), loss: 0.0, steps, examples, seconds: 0.0 }
    }

    /// Add one step's `loss` and terms' `means`.
    pub fn add(&mut self, loss: f32, means: &[f32]) {
        self.sums.resize(means.len(), 0.0);
        self.sums.iter_mut().zip(means).for_each(|(s, &m)| *s += m as f64);
        self.loss += loss as f64;
    }

    /// The epoch's record on the monitored `split`, before the monitor has looked.
    pub fn record(&self, settings: &RunSettings, split: SplitName, elbo: f64) -> EpochRecord {
        let steps = self.steps as f64;
        EpochRecord {
            epoch: self.epoch + 1,
            beta: self.beta,
            train_loss: self.loss / steps,
            train_terms: term_names(settings).into_iter().zip(self.sums.iter().map(|s| s / steps)).collect(),
            seconds: self.seconds,
            samples_per_second: self.examples as f64 / self.seconds,
            split,
            elbo,
            watched: Watched::default(),
            refit_bound: None,
            best: false,
        }
    }

    /// The bar's message after `steps` steps.
    pub fn describe(&self, settings: &RunSettings, steps: usize) -> String {
        let terms: Vec<String> = term_names(settings)
            .iter()
            .zip(&self.sums)
            .map(|(name, s)| format!("{name} {:.2}", s / steps as f64))
            .collect();
        format!("loss {:.2} | {}", self.loss / steps as f64, terms.join(" "))
    }
}

/// The names of the terms a run logs, in the order of its steps' means.
fn term_names(settings: &RunSettings) -> Vec<String> {
    let config = &settings.config;
    if let Some(name) = &settings.refit {
        return vec![format!("log_p_{name}"), format!("kl_prior_{name}")];
    }
    let mut names: Vec<String> = config.generated().into_iter().map(|m| format!("log_p_{}", config.modalities[m].name)).collect();
    names.push("kl_prior".into());
    if config.unimodal_encoders {
        names.extend(config.modalities.iter().map(|m| format!("kl_{}", m.name)));
    }
    if settings.gan.is_some() {
        names.extend(["discriminator_loss", "gan_adversarial", "gan_feature_matching"].map(String::from));
    }
    names
}

/// The bar of epoch `epoch` (0-based) of `epochs`, `steps` long.
pub fn epoch_bar(steps: usize, epoch: usize, epochs: usize) -> ProgressBar {
    let bar = ProgressBar::new(steps as u64);
    bar.set_style(
        ProgressStyle::with_template(&format!("epoch {}/{epochs} {{bar:25}} {{pos}}/{{len}} {{per_sec}} {{msg}}", epoch + 1))
            .unwrap(),
    );
    bar
}
