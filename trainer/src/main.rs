//! `jmvae`: train, evaluate, sample from and export JMVAE models.

mod atomic;
mod batch;
mod checkpoint;
mod classifier;
mod evaluate;
mod grid;
mod idx;
mod mnist;
mod train;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use burn::module::Module;
use burn::tensor::Device;
use clap::{Parser, Subcommand, ValueEnum};
use jmvae::infer::{Observation, generate, observe};
use jmvae::weights::{MANIFEST_FORMAT, WeightsFile, sha256_hex, to_safetensors};
use jmvae::{Jmvae, Manifest, ModelConfig, Precision};

use crate::checkpoint::{RunDir, RunSettings};
use crate::mnist::Mnist;

/// Train, evaluate, sample from and export JMVAE models (Suzuki et al., 2016).
#[derive(Parser)]
#[command(name = "jmvae", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum Dataset {
    /// MNIST: 28x28 binarised digits and their labels.
    Mnist,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum Preset {
    /// Image and label, joint + unimodal encoders (JMVAE-kl; JMVAE-zero when alpha = 0).
    Jmvae,
    /// Image only: the paper's VAE baseline.
    Vae,
}

#[derive(Subcommand)]
enum Command {
    /// Train a model, writing checkpoints and metrics to a run directory.
    Train {
        #[arg(long, value_enum, default_value = "mnist")]
        dataset: Dataset,
        /// Directory holding the dataset in its standard layout.
        #[arg(long, env = "JMVAE_DATA")]
        data: PathBuf,
        #[arg(long, value_enum, default_value = "jmvae")]
        model: Preset,
        /// Weight of KL(q(z|x,w) || q(z|m)); 0 trains JMVAE-zero (no unimodal encoders).
        #[arg(long, default_value_t = 0.1, allow_negative_numbers = true)]
        alpha: f64,
        /// Train until this many epochs are done (counting epochs of a resumed run).
        #[arg(long, default_value_t = 100)]
        epochs: usize,
        /// Examples per step.
        #[arg(long, default_value_t = 100)]
        batch: usize,
        /// Adam's learning rate.
        #[arg(long, default_value_t = 1e-3)]
        lr: f64,
        /// Epochs over which the KL weight rises linearly from 0 to 1 (0: no warm-up).
        #[arg(long, default_value_t = 0)]
        warmup: usize,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Run directory for checkpoints and metrics.
        #[arg(long)]
        out: PathBuf,
        /// Continue the run in --out from its latest checkpoint.
        #[arg(long)]
        resume: bool,
        /// Use only the first N training examples (quick experiments and tests).
        #[arg(long)]
        limit: Option<usize>,
        /// Importance-sampled test log p(x) every N epochs (0: never).
        #[arg(long, default_value_t = 10)]
        eval_every: usize,
        /// Importance samples for that estimate.
        #[arg(long, default_value_t = 100)]
        eval_k: usize,
        /// Test examples for that estimate.
        #[arg(long, default_value_t = 10_000)]
        eval_examples: usize,
    },
    /// Evaluate a run's latest checkpoint or an exported manifest on the test set.
    Eval {
        /// A run directory (uses its latest checkpoint) ...
        #[arg(long, conflicts_with = "manifest", required_unless_present = "manifest")]
        run: Option<PathBuf>,
        /// ... or an exported manifest.
        #[arg(long)]
        manifest: Option<PathBuf>,
        #[arg(long, env = "JMVAE_DATA")]
        data: PathBuf,
        /// Importance samples per test example (1000 for reported numbers).
        #[arg(short, long, default_value_t = 1000)]
        k: usize,
        /// Digit classifier for coherence (from `jmvae train-classifier`).
        #[arg(long)]
        classifier: Option<PathBuf>,
        /// Use only the first N test examples.
        #[arg(long)]
        limit: Option<usize>,
        /// Where to write the JSON report (a Markdown table is written beside it).
        #[arg(long)]
        out: Option<PathBuf>,
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Train the independent digit classifier that judges coherence.
    TrainClassifier {
        #[arg(long, env = "JMVAE_DATA")]
        data: PathBuf,
        #[arg(long, default_value_t = 5)]
        epochs: usize,
        #[arg(long)]
        out: PathBuf,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        #[arg(long)]
        limit: Option<usize>,
    },
    /// Generate from a manifest's weights: digits from a label (or from every label).
    Sample {
        #[arg(long)]
        manifest: PathBuf,
        /// The label to condition on; every label when absent.
        #[arg(long)]
        label: Option<usize>,
        /// Samples per label (0: the posterior mean).
        #[arg(long, default_value_t = 16)]
        samples: usize,
        #[arg(long, default_value_t = 7)]
        seed: u64,
        /// Write a PNG grid (one row per label).
        #[arg(long)]
        png: Option<PathBuf>,
        /// Write the raw outputs as JSON (for comparing with the browser).
        #[arg(long)]
        json: Option<PathBuf>,
    },
    /// Export a run's latest checkpoint as safetensors + manifest.
    Export {
        #[arg(long)]
        run: PathBuf,
        /// Manifest path, e.g. www/models/mnist.json; the weights go beside it.
        #[arg(long)]
        out: PathBuf,
        /// Storage precision of the weights: f32, f16 or int8 (computation is always f32).
        #[arg(long, default_value = "f16")]
        precision: Precision,
        /// An evaluation report (from `jmvae eval --out`) to embed as the manifest's metrics.
        #[arg(long)]
        metrics: Option<PathBuf>,
        #[arg(long)]
        name: Option<String>,
    },
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

/// The CPU device the trainer computes on.
fn device() -> Device {
    Device::flex()
}

fn limited(mut data: Mnist, train: Option<usize>, test: Option<usize>) -> Mnist {
    if let Some(n) = train {
        data.train = data.train.take(n);
    }
    if let Some(n) = test {
        data.test = data.test.take(n);
    }
    data
}

fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Train {
            dataset: Dataset::Mnist, data, model, alpha, epochs, batch, lr, warmup, seed, out, resume, limit,
            eval_every, eval_k, eval_examples,
        } => {
            jmvae::Objective::jmvae_kl(alpha).context("--alpha")?;
            if batch == 0 {
                bail!("--batch must be at least 1");
            }
            if !(lr > 0.0) {
                bail!("--lr must be positive, got {lr}");
            }
            if eval_k == 0 {
                bail!("--eval-k must be at least 1");
            }
            let config = match model {
                Preset::Jmvae => ModelConfig { unimodal_encoders: alpha > 0.0, ..ModelConfig::mnist() },
                Preset::Vae => ModelConfig::mnist_vae(),
            };
            let settings = RunSettings {
                dataset: "mnist".into(),
                model: format!("{model:?}").to_lowercase(),
                config,
                alpha: if matches!(model, Preset::Vae) { 0.0 } else { alpha },
                warmup,
                batch,
                lr,
                seed,
                command: std::env::args().collect::<Vec<_>>().join(" "),
            };
            // Read the data before touching the run directory, so a bad --data leaves no trace.
            let mnist = limited(Mnist::load(&data)?, limit, None);
            let run = RunDir::new(&out);
            let settings = prepare_run(&run, settings, resume)?;
            let monitor = train::Monitor { every: eval_every, k: eval_k, examples: eval_examples };
            train::train(&run, &settings, &mnist, epochs, monitor, &device())
        }
        Command::Eval { run, manifest, data, k, classifier, limit, out, seed } => {
            if k == 0 {
                bail!("-k must be at least 1");
            }
            let device = device();
            let model = match (&run, &manifest) {
                (Some(run), _) => RunDir::new(run).load_model(&device)?.0,
                (_, Some(path)) => load_manifest(path, &device)?.1,
                _ => unreachable!("clap requires one"),
            };
            let classifier = classifier.map(|p| classifier::Classifier::load(&p, &device)).transpose()?;
            let mnist = limited(Mnist::load(&data)?, Some(0), limit);
            let test = mnist.test.binarised(mnist::TEST_BINARISATION_SEED);
            let mut metrics = evaluate::evaluate(&model, &test, k, classifier.as_ref(), seed, &device);
            if let Some(c) = &classifier {
                metrics.classifier_accuracy = Some(classifier::accuracy(c, &mnist.test, &device));
            }
            let table = metrics.markdown();
            println!("{table}");
            if let Some(out) = out {
                atomic::write_json(&out, &metrics)?;
                atomic::write_atomic(&out.with_extension("md"), table.as_bytes())?;
            }
            Ok(())
        }
        Command::TrainClassifier { data, epochs, out, seed, limit } => {
            let device = device();
            let mnist = limited(Mnist::load(&data)?, limit, None);
            let model = classifier::train(&mnist.train, epochs, seed, &device);
            let accuracy = classifier::accuracy(&model, &mnist.test, &device);
            model.save(&out)?;
            println!("classifier test accuracy: {:.2} % ({} test images) -> {}", accuracy * 100.0, mnist.test.len(), out.display());
            Ok(())
        }
        Command::Sample { manifest, label, samples, seed, png, json } => {
            let device = device();
            let (_, model) = load_manifest(&manifest, &device)?;
            let labels: Vec<usize> = match label {
                Some(l) => vec![l],
                None => (0..10).collect(),
            };
            let mut images = Vec::new();
            let mut outputs = Vec::new();
            for &l in &labels {
                let given = observe(&model.config, &[("label".into(), Observation::Class(l))], &device)?;
                let generated = generate(&model, &given, samples, seed);
                let image = generated[0].clone().into_data().try_to_vec::<f32>()?;
                images.extend_from_slice(&image);
                outputs.push(serde_json::json!({"label": l, "image": image,
                    "label_probabilities": generated[1].clone().into_data().try_to_vec::<f32>()?}));
            }
            if let Some(path) = png {
                grid::save_grid(&path, &images, labels.len(), samples.max(1), 28)?;
                eprintln!("wrote {}", path.display());
            }
            if let Some(path) = json {
                atomic::write_json(&path, &serde_json::json!({"seed": seed, "samples": samples, "outputs": outputs}))?;
                eprintln!("wrote {}", path.display());
            }
            Ok(())
        }
        Command::Export { run, out, precision, metrics, name } => export(&run, &out, precision, metrics.as_deref(), name),
    }
}

/// Create a new run, or check that a resumed one has the same settings.
fn prepare_run(run: &RunDir, settings: RunSettings, resume: bool) -> Result<RunSettings> {
    if run.exists() {
        if !resume {
            bail!("`{}` already holds a run; pass --resume to continue it or choose another --out", run.path.display());
        }
        let stored = run.settings()?;
        let same = RunSettings { command: stored.command.clone(), ..settings.clone() };
        if same != stored {
            bail!("--resume with settings that differ from `{}`; use the original flags", run.path.join("run.json").display());
        }
        return Ok(stored);
    }
    if resume {
        bail!("--resume: `{}` holds no run to continue", run.path.display());
    }
    run.create(&settings)?;
    Ok(settings)
}

/// Read a manifest and its weights (beside it) and build the model.
fn load_manifest(path: &Path, device: &Device) -> Result<(Manifest, Jmvae)> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read the manifest `{}`", path.display()))?;
    let manifest = Manifest::from_json(&text).with_context(|| format!("`{}`", path.display()))?;
    let weights = path.with_file_name(&manifest.weights.file);
    let bytes = std::fs::read(&weights).with_context(|| format!("cannot read the weights `{}`", weights.display()))?;
    let model = manifest.load(bytes, device).with_context(|| format!("`{}`", weights.display()))?;
    Ok((manifest, model))
}

fn export(run_path: &Path, out: &Path, precision: Precision, metrics: Option<&Path>, name: Option<String>) -> Result<()> {
    let run = RunDir::new(run_path);
    let settings = run.settings()?;
    let (model, state) = run.load_model(&device())?;
    let bytes = to_safetensors(&model, precision)?;
    let stem = out.file_stem().context("--out needs a file name")?.to_string_lossy().to_string();
    let weights_name = format!("{stem}.safetensors");
    let metrics = match metrics {
        Some(p) => serde_json::from_str(&std::fs::read_to_string(p).with_context(|| format!("cannot read `{}`", p.display()))?)?,
        None => serde_json::Value::Null,
    };
    let manifest = Manifest {
        format: MANIFEST_FORMAT.into(),
        name: name.unwrap_or(stem),
        dataset: settings.dataset.clone(),
        config: settings.config.clone(),
        weights: WeightsFile {
            file: weights_name.clone(),
            dtype: precision.name().into(),
            bytes: bytes.len() as u64,
            sha256: sha256_hex(&bytes),
        },
        training: serde_json::json!({
            "command": settings.command, "alpha": settings.alpha, "warmup": settings.warmup,
            "batch": settings.batch, "lr": settings.lr, "seed": settings.seed,
            "epochs": state.epoch, "steps": state.steps, "seconds": state.seconds,
            "parameters": model.num_params(),
        }),
        metrics,
        notice: None,
    };
    // Weights first, manifest last: a reader never sees a manifest naming absent weights.
    atomic::write_atomic(&out.with_file_name(&weights_name), &bytes)?;
    atomic::write_json(out, &manifest)?;
    eprintln!("wrote {} ({} bytes of weights, {})", out.display(), bytes.len(), manifest.weights.dtype);
    Ok(())
}
