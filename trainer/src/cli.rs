//! The command line: clap's types for every command and its flags.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use jmvae::infer::Temperature;
use jmvae::{ModelConfig, Precision};

use crate::checkpoint::Which;
use crate::datasets::folder_recipe::FolderArgs;
use crate::datasets::{self, DataArgs, NamedJudge};
use crate::examples::SplitName;
use crate::gan::{DEFAULT_ADVERSARIAL, DEFAULT_DISCRIMINATOR_LR, DEFAULT_FEATURE_MATCHING};
use crate::modalities::IMAGE;

/// Train, evaluate, sample from and export JMVAE models (Suzuki et al., 2016).
#[derive(Parser)]
#[command(name = "jmvae", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Subcommand)]
pub enum Command {
    /// Train a model, writing checkpoints and metrics to a run directory.
    Train(TrainArgs),
    /// Evaluate a run's latest checkpoint or an exported manifest on the test set.
    Eval(EvalArgs),
    /// Train the independent digit (MNIST) or attribute (CelebA) classifier that judges coherence.
    TrainClassifier(TrainClassifierArgs),
    /// Generate from a manifest's weights: digits from a label (or from every label), or faces
    /// from attribute sets.
    Sample(SampleArgs),
    /// Export a run's checkpoint as safetensors + manifest.
    Export(ExportArgs),
    /// How log p(x) and the effective sample size of its importance weights change with K.
    Convergence(ConvergenceArgs),
}

/// A dataset by name, and where it lives.
#[derive(Args, Clone, Debug)]
pub struct DatasetArgs {
    /// The dataset: `mnist` (28x28 binarised digits and their labels), `celeba` (faces
    /// cropped to 64x64 and their 40 attributes) or `folder` (your own images in class
    /// folders or with a metadata.csv; see docs/YOUR-DATA.md).
    #[arg(long, default_value = "mnist", value_parser = datasets::names())]
    pub dataset: String,
    #[command(flatten)]
    pub location: DataArgs,
    #[command(flatten)]
    pub folder: FolderArgs,
}

/// α when `--alpha` is not given.
pub const DEFAULT_ALPHA: f64 = 0.1;

const ALPHA_HELP: &str = "Weight of KL(q(z|x,w) || q(z|m)); 0 trains JMVAE-zero (no unimodal encoders). \
Only for `--model jmvae`: the VAE and the CVAE have no unimodal encoders";

const IMAGE_SIGMA_HELP: &str =
    "Faces: the fixed standard deviation of the Gaussian image likelihood; larger values weigh the pixels less against the attributes";

/// `help` with `default` shown as clap's `-h` shows the default of a flag that has one.
fn with_default(help: &str, default: impl std::fmt::Display) -> String {
    format!("{help} [default: {default}]")
}

/// The same as `--help` shows it.
fn with_default_long(help: &str, default: impl std::fmt::Display) -> String {
    format!("{help}\n\n[default: {default}]")
}

/// σ of the faces model's image, the default that `--image-sigma` replaces.
fn faces_image_sigma() -> f32 {
    ModelConfig::celeba(Vec::new()).modality(IMAGE).map_or(f32::NAN, |m| m.sigma)
}

/// Where `jmvae train` computes. The GPU backends are cargo features of the trainer, off by
/// default so that the default build stays small and fast to compile.
#[derive(Clone, Copy, Debug, PartialEq, ValueEnum)]
pub enum DeviceChoice {
    /// Burn's CPU backend (flex), on every core.
    Cpu,
    /// The first GPU wgpu finds (Vulkan, Metal or DX12); needs `--features wgpu`.
    Wgpu,
    /// The first CUDA GPU; needs `--features cuda`.
    Cuda,
}

/// The model a run trains.
#[derive(Clone, Copy, Debug, PartialEq, ValueEnum)]
pub enum Preset {
    /// Image and label, joint + unimodal encoders (JMVAE-kl; JMVAE-zero when alpha = 0).
    Jmvae,
    /// Image only: the paper's VAE baseline.
    Vae,
    /// The label given to the encoder q(z|x,w) and the decoder p(x|z,w): the paper's CVAE baseline.
    Cvae,
}

/// The flags of `jmvae train`.
#[derive(Args)]
pub struct TrainArgs {
    #[command(flatten)]
    pub dataset: DatasetArgs,
    /// The model to train.
    #[arg(long, value_enum, default_value = "jmvae")]
    pub model: Preset,
    /// α, the weight of KL(q(z|x,w) || q(z|m)); its help is `ALPHA_HELP`.
    // An Option, so that the VAE and the CVAE can refuse it when given; its default is shown
    // as clap shows one, from the constant.
    #[arg(long, allow_negative_numbers = true, help = with_default(ALPHA_HELP, DEFAULT_ALPHA), long_help = with_default_long(ALPHA_HELP, DEFAULT_ALPHA))]
    pub alpha: Option<f64>,
    /// Train until this many epochs are done (counting epochs of a resumed run).
    #[arg(long, default_value_t = 100)]
    pub epochs: usize,
    /// Examples per step.
    #[arg(long, default_value_t = 100)]
    pub batch: usize,
    /// Where to compute: `cpu`, `wgpu` or `cuda` (the GPU ones need the trainer built with
    /// that cargo feature). Checkpoints do not depend on it: a run resumes on any device.
    #[arg(long, value_enum, default_value = "cpu")]
    pub device: DeviceChoice,
    /// Adam's learning rate.
    #[arg(long, default_value_t = 1e-3)]
    pub lr: f64,
    /// Epochs over which the KL weight rises linearly from 0 to 1 (0: no warm-up).
    #[arg(long, default_value_t = 0)]
    pub warmup: usize,
    /// Faces: σ of the image likelihood; its help is `IMAGE_SIGMA_HELP`.
    // The default is the faces model's own (`ModelConfig::celeba`), shown from it.
    #[arg(long, help = with_default(IMAGE_SIGMA_HELP, faces_image_sigma()), long_help = with_default_long(IMAGE_SIGMA_HELP, faces_image_sigma()))]
    pub image_sigma: Option<f32>,
    /// Seed of initialisation, shuffling, binarisation, flips and noise.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Run directory for checkpoints and metrics.
    #[arg(long)]
    pub out: PathBuf,
    /// Continue the run in --out from its latest checkpoint.
    #[arg(long)]
    pub resume: bool,
    /// Use only the first N training examples (quick experiments and tests).
    #[arg(long)]
    pub limit: Option<usize>,
    /// Importance-sampled test log p(x) every N epochs (0: never).
    #[arg(long, default_value_t = 10)]
    pub eval_every: usize,
    /// Importance samples for that estimate.
    #[arg(long, default_value_t = 100)]
    pub eval_k: usize,
    /// Examples of the monitored split for that estimate.
    #[arg(long, default_value_t = 10_000)]
    pub eval_examples: usize,
    /// Hold out N training examples for validation (MNIST: the last N, e.g. 10000; faces:
    /// any N > 0 uses CelebA's official validation partition). The monitor then reads the
    /// validation split, and the best checkpoint by it is kept in `best/`.
    #[arg(long, default_value_t = 0)]
    pub validation: usize,
    /// Weigh log p(x_m|z) by W in the objective, as `NAME=W` (e.g. `label=20`); repeatable.
    /// A documented deviation from the paper (likelihood rescaling); off by default.
    #[arg(long, value_name = "NAME=W")]
    pub rescale: Vec<String>,
    /// Start from the weights of this manifest (fine-tuning) instead of a fresh model.
    #[arg(long)]
    pub init: Option<PathBuf>,
    /// Train only q(z|NAME), refitted to the model's own posterior p(z|NAME) by its bound
    /// E_q[λ log p(NAME|z)] - KL(q || p(z)) (λ from --rescale), every other network fixed;
    /// needs --init. A documented deviation from JMVAE-kl's covering fit.
    #[arg(long, value_name = "NAME", requires = "init")]
    pub refit: Option<String>,
    /// JMVAE-GAN (faces): also train the image decoder against a discriminator, as the paper
    /// does on CelebA. Fixed for the run: a --resume must say it again.
    #[arg(long)]
    pub gan: bool,
    /// With --gan: γ, the weight of the decoder's adversarial term -log D(x̃) (the default is
    /// the shipped faces').
    #[arg(long, requires = "gan", allow_negative_numbers = true, default_value_t = DEFAULT_ADVERSARIAL)]
    pub gan_weight: f64,
    /// With --gan: φ, the weight of feature matching on D's penultimate layer.
    #[arg(long, requires = "gan", allow_negative_numbers = true, default_value_t = DEFAULT_FEATURE_MATCHING)]
    pub feature_weight: f64,
    /// With --gan: the discriminator's Adam learning rate (the default is DCGAN's).
    #[arg(long, requires = "gan", default_value_t = DEFAULT_DISCRIMINATOR_LR)]
    pub gan_lr: f64,
    /// Faces: flip each training face left-right with probability 1/2, drawn afresh every
    /// epoch (its attributes are unchanged by a mirror).
    #[arg(long)]
    pub flip: bool,
}

/// The model a command evaluates: a run's checkpoint or an exported manifest (`jmvae eval`,
/// `jmvae convergence`).
#[derive(Args)]
pub struct ModelSource {
    /// A run directory (its latest checkpoint, or --checkpoint best) ...
    #[arg(long, conflicts_with = "manifest", required_unless_present = "manifest")]
    pub run: Option<PathBuf>,
    /// ... or an exported manifest.
    #[arg(long)]
    pub manifest: Option<PathBuf>,
    /// With --run: the `latest` checkpoint or the `best` one by validation.
    #[arg(long, value_enum, default_value = "latest")]
    pub checkpoint: Which,
}

/// The flags of `jmvae eval`.
#[derive(Args)]
pub struct EvalArgs {
    #[command(flatten)]
    pub model: ModelSource,
    #[command(flatten)]
    pub location: DataArgs,
    /// Importance samples per test example (1000 for reported numbers).
    #[arg(short, long, default_value_t = 1000)]
    pub k: usize,
    /// Digit or attribute classifier for coherence (from `jmvae train-classifier`); for a
    /// folder dataset, the judge of `image`.
    #[arg(long)]
    pub classifier: Option<PathBuf>,
    /// Folder datasets: the judge of the image modality NAME (from `jmvae train-classifier
    /// --modality NAME`), which reads the class of the images generated as NAME for
    /// cross-modal coherence; repeat it for each image modality. MNIST and CelebA refuse it.
    #[arg(long = "judge", value_name = "NAME=PATH")]
    pub judges: Vec<NamedJudge>,
    /// Faces: write a PNG of the first 16 test faces above their reconstructions.
    #[arg(long)]
    pub reconstructions: Option<PathBuf>,
    /// Use only the first N examples of the split.
    #[arg(long)]
    pub limit: Option<usize>,
    /// Where to write the JSON report (a Markdown table is written beside it).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Seed of the importance samples and of the generated digits or faces.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// The split to evaluate on: `validation` (for choices: it also picks the default
    /// temperature) or `test` (for the reported numbers, read once).
    #[arg(long, value_enum, default_value = "test")]
    pub split: SplitName,
    /// MNIST validation size when the run or manifest does not record one.
    #[arg(long, default_value_t = 10_000)]
    pub validation: usize,
    /// The temperature of the headline coherence (default: the manifest's, else 1); the
    /// curve over 0, 0.25, 0.5, 0.75 and 1 is always reported beside it.
    #[arg(long, allow_negative_numbers = true)]
    pub temperature: Option<Temperature>,
}

/// The flags of `jmvae train-classifier`.
#[derive(Args)]
pub struct TrainClassifierArgs {
    #[command(flatten)]
    pub dataset: DatasetArgs,
    /// Training epochs.
    #[arg(long, default_value_t = 5)]
    pub epochs: usize,
    /// Where to save the classifier's weights (a Burn record, e.g. `judge.bpk`), for
    /// `jmvae eval --classifier`.
    #[arg(long)]
    pub out: PathBuf,
    /// Seed of initialisation, shuffling and (digits) the random shifts.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Use only the first N training examples (quick experiments and tests).
    #[arg(long)]
    pub limit: Option<usize>,
    /// Folder datasets: the image modality whose judge of `label` to train (default: `image`),
    /// for `jmvae eval --judge NAME=PATH`. MNIST and CelebA refuse it: their judge reads their
    /// one image.
    #[arg(long, value_name = "NAME")]
    pub modality: Option<String>,
}

/// The flags of `jmvae sample`.
#[derive(Args)]
pub struct SampleArgs {
    /// The exported manifest whose weights to sample from, e.g. www/models/mnist.json.
    #[arg(long)]
    pub manifest: PathBuf,
    /// The label to condition on; every label when absent.
    #[arg(long)]
    pub label: Option<usize>,
    /// Faces: the attributes present, comma-separated (e.g. `Male,Smiling,No_Beard`); the
    /// rest are absent. Repeat for one grid row per set.
    #[arg(long)]
    pub attributes: Vec<String>,
    /// Samples per label (0: the posterior mean).
    #[arg(long, default_value_t = 16)]
    pub samples: usize,
    /// Seed of the noise (the browser draws the same samples from the same seed).
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    /// Sampling temperature τ in [0, 10]: z = μ + τ·σ·ε (default: the manifest's, else 1).
    #[arg(long, allow_negative_numbers = true)]
    pub temperature: Option<Temperature>,
    /// Write a PNG grid (one row per label).
    #[arg(long)]
    pub png: Option<PathBuf>,
    /// Write the raw outputs as JSON (for comparing with the browser).
    #[arg(long)]
    pub json: Option<PathBuf>,
}

/// The flags of `jmvae export`.
#[derive(Args)]
pub struct ExportArgs {
    /// The run whose checkpoint to export ...
    #[arg(long, conflicts_with = "from", required_unless_present = "from")]
    pub run: Option<PathBuf>,
    /// ... or an exported manifest whose weights to export again (to embed a new
    /// evaluation or temperature, or to change the precision); its training record, and its
    /// metrics and temperature unless new ones are given, are kept.
    #[arg(long)]
    pub from: Option<PathBuf>,
    /// The `latest` checkpoint or the `best` one by validation.
    #[arg(long, value_enum, default_value = "latest")]
    pub checkpoint: Which,
    /// A validation report (`jmvae eval --split validation --out`) whose chosen temperature
    /// becomes the manifest's default (`sampling.temperature`).
    #[arg(long)]
    pub sampling: Option<PathBuf>,
    /// Manifest path, e.g. www/models/mnist.json; the weights go beside it.
    #[arg(long)]
    pub out: PathBuf,
    /// Storage precision of the weights: f32, f16, int8, mixed (decoders f16, encoders
    /// int8), int4, or mixed4 (the image encoder and decoder int8, the rest int4);
    /// computation is always f32.
    #[arg(long, default_value = "f16")]
    pub precision: Precision,
    /// An evaluation report (from `jmvae eval --out`) to embed as the manifest's metrics.
    #[arg(long)]
    pub metrics: Option<PathBuf>,
    /// The model's name in the manifest (default: --out's file name without `.json`).
    #[arg(long)]
    pub name: Option<String>,
}

/// An increasing list of importance-sample counts, e.g. `1,10,100,1000`.
#[derive(Clone, Debug, PartialEq)]
pub struct KList(pub Vec<usize>);

impl std::str::FromStr for KList {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        crate::metrics::convergence::parse_ks(text).map(KList)
    }
}

/// Which importance-sampling proposals `jmvae convergence` runs.
#[derive(Clone, Copy, Debug, PartialEq, ValueEnum)]
pub enum ProposalChoice {
    /// q(z|x), the image encoder.
    Image,
    /// q(z|x,w), the joint encoder.
    Joint,
    /// Both, one after the other.
    Both,
    /// An equal mixture of the two (each weight divided by the mixture's density).
    Mixture,
    /// q(z|x), q(z|x,w) and their mixture, one after the other.
    All,
}

/// The flags of `jmvae convergence`.
#[derive(Args)]
pub struct ConvergenceArgs {
    #[command(flatten)]
    pub model: ModelSource,
    #[command(flatten)]
    pub location: DataArgs,
    /// The importance-sample counts K, increasing and comma-separated; the largest K's
    /// samples are drawn once and each smaller K uses their first K.
    #[arg(long, default_value = "1,10,100,1000,5000")]
    pub k: KList,
    /// The proposal: q(z|x) (`image`), q(z|x,w) (`joint`), `both`, their equal `mixture`, or
    /// `all` three.
    #[arg(long, value_enum, default_value = "both")]
    pub proposal: ProposalChoice,
    /// Use the first N examples of the split (at least 1).
    #[arg(long, default_value_t = 500)]
    pub limit: usize,
    /// `test` or `validation`.
    #[arg(long, value_enum, default_value = "test")]
    pub split: SplitName,
    /// MNIST validation size when the run or manifest does not record one.
    #[arg(long, default_value_t = 10_000)]
    pub validation: usize,
    /// Seed of the q(z|x) samples; q(z|x,w) uses seed + 1.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Where to write the JSON report (a Markdown table is written beside it).
    #[arg(long)]
    pub out: PathBuf,
}
