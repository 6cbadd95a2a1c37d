//! `jmvae`: train, evaluate, sample from and export JMVAE models.

mod atomic;
mod attribute_classifier;
mod batch;
mod celeba;
mod checkpoint;
mod classifier;
mod dataset;
mod evaluate;
mod evaluate_faces;
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

use crate::celeba::{Faces, Partition};
use crate::checkpoint::{RunDir, RunSettings};
use crate::dataset::Dataset;
use crate::mnist::Mnist;

/// Train, evaluate, sample from and export JMVAE models (Suzuki et al., 2016).
#[derive(Parser)]
#[command(name = "jmvae", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, Debug, PartialEq, ValueEnum)]
enum DatasetName {
    /// MNIST: 28x28 binarised digits and their labels.
    Mnist,
    /// CelebA: faces cropped to 64x64 and their 40 attributes.
    Celeba,
}

impl DatasetName {
    /// The dataset a run or manifest recorded.
    fn from_recorded(name: &str) -> Result<Self> {
        match name {
            "mnist" => Ok(Self::Mnist),
            "celeba" => Ok(Self::Celeba),
            other => bail!("unknown dataset `{other}` (known: mnist, celeba)"),
        }
    }
}

/// The notice every CelebA-derived manifest carries.
const CELEBA_NOTICE: &str = "These weights derive from the CelebA dataset (Liu et al., 2015), which is available for \
non-commercial research purposes only; the weights are shared under the same terms: non-commercial research use only.";

/// Where preprocessed CelebA tensors are cached: `$XDG_CACHE_HOME/jmvae` or `~/.cache/jmvae`.
fn default_cache() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cache")))?;
    Some(base.join("jmvae"))
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
        dataset: DatasetName,
        /// Directory holding the dataset in its standard layout.
        #[arg(long, env = "JMVAE_DATA")]
        data: PathBuf,
        /// Directory for preprocessed CelebA tensors (default: ~/.cache/jmvae).
        #[arg(long, env = "JMVAE_CACHE")]
        cache: Option<PathBuf>,
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
        /// Faces: the fixed standard deviation of the Gaussian image likelihood (default 0.2);
        /// larger values weigh the pixels less against the attributes.
        #[arg(long)]
        image_sigma: Option<f32>,
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
        /// Directory for preprocessed CelebA tensors (default: ~/.cache/jmvae).
        #[arg(long, env = "JMVAE_CACHE")]
        cache: Option<PathBuf>,
        /// Digit or attribute classifier for coherence (from `jmvae train-classifier`).
        #[arg(long)]
        classifier: Option<PathBuf>,
        /// Faces: write a PNG of the first 16 test faces above their reconstructions.
        #[arg(long)]
        reconstructions: Option<PathBuf>,
        /// Use only the first N test examples.
        #[arg(long)]
        limit: Option<usize>,
        /// Where to write the JSON report (a Markdown table is written beside it).
        #[arg(long)]
        out: Option<PathBuf>,
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Train the independent digit (MNIST) or attribute (CelebA) classifier that judges coherence.
    TrainClassifier {
        #[arg(long, value_enum, default_value = "mnist")]
        dataset: DatasetName,
        #[arg(long, env = "JMVAE_DATA")]
        data: PathBuf,
        /// Directory for preprocessed CelebA tensors (default: ~/.cache/jmvae).
        #[arg(long, env = "JMVAE_CACHE")]
        cache: Option<PathBuf>,
        #[arg(long, default_value_t = 5)]
        epochs: usize,
        #[arg(long)]
        out: PathBuf,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        #[arg(long)]
        limit: Option<usize>,
    },
    /// Generate from a manifest's weights: digits from a label (or from every label), or faces
    /// from attribute sets.
    Sample {
        #[arg(long)]
        manifest: PathBuf,
        /// The label to condition on; every label when absent.
        #[arg(long)]
        label: Option<usize>,
        /// Faces: the attributes present, comma-separated (e.g. `Male,Smiling,No_Beard`); the
        /// rest are absent. Repeat for one grid row per set.
        #[arg(long)]
        attributes: Vec<String>,
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
            dataset, data, cache, model, alpha, epochs, batch, lr, warmup, image_sigma, seed, out, resume, limit,
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
            // Read the data before touching the run directory, so a bad --data leaves no trace.
            let (examples, config) = match dataset {
                DatasetName::Mnist => {
                    let mnist = limited(Mnist::load(&data)?, limit, None);
                    (Dataset::mnist(mnist.train, &mnist.test), ModelConfig::mnist())
                }
                DatasetName::Celeba => {
                    let (train, test) = load_faces(&data, cache, limit, None)?;
                    let mut config = ModelConfig::celeba(train.attribute_names.clone());
                    if let Some(sigma) = image_sigma {
                        config.modalities[0].sigma = sigma;
                    }
                    (Dataset::Faces { train, test }, config)
                }
            };
            let config = match model {
                Preset::Jmvae => ModelConfig { unimodal_encoders: alpha > 0.0, ..config },
                Preset::Vae => {
                    let mut config = config;
                    config.modalities.truncate(1);
                    ModelConfig { unimodal_encoders: false, ..config }
                }
            };
            let settings = RunSettings {
                dataset: format!("{dataset:?}").to_lowercase(),
                model: format!("{model:?}").to_lowercase(),
                config,
                alpha: if matches!(model, Preset::Vae) { 0.0 } else { alpha },
                warmup,
                batch,
                lr,
                seed,
                command: std::env::args().collect::<Vec<_>>().join(" "),
            };
            // A config the model would refuse is refused here, before the run directory exists.
            settings.config.validate()?;
            let run = RunDir::new(&out);
            let settings = prepare_run(&run, settings, resume)?;
            let monitor = train::Monitor { every: eval_every, k: eval_k, examples: eval_examples };
            train::train(&run, &settings, &examples, epochs, monitor, &device())
        }
        Command::Eval { run, manifest, data, cache, k, classifier, reconstructions, limit, out, seed } => {
            if k == 0 {
                bail!("-k must be at least 1");
            }
            let device = device();
            let (dataset, model) = match (&run, &manifest) {
                (Some(run), _) => {
                    let run = RunDir::new(run);
                    (run.settings()?.dataset, run.load_model(&device)?.0)
                }
                (_, Some(path)) => {
                    let (manifest, model) = load_manifest(path, &device)?;
                    (manifest.dataset, model)
                }
                _ => unreachable!("clap requires one"),
            };
            if DatasetName::from_recorded(&dataset)? == DatasetName::Celeba {
                let files = FaceEvalFiles { classifier: classifier.as_deref(), reconstructions: reconstructions.as_deref(), out: out.as_deref() };
                return eval_faces(&model, &data, cache, files, limit, seed);
            }
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
        Command::TrainClassifier { dataset: DatasetName::Celeba, data, cache, epochs, out, seed, limit } => {
            let device = device();
            let (train, test) = load_faces(&data, cache, limit, None)?;
            let model = attribute_classifier::train(&train, epochs, seed, &device);
            let accuracy = evaluate_faces::classifier_accuracy(&model, &test, &device);
            model.save(&out)?;
            let mean = evaluate_faces::mean(&accuracy);
            println!("attribute classifier: mean test accuracy {:.2} % ({} test faces) -> {}", mean * 100.0, test.len(), out.display());
            Ok(())
        }
        Command::TrainClassifier { dataset: DatasetName::Mnist, data, cache: _, epochs, out, seed, limit } => {
            let device = device();
            let mnist = limited(Mnist::load(&data)?, limit, None);
            let model = classifier::train(&mnist.train, epochs, seed, &device);
            let accuracy = classifier::accuracy(&model, &mnist.test, &device);
            model.save(&out)?;
            println!("classifier test accuracy: {:.2} % ({} test images) -> {}", accuracy * 100.0, mnist.test.len(), out.display());
            Ok(())
        }
        Command::Sample { manifest, label, attributes, samples, seed, png, json } => {
            let device = device();
            let (_, model) = load_manifest(&manifest, &device)?;
            if !attributes.is_empty() || model.config.index_of("attributes").is_ok() {
                return sample_faces(&model, &attributes, samples, seed, png.as_deref(), json.as_deref(), &device);
            }
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

/// The CelebA train and test partitions (at most `train_limit` / `test_limit` faces), saying
/// on stderr how many faces each partition found.
fn load_faces(data: &Path, cache: Option<PathBuf>, train_limit: Option<usize>, test_limit: Option<usize>) -> Result<(Faces, Faces)> {
    let cache = cache.or_else(default_cache);
    let loaded = celeba::load_partitions(data, &[Partition::Train, Partition::Test], cache.as_deref())?;
    let mut faces = loaded.into_iter().zip([train_limit, test_limit]).map(|((faces, report), limit)| {
        eprintln!("{report}");
        match limit {
            Some(n) => faces.take(n),
            None => faces,
        }
    });
    Ok((faces.next().expect("train"), faces.next().expect("test")))
}

/// The optional files `jmvae eval` reads and writes for a faces model.
struct FaceEvalFiles<'a> {
    classifier: Option<&'a Path>,
    reconstructions: Option<&'a Path>,
    out: Option<&'a Path>,
}

/// `jmvae eval` for a faces model: attribute accuracy, baseline, coherence, reconstructions.
fn eval_faces(model: &Jmvae, data: &Path, cache: Option<PathBuf>, files: FaceEvalFiles, limit: Option<usize>, seed: u64) -> Result<()> {
    let device = device();
    let (train, test) = load_faces(data, cache, None, limit)?;
    let names = &model.config.modalities[model.config.index_of("attributes")?].labels;
    if *names != test.attribute_names {
        bail!("the model's attributes differ from those of `{}`", data.display());
    }
    let classifier = files
        .classifier
        .map(|p| attribute_classifier::AttributeClassifier::load(p, names.len(), &device))
        .transpose()?;
    let metrics = evaluate_faces::evaluate(model, &train, &test, classifier.as_ref(), seed, &device);
    let table = metrics.markdown();
    println!("{table}");
    if let Some(path) = files.reconstructions {
        let shown: Vec<usize> = (0..test.len().min(16)).collect();
        let data = dataset::Examples::inputs(&test, &shown, &device);
        let z = model.joint_encoder(&data.iter().cloned().map(Some).collect()).mean;
        let decoded = jmvae::infer::decode_all(model, z).swap_remove(0).into_data().try_to_vec::<f32>()?;
        let mut images = data[0].clone().into_data().try_to_vec::<f32>()?;
        images.extend(decoded);
        grid::save_colour_grid(path, &images, 2, shown.len(), celeba::SIDE)?;
        eprintln!("wrote {} (CelebA-derived: never commit or redistribute it)", path.display());
    }
    if let Some(out) = files.out {
        atomic::write_json(out, &metrics)?;
        atomic::write_atomic(&out.with_extension("md"), table.as_bytes())?;
    }
    Ok(())
}

/// The attribute vector with exactly the named attributes present.
fn attribute_vector(names: &[String], present: &str) -> Result<Vec<f32>> {
    let mut values = vec![0.0; names.len()];
    for name in present.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        let j = names
            .iter()
            .position(|n| n == name)
            .with_context(|| format!("unknown attribute `{name}` (known: {})", names.join(", ")))?;
        values[j] = 1.0;
    }
    Ok(values)
}

/// `jmvae sample` for a faces model: one row of faces per attribute set.
fn sample_faces(model: &Jmvae, sets: &[String], samples: usize, seed: u64, png: Option<&Path>, json: Option<&Path>, device: &Device) -> Result<()> {
    let m = model.config.index_of("attributes").context("--attributes needs a faces model")?;
    let names = &model.config.modalities[m].labels;
    let sets: Vec<String> = if sets.is_empty() { vec![String::new()] } else { sets.to_vec() };
    let mut images = Vec::new();
    let mut outputs = Vec::new();
    for set in &sets {
        let attributes = attribute_vector(names, set)?;
        let given = observe(&model.config, &[("attributes".into(), Observation::Values(attributes.clone()))], device)?;
        let generated = generate(model, &given, samples, seed);
        let image = generated[0].clone().into_data().try_to_vec::<f32>()?;
        images.extend_from_slice(&image);
        outputs.push(serde_json::json!({"present": set, "attributes": attributes, "image": image,
            "attribute_probabilities": generated[1].clone().into_data().try_to_vec::<f32>()?}));
    }
    if let Some(path) = png {
        grid::save_colour_grid(path, &images, sets.len(), samples.max(1), celeba::SIDE)?;
        eprintln!("wrote {}", path.display());
    }
    if let Some(path) = json {
        atomic::write_json(path, &serde_json::json!({"seed": seed, "samples": samples, "outputs": outputs}))?;
        eprintln!("wrote {}", path.display());
    }
    Ok(())
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
        notice: (settings.dataset == "celeba").then(|| CELEBA_NOTICE.to_string()),
    };
    // Weights first, manifest last: a reader never sees a manifest naming absent weights.
    atomic::write_atomic(&out.with_file_name(&weights_name), &bytes)?;
    atomic::write_json(out, &manifest)?;
    eprintln!("wrote {} ({} bytes of weights, {})", out.display(), bytes.len(), manifest.weights.dtype);
    Ok(())
}
