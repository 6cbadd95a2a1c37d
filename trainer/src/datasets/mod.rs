//! The datasets the trainer knows, one file each behind [`DatasetKind`]: how a dataset loads,
//! which model it trains by default, how training watches it, how it is evaluated and judged,
//! how its samples are drawn as a grid, and what notice its weights carry. Adding a dataset is
//! adding a file here and its line in [`KNOWN`].

pub mod digits;
pub mod faces;
pub mod folder;
mod folder_judge;
mod folder_model;
pub mod folder_recipe;
mod folder_report;

use std::path::{Path, PathBuf};

use anyhow::{Result, bail};
use burn::tensor::Device;
use clap::Args;
use jmvae::infer::Temperature;
use jmvae::{Jmvae, ModelConfig};

use crate::epoch_record::Watched;
use crate::examples::{Examples, SplitName, Splits};

/// Everything the trainer knows about one dataset.
pub trait DatasetKind: Sync {
    /// The name on the command line, in runs and in manifests (`mnist`, `celeba`).
    fn name(&self) -> &'static str;

    /// The licence or usage notice that weights trained on it carry, if any.
    fn notice(&self) -> Option<&'static str> {
        None
    }

    /// The training, validation (when `validation` > 0) and test splits, the first cut to
    /// `limit` examples, and the model this dataset trains by default.
    fn load_training(&self, data: &DataArgs, validation: usize, limit: Option<usize>) -> Result<(Splits, ModelConfig)>;

    /// What training watches on the monitored split, and the score that picks the best
    /// checkpoint; `elbo` is the epoch's one-sample bound on that split, already computed.
    fn watch(&self, model: &Jmvae, split: &dyn Examples, monitor: &Monitor, elbo: f64, device: &Device) -> Result<Watched>;

    /// What "best" means for the checkpoint kept in `best/` of a model of `config`.
    fn best_rule(&self, config: &ModelConfig) -> &'static str;

    /// `jmvae eval`: every metric that applies to `model` on the requested split.
    fn evaluate(&self, model: &Jmvae, request: &EvalRequest, device: &Device) -> Result<Box<dyn Report>>;

    /// The first `limit` examples of `split` as the estimators see them (`validation`: MNIST's
    /// held-out size), for `jmvae convergence`.
    fn examples(&self, data: &DataArgs, split: SplitName, validation: usize, limit: usize) -> Result<Box<dyn Examples>> {
        let _ = (data, split, validation, limit);
        bail!("`jmvae convergence` reads MNIST only; this model was trained on {}", self.name())
    }

    /// `jmvae train-classifier`: train the judge of coherence on real data, save it, and say
    /// how well it does on the test set.
    fn train_judge(&self, request: &JudgeRequest, device: &Device) -> Result<String>;

    /// `jmvae sample`: samples from the conditions asked for, one grid row per condition.
    fn sample(&self, model: &Jmvae, request: &SampleRequest, device: &Device) -> Result<Grid>;
}

/// The datasets, by name.
pub const KNOWN: &[&dyn DatasetKind] = &[&digits::MnistDigits, &faces::CelebaFaces, &folder::FolderImages];

/// The known names, for the command line's help and checks.
pub fn names() -> clap::builder::PossibleValuesParser {
    clap::builder::PossibleValuesParser::new(KNOWN.iter().map(|d| d.name()))
}

/// The dataset a run or manifest recorded.
pub fn by_name(name: &str) -> Result<&'static dyn DatasetKind> {
    match KNOWN.iter().find(|d| d.name() == name) {
        Some(&dataset) => Ok(dataset),
        None => bail!("unknown dataset `{name}` (known: {})", KNOWN.iter().map(|d| d.name()).collect::<Vec<_>>().join(", ")),
    }
}

/// Where a dataset lives on disk, and where its preprocessed tensors are cached.
#[derive(Args, Clone, Debug)]
pub struct DataArgs {
    /// Directory holding the dataset in its standard layout.
    #[arg(long, env = "JMVAE_DATA")]
    pub data: PathBuf,
    /// Directory for preprocessed CelebA faces and folder-dataset images (default: ~/.cache/jmvae).
    #[arg(long, env = "JMVAE_CACHE")]
    pub cache: Option<PathBuf>,
    /// Folder datasets: how the folder is read, from the flags or from the run or manifest.
    #[arg(skip)]
    pub folder: Option<folder_recipe::FolderRecipe>,
}

impl DataArgs {
    /// The cache directory: `--cache`, else `$XDG_CACHE_HOME/jmvae` or `~/.cache/jmvae`.
    pub fn cache_dir(&self) -> Option<PathBuf> {
        self.cache.clone().or_else(|| {
            let base = std::env::var_os("XDG_CACHE_HOME")
                .map(PathBuf::from)
                .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cache")))?;
            Some(base.join("jmvae"))
        })
    }
}

/// How often and how hard to evaluate during training.
#[derive(Clone, Copy, Debug)]
pub struct Monitor {
    /// Run the importance-sampled estimate every this many epochs (0: never).
    pub every: usize,
    /// Importance samples for it.
    pub k: usize,
    /// Test examples for it.
    pub examples: usize,
}

/// How an evaluation runs.
#[derive(Clone, Debug)]
pub struct Options {
    /// Importance samples per example (the faces report no importance-sampled estimate).
    pub k: usize,
    /// Seed of every estimate.
    pub seed: u64,
    /// The temperature of the headline coherence.
    pub temperature: Temperature,
    /// The split evaluated.
    pub split: SplitName,
}

impl Options {
    /// Whether the report chooses the default temperature: on validation only, never on test.
    pub fn chooses_temperature(&self) -> bool {
        self.split == SplitName::Validation
    }
}

/// What `jmvae eval` asks of a dataset.
pub struct EvalRequest<'a> {
    /// Where the data lives.
    pub data: &'a DataArgs,
    /// The judge of coherence, from `jmvae train-classifier`.
    pub judge: Option<&'a Path>,
    /// Folder datasets: the judges of image modalities named by `--judge NAME=PATH`.
    pub judges: &'a [NamedJudge],
    /// Faces: where to write the first test faces above their reconstructions.
    pub reconstructions: Option<&'a Path>,
    /// Use only the first N examples of the split.
    pub limit: Option<usize>,
    /// MNIST: the validation size the run recorded, else the flag's.
    pub validation: usize,
    /// The split, seeds, samples and temperature.
    pub options: Options,
}

/// `--judge NAME=PATH`: the judge of the image modality NAME, from `jmvae train-classifier`.
#[derive(Clone, Debug, PartialEq)]
pub struct NamedJudge {
    /// The image modality it reads.
    pub modality: String,
    /// Its weights.
    pub path: PathBuf,
}

impl std::str::FromStr for NamedJudge {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        match text.split_once('=') {
            Some((name, path)) if !name.trim().is_empty() && !path.is_empty() => Ok(Self { modality: name.trim().to_string(), path: PathBuf::from(path) }),
            _ => Err(format!("`{text}`: write NAME=PATH, the image modality and its judge, e.g. fashion=runs/fashion-judge.bpk")),
        }
    }
}

/// A report of `jmvae eval`.
pub trait Report {
    /// The report as a Markdown table.
    fn markdown(&self) -> String;
    /// The report as pretty JSON.
    fn to_json(&self) -> Result<String>;
}

/// The head of a report's table of metrics, one per row.
pub(crate) fn metric_table(examples: usize, split: SplitName, k: usize) -> String {
    format!("| metric ({examples} {split} examples, K = {k}) | value |\n|---|---|\n")
}

/// A row of that table where the metric was measured: a percentage, or a number.
pub(crate) fn metric_row(out: &mut String, name: &str, value: Option<f64>, percent: bool) {
    if let Some(v) = value {
        let v = if percent { format!("{:.2} %", v * 100.0) } else { format!("{v:.2}") };
        out.push_str(&format!("| {name} | {v} |\n"));
    }
}

/// What `jmvae train-classifier` asks of a dataset.
pub struct JudgeRequest<'a> {
    /// Where the data lives.
    pub data: &'a DataArgs,
    /// Training epochs.
    pub epochs: usize,
    /// Seed of initialisation and shuffling.
    pub seed: u64,
    /// Use only the first N training examples.
    pub limit: Option<usize>,
    /// Folder datasets: the image modality the judge reads (`--modality`; none: `image`).
    pub modality: Option<&'a str>,
    /// Where to save the judge.
    pub out: &'a Path,
}

/// What `jmvae sample` asks of a dataset.
pub struct SampleRequest<'a> {
    /// Digits: the label to condition on (every label when absent).
    pub label: Option<usize>,
    /// Faces: the attribute sets, one grid row each.
    pub attributes: &'a [String],
    /// Samples per condition (0: the posterior mean).
    pub samples: usize,
    /// The seed of the noise.
    pub seed: u64,
    /// The sampling temperature.
    pub temperature: Temperature,
}

/// Samples laid out as a grid, and the raw outputs behind them.
pub struct Grid {
    /// `rows * cols` images of `channels x side x side` values in [0, 1], row by row.
    pub images: Vec<f32>,
    /// One row per condition.
    pub rows: usize,
    /// Samples per condition.
    pub cols: usize,
    /// Side of each image in pixels.
    pub side: usize,
    /// 1 (grey) or 3 (colour, channel-first).
    pub channels: usize,
    /// One JSON record per row: the condition and every modality's outputs.
    pub outputs: Vec<serde_json::Value>,
}
