//! One line of a run's `metrics.jsonl`: what an epoch of training did and what the monitor saw.

use serde_json::{Map, Value, json};

use crate::examples::SplitName;

/// An importance-sampled log p(x) on the monitored split (a CVAE's log p(x|w)).
#[derive(Clone, Copy, Debug)]
pub struct LogPx {
    /// What it estimates, as the log line names it: `log p(x)` or `log p(x|w)`.
    pub quantity: &'static str,
    /// The estimate.
    pub value: f64,
    /// Importance samples per example.
    pub k: usize,
    /// Examples it averages.
    pub examples: usize,
}

/// What a dataset's monitor measured, and the score that picks the best checkpoint.
#[derive(Clone, Debug, Default)]
pub struct Watched {
    /// MNIST: log p(x), proposal q(z|x).
    pub log_px: Option<LogPx>,
    /// MNIST: label accuracy from images.
    pub label_accuracy: Option<f64>,
    /// Faces: mean attribute accuracy from images.
    pub attribute_accuracy: Option<f64>,
    /// The score by which a higher value is a better checkpoint.
    pub score: Option<f64>,
}

/// One epoch of training.
#[derive(Clone, Debug)]
pub struct EpochRecord {
    /// Epochs done, this one included.
    pub epoch: usize,
    /// The KL weight of the warm-up.
    pub beta: f64,
    /// Mean loss over the epoch's steps.
    pub train_loss: f64,
    /// Mean of each term of the objective, by name.
    pub train_terms: Vec<(String, f64)>,
    /// Seconds the epoch took.
    pub seconds: f64,
    /// Training examples per second.
    pub samples_per_second: f64,
    /// The monitored split.
    pub split: SplitName,
    /// The one-sample ELBO on the monitored split.
    pub elbo: f64,
    /// What the dataset's monitor measured, on the epochs it ran.
    pub watched: Watched,
    /// A refit's bound on the monitored split, on the epochs the monitor ran.
    pub refit_bound: Option<f64>,
    /// Whether this epoch's checkpoint became the best.
    pub best: bool,
}

impl EpochRecord {
    /// The record as one JSON object, the monitored metrics prefixed by the split's name
    /// (`validation_log_px`), keys in sorted order.
    pub fn to_json(&self) -> Value {
        let mut record = Map::new();
        let split = self.split;
        let mut put = |key: String, value: Value| {
            record.insert(key, value);
        };
        put("epoch".into(), json!(self.epoch));
        put("beta".into(), json!(self.beta));
        put("train_loss".into(), json!(self.train_loss));
        put("train_terms".into(), Value::Object(self.train_terms.iter().map(|(n, v)| (n.clone(), json!(v))).collect()));
        put("seconds".into(), json!(self.seconds));
        put("samples_per_second".into(), json!(self.samples_per_second));
        put("monitored_split".into(), json!(split));
        put(format!("{split}_elbo"), json!(self.elbo));
        if let Some(LogPx { value, k, examples, .. }) = self.watched.log_px {
            put(format!("{split}_log_px"), json!(value));
            put(format!("{split}_log_px_k"), json!(k));
            put(format!("{split}_log_px_examples"), json!(examples));
        }
        if let Some(v) = self.watched.label_accuracy {
            put(format!("{split}_label_accuracy"), json!(v));
        }
        if let Some(v) = self.watched.attribute_accuracy {
            put(format!("{split}_attribute_accuracy"), json!(v));
        }
        if let Some(v) = self.refit_bound {
            put(format!("{split}_refit_bound"), json!(v));
        }
        if self.best {
            put("best".into(), json!(true));
        }
        Value::Object(record)
    }

    /// The line printed after each epoch.
    pub fn summary_line(&self) -> String {
        let split = self.split;
        let mut line = format!(
            "epoch {:>4}  loss {:>8.3}  {split} elbo {:>8.3}  {:>6.0} samples/s",
            self.epoch, self.train_loss, self.elbo, self.samples_per_second
        );
        if let Some(LogPx { quantity, value, k, .. }) = self.watched.log_px {
            line.push_str(&format!("  {split} {quantity} {value:.3} (K={k})"));
        }
        if let Some(v) = self.watched.label_accuracy {
            line.push_str(&format!("  label acc {:.2} %", v * 100.0));
        }
        if let Some(v) = self.watched.attribute_accuracy {
            line.push_str(&format!("  attribute acc {:.2} %", v * 100.0));
        }
        if self.best {
            line.push_str("  (best so far)");
        }
        line
    }
}
