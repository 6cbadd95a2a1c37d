//! `jmvae`: train, evaluate, sample from and export JMVAE models.

mod atomic;
mod attribute_classifier;
mod batch;
mod celeba;
mod checkpoint;
mod classifier;
mod coherence;
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
use jmvae::infer::{Observation, Temperature, generate, observe};
use jmvae::weights::{MANIFEST_FORMAT, Sampling, WeightsFile, sha256_hex, to_safetensors};
use jmvae::{Jmvae, Manifest, ModelConfig, Precision};

use crate::celeba::{Faces, Partition};
use crate::checkpoint::{RunDir, RunSettings, Which};
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

#[derive(Clone, Copy, Debug, PartialEq, ValueEnum)]
enum SplitName {
    /// Held-out training examples (MNIST) or CelebA's validation partition.
    Validation,
    /// The test set.
    Test,
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
        /// Examples of the monitored split for that estimate.
        #[arg(long, default_value_t = 10_000)]
        eval_examples: usize,
        /// Hold out N training examples for validation (MNIST: the last N, e.g. 10000; faces:
        /// any N > 0 uses CelebA's official validation partition). The monitor then reads the
        /// validation split, and the best checkpoint by it is kept in `best/`.
        #[arg(long, default_value_t = 0)]
        validation: usize,
        /// Weigh log p(x_m|z) by W in the objective, as `NAME=W` (e.g. `label=20`); repeatable.
        /// A documented deviation from the paper (likelihood rescaling); off by default.
        #[arg(long, value_name = "NAME=W")]
        rescale: Vec<String>,
        /// Start from the weights of this manifest (fine-tuning) instead of a fresh model.
        #[arg(long)]
        init: Option<PathBuf>,
        /// Train only q(z|NAME), refitted to the model's own posterior p(z|NAME) by its bound
        /// E_q[λ log p(NAME|z)] - KL(q || p(z)) (λ from --rescale), every other network fixed;
        /// needs --init. A documented deviation from JMVAE-kl's covering fit.
        #[arg(long, value_name = "NAME", requires = "init")]
        refit: Option<String>,
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
        /// Use only the first N examples of the split.
        #[arg(long)]
        limit: Option<usize>,
        /// Where to write the JSON report (a Markdown table is written beside it).
        #[arg(long)]
        out: Option<PathBuf>,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// The split to evaluate on: `validation` (for choices: it also picks the default
        /// temperature) or `test` (for the reported numbers, read once).
        #[arg(long, value_enum, default_value = "test")]
        split: SplitName,
        /// MNIST validation size when the run or manifest does not record one.
        #[arg(long, default_value_t = 10_000)]
        validation: usize,
        /// With --run: the `latest` checkpoint or the `best` one by validation.
        #[arg(long, value_enum, default_value = "latest")]
        checkpoint: Which,
        /// The temperature of the headline coherence (default: the manifest's, else 1); the
        /// curve over 0, 0.25, 0.5, 0.75 and 1 is always reported beside it.
        #[arg(long, allow_negative_numbers = true)]
        temperature: Option<Temperature>,
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
        /// Sampling temperature τ in [0, 10]: z = μ + τ·σ·ε (default: the manifest's, else 1).
        #[arg(long, allow_negative_numbers = true)]
        temperature: Option<Temperature>,
        /// Write a PNG grid (one row per label).
        #[arg(long)]
        png: Option<PathBuf>,
        /// Write the raw outputs as JSON (for comparing with the browser).
        #[arg(long)]
        json: Option<PathBuf>,
    },
    /// Export a run's checkpoint as safetensors + manifest.
    Export {
        /// The run whose checkpoint to export ...
        #[arg(long, conflicts_with = "from", required_unless_present = "from")]
        run: Option<PathBuf>,
        /// ... or an exported manifest whose weights to export again (to embed a new
        /// evaluation or temperature, or to change the precision); its training record, and its
        /// metrics and temperature unless new ones are given, are kept.
        #[arg(long)]
        from: Option<PathBuf>,
        /// The `latest` checkpoint or the `best` one by validation.
        #[arg(long, value_enum, default_value = "latest")]
        checkpoint: Which,
        /// A validation report (`jmvae eval --split validation --out`) whose chosen temperature
        /// becomes the manifest's default (`sampling.temperature`).
        #[arg(long)]
        sampling: Option<PathBuf>,
        /// Manifest path, e.g. www/models/mnist.json; the weights go beside it.
        #[arg(long)]
        out: PathBuf,
        /// Storage precision of the weights: f32, f16, int8, or mixed (decoders f16, encoders
        /// int8); computation is always f32.
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

/// `NAME=W` from `--rescale`: a modality name and a positive weight.
fn parse_rescale(pair: &str) -> Result<(String, f64)> {
    let (name, weight) = pair.split_once('=').with_context(|| format!("--rescale `{pair}`: write NAME=WEIGHT, e.g. label=20"))?;
    let weight: f64 = weight.trim().parse().with_context(|| format!("--rescale `{pair}`: `{weight}` is not a number"))?;
    if !(weight > 0.0 && weight.is_finite()) {
        bail!("--rescale `{pair}`: the weight must be positive");
    }
    Ok((name.trim().to_string(), weight))
}

/// The sampling settings a validation report chose (`jmvae eval --split validation --out`).
fn read_sampling(path: &Path) -> Result<Sampling> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read `{}`", path.display()))?;
    let report: serde_json::Value = serde_json::from_str(&text).with_context(|| format!("`{}` is not JSON", path.display()))?;
    if report["split"] != "validation" {
        bail!("`{}` is not a validation report: the default temperature is chosen on validation, never on test", path.display());
    }
    serde_json::from_value(report["sampling"].clone())
        .with_context(|| format!("`{}` has no `sampling` (evaluate with --classifier to choose a temperature)", path.display()))
}

/// How many latents to draw per condition, from which seed, at which temperature.
#[derive(Clone, Copy, Debug)]
struct Draw {
    samples: usize,
    seed: u64,
    temperature: Temperature,
}

fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Train {
            dataset, data, cache, model, alpha, epochs, batch, lr, warmup, image_sigma, seed, out, resume, limit,
            eval_every, eval_k, eval_examples, validation, rescale, init, refit,
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
            let rescale = rescale.iter().map(|pair| parse_rescale(pair)).collect::<Result<Vec<_>>>()?;
            // Read the data before touching the run directory, so a bad --data leaves no trace.
            let (examples, config) = match dataset {
                DatasetName::Mnist => {
                    let mnist = Mnist::load(&data)?;
                    let (train, held_out) = match validation {
                        0 => (mnist.train, None),
                        n => {
                            let (train, held_out) = mnist.train.hold_out(n)?;
                            (train, Some(held_out))
                        }
                    };
                    let train = match limit {
                        Some(n) => train.take(n),
                        None => train,
                    };
                    (Dataset::mnist(train, held_out.as_ref(), &mnist.test), ModelConfig::mnist())
                }
                DatasetName::Celeba => {
                    let wanted: &[Partition] =
                        if validation > 0 { &[Partition::Train, Partition::Validation, Partition::Test] } else { &[Partition::Train, Partition::Test] };
                    let mut faces = load_faces(&data, cache, wanted, limit)?.into_iter();
                    let train = faces.next().expect("train");
                    let held_out = if validation > 0 { faces.next() } else { None };
                    let test = faces.next().expect("test");
                    let mut config = ModelConfig::celeba(train.attribute_names.clone());
                    if let Some(sigma) = image_sigma {
                        let image = config.index_of("image")?;
                        config.modalities[image].sigma = sigma;
                    }
                    (Dataset::Faces { train, validation: held_out, test }, config)
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
            for (name, _) in &rescale {
                config.index_of(name).context("--rescale")?;
            }
            if let Some(name) = &refit {
                config.index_of(name).context("--refit")?;
                if !config.unimodal_encoders {
                    bail!("--refit {name}: this model has no unimodal encoders (alpha = 0); refit a JMVAE-kl model");
                }
            }
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
                validation,
                rescale,
                init: init.map(|p| p.display().to_string()),
                refit,
            };
            // A config the model would refuse is refused here, before the run directory exists.
            settings.config.validate()?;
            let run = RunDir::new(&out);
            let settings = prepare_run(&run, settings, resume)?;
            let monitor = train::Monitor { every: eval_every, k: eval_k, examples: eval_examples };
            train::train(&run, &settings, &examples, epochs, monitor, &device())
        }
        Command::Eval { run, manifest, data, cache, k, classifier, reconstructions, limit, out, seed, split, validation, checkpoint, temperature } => {
            if k == 0 {
                bail!("-k must be at least 1");
            }
            let device = device();
            let (dataset, model, recorded, sampling) = match (&run, &manifest) {
                (Some(run), _) => {
                    let run = RunDir::new(run);
                    let settings = run.settings()?;
                    (settings.dataset, run.load_model_at(checkpoint, &device)?.0, Some(settings.validation), None)
                }
                (_, Some(path)) => {
                    let (manifest, model) = load_manifest(path, &device)?;
                    let recorded = manifest.training["validation"].as_u64().map(|v| v as usize);
                    let tau = manifest.default_temperature();
                    (manifest.dataset, model, recorded, Some(tau))
                }
                _ => unreachable!("clap requires one"),
            };
            let temperature = temperature.or(sampling).unwrap_or(Temperature::ONE);
            if DatasetName::from_recorded(&dataset)? == DatasetName::Celeba {
                let files = FaceEvalFiles { classifier: classifier.as_deref(), reconstructions: reconstructions.as_deref(), out: out.as_deref() };
                return eval_faces(&model, &data, cache, files, limit, seed, split, temperature);
            }
            let judge = classifier.map(|p| classifier::Classifier::load(&p, &device)).transpose()?;
            let mnist = Mnist::load(&data)?;
            let (name, real) = match split {
                SplitName::Test => ("test", mnist.test),
                SplitName::Validation => {
                    let n = recorded.filter(|&n| n > 0).unwrap_or(validation);
                    eprintln!("validation: the last {n} training images");
                    ("validation", mnist.train.hold_out(n)?.1)
                }
            };
            let real = match limit {
                Some(n) => real.take(n),
                None => real,
            };
            let binarised = real.binarised(match split {
                SplitName::Test => mnist::TEST_BINARISATION_SEED,
                SplitName::Validation => mnist::VALIDATION_BINARISATION_SEED,
            });
            let options = evaluate::Options { k, seed, temperature, split: name };
            let metrics = evaluate::evaluate(&model, &binarised, &real, judge.as_ref(), &options, &device)?;
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
            let [train, test]: [Faces; 2] =
                load_faces(&data, cache, &[Partition::Train, Partition::Test], limit)?.try_into().expect("two partitions");
            let model = attribute_classifier::train(&train, epochs, seed, &device);
            let accuracy = evaluate_faces::classifier_accuracy(&model, &test, &device);
            model.save(&out)?;
            let mean = evaluate_faces::mean(&accuracy);
            println!("attribute classifier: mean test accuracy {:.2} % ({} test faces) -> {}", mean * 100.0, test.len(), out.display());
            Ok(())
        }
        Command::TrainClassifier { dataset: DatasetName::Mnist, data, cache: _, epochs, out, seed, limit } => {
            let device = device();
            let mut mnist = Mnist::load(&data)?;
            if let Some(n) = limit {
                mnist.train = mnist.train.take(n);
            }
            let model = classifier::train(&mnist.train, epochs, seed, &device);
            let accuracy = classifier::accuracy(&model, &mnist.test, &device);
            model.save(&out)?;
            println!("classifier test accuracy: {:.2} % ({} test images) -> {}", accuracy * 100.0, mnist.test.len(), out.display());
            Ok(())
        }
        Command::Sample { manifest, label, attributes, samples, seed, temperature, png, json } => {
            let device = device();
            let (manifest, model) = load_manifest(&manifest, &device)?;
            let temperature = temperature.unwrap_or_else(|| manifest.default_temperature());
            let draw = Draw { samples, seed, temperature };
            if !attributes.is_empty() || model.config.index_of("attributes").is_ok() {
                return sample_faces(&model, &attributes, draw, png.as_deref(), json.as_deref(), &device);
            }
            let labels: Vec<usize> = match label {
                Some(l) => vec![l],
                None => (0..10).collect(),
            };
            let mut images = Vec::new();
            let mut outputs = Vec::new();
            for &l in &labels {
                let given = observe(&model.config, &[("label".into(), Observation::Class(l))], &device)?;
                let generated = generate(&model, &given, samples, seed, temperature);
                let image = generated[model.config.index_of("image")?].clone().into_data().try_to_vec::<f32>()?;
                images.extend_from_slice(&image);
                outputs.push(serde_json::json!({"label": l, "image": image,
                    "label_probabilities": generated[model.config.index_of("label")?].clone().into_data().try_to_vec::<f32>()?}));
            }
            if let Some(path) = png {
                grid::save_grid(&path, &images, labels.len(), samples.max(1), 28)?;
                eprintln!("wrote {}", path.display());
            }
            if let Some(path) = json {
                let record = serde_json::json!({"seed": seed, "samples": samples, "temperature": temperature, "outputs": outputs});
                atomic::write_json(&path, &record)?;
                eprintln!("wrote {}", path.display());
            }
            Ok(())
        }
        Command::Export { run, from, checkpoint, sampling, out, precision, metrics, name } => {
            let sampling = sampling.map(|p| read_sampling(&p)).transpose()?;
            let source = match (run, from) {
                (Some(run), _) => Source::Run(run, checkpoint),
                (_, Some(manifest)) => Source::Manifest(manifest),
                _ => unreachable!("clap requires one"),
            };
            export(source, &out, precision, metrics.as_deref(), sampling, name)
        }
    }
}

/// The CelebA partitions `wanted`, in that order, the first (training) one cut to
/// `train_limit` faces, saying on stderr how many faces each partition found.
fn load_faces(data: &Path, cache: Option<PathBuf>, wanted: &[Partition], train_limit: Option<usize>) -> Result<Vec<Faces>> {
    let cache = cache.or_else(default_cache);
    let loaded = celeba::load_partitions(data, wanted, cache.as_deref())?;
    Ok(loaded
        .into_iter()
        .enumerate()
        .map(|(i, (faces, report))| {
            eprintln!("{report}");
            match train_limit {
                Some(n) if i == 0 => faces.take(n),
                _ => faces,
            }
        })
        .collect())
}

/// The optional files `jmvae eval` reads and writes for a faces model.
struct FaceEvalFiles<'a> {
    classifier: Option<&'a Path>,
    reconstructions: Option<&'a Path>,
    out: Option<&'a Path>,
}

/// `jmvae eval` for a faces model: attribute accuracy, baseline, coherence and read-back of
/// requested attributes over temperatures, reconstructions; on the test or validation partition.
#[allow(clippy::too_many_arguments)]
fn eval_faces(
    model: &Jmvae,
    data: &Path,
    cache: Option<PathBuf>,
    files: FaceEvalFiles,
    limit: Option<usize>,
    seed: u64,
    split: SplitName,
    temperature: Temperature,
) -> Result<()> {
    let device = device();
    let evaluated = if split == SplitName::Validation { Partition::Validation } else { Partition::Test };
    let [train, test]: [Faces; 2] = load_faces(data, cache, &[Partition::Train, evaluated], None)?.try_into().expect("two partitions");
    let test = match limit {
        Some(n) => test.take(n),
        None => test,
    };
    let names = &model.config.modalities[model.config.index_of("attributes")?].labels;
    if *names != test.attribute_names {
        bail!("the model's attributes differ from those of `{}`", data.display());
    }
    let classifier = files
        .classifier
        .map(|p| attribute_classifier::AttributeClassifier::load(p, names.len(), &device))
        .transpose()?;
    let split_name = if split == SplitName::Validation { "validation" } else { "test" };
    let options = evaluate::Options { k: 0, seed, temperature, split: split_name };
    let metrics = evaluate_faces::evaluate(model, &train, &test, classifier.as_ref(), &options, &device)?;
    let table = metrics.markdown();
    println!("{table}");
    if let Some(path) = files.reconstructions {
        let shown: Vec<usize> = (0..test.len().min(16)).collect();
        let data = dataset::Examples::inputs(&test, &shown, &device);
        let image = model.config.index_of("image")?;
        let z = model.joint_encoder(&data.iter().cloned().map(Some).collect()).mean;
        let decoded = jmvae::infer::decode_all(model, z).swap_remove(image).into_data().try_to_vec::<f32>()?;
        let mut images = data[image].clone().into_data().try_to_vec::<f32>()?;
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
fn sample_faces(model: &Jmvae, sets: &[String], draw: Draw, png: Option<&Path>, json: Option<&Path>, device: &Device) -> Result<()> {
    let Draw { samples, seed, temperature } = draw;
    let m = model.config.index_of("attributes").context("--attributes needs a faces model")?;
    let image = model.config.index_of("image")?;
    let names = &model.config.modalities[m].labels;
    let sets: Vec<String> = if sets.is_empty() { vec![String::new()] } else { sets.to_vec() };
    let mut images = Vec::new();
    let mut outputs = Vec::new();
    for set in &sets {
        let attributes = attribute_vector(names, set)?;
        let given = observe(&model.config, &[("attributes".into(), Observation::Values(attributes.clone()))], device)?;
        let generated = generate(model, &given, samples, seed, temperature);
        let faces = generated[image].clone().into_data().try_to_vec::<f32>()?;
        images.extend_from_slice(&faces);
        outputs.push(serde_json::json!({"present": set, "attributes": attributes, "image": faces,
            "attribute_probabilities": generated[m].clone().into_data().try_to_vec::<f32>()?}));
    }
    if let Some(path) = png {
        grid::save_colour_grid(path, &images, sets.len(), samples.max(1), celeba::SIDE)?;
        eprintln!("wrote {}", path.display());
    }
    if let Some(path) = json {
        atomic::write_json(path, &serde_json::json!({"seed": seed, "samples": samples, "temperature": temperature, "outputs": outputs}))?;
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
pub(crate) fn load_manifest(path: &Path, device: &Device) -> Result<(Manifest, Jmvae)> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read the manifest `{}`", path.display()))?;
    let manifest = Manifest::from_json(&text).with_context(|| format!("`{}`", path.display()))?;
    let weights = path.with_file_name(&manifest.weights.file);
    let bytes = std::fs::read(&weights).with_context(|| format!("cannot read the weights `{}`", weights.display()))?;
    let model = manifest.load(bytes, device).with_context(|| format!("`{}`", weights.display()))?;
    Ok((manifest, model))
}

/// Where `jmvae export` takes its weights from.
enum Source {
    /// A run directory and which of its checkpoints.
    Run(PathBuf, Which),
    /// An exported manifest and the weights beside it.
    Manifest(PathBuf),
}

/// What an export carries over from its source.
struct Exported {
    model: Jmvae,
    dataset: String,
    training: serde_json::Value,
    notice: Option<String>,
    /// A manifest's metrics and sampling, kept unless the export gives new ones.
    metrics: serde_json::Value,
    sampling: Option<Sampling>,
}

/// The model, dataset, training record, notice, metrics and sampling of an export's source.
fn exported_from(source: &Source) -> Result<Exported> {
    match source {
        Source::Run(path, which) => {
            let run = RunDir::new(path);
            let settings = run.settings()?;
            let (model, state) = run.load_model_at(*which, &device())?;
            let best = if *which == Which::Best { run.best_record()? } else { None };
            let training = serde_json::json!({
                "command": settings.command, "alpha": settings.alpha, "warmup": settings.warmup,
                "batch": settings.batch, "lr": settings.lr, "seed": settings.seed,
                "epochs": state.epoch, "steps": state.steps, "seconds": state.seconds,
                "parameters": model.num_params(), "validation": settings.validation,
                "rescale": settings.rescale, "init": settings.init, "refit": settings.refit,
                "checkpoint": best.unwrap_or(serde_json::json!("latest")),
            });
            let notice = (settings.dataset == "celeba").then(|| CELEBA_NOTICE.to_string());
            Ok(Exported { model, dataset: settings.dataset, training, notice, metrics: serde_json::Value::Null, sampling: None })
        }
        Source::Manifest(path) => {
            let (manifest, model) = load_manifest(path, &device())?;
            let Manifest { dataset, training, notice, metrics, sampling, .. } = manifest;
            Ok(Exported { model, dataset, training, notice, metrics, sampling })
        }
    }
}

fn export(
    source: Source,
    out: &Path,
    precision: Precision,
    metrics: Option<&Path>,
    sampling: Option<Sampling>,
    name: Option<String>,
) -> Result<()> {
    let Exported { model, dataset, training, notice, metrics: previous_metrics, sampling: previous_sampling } = exported_from(&source)?;
    let bytes = to_safetensors(&model, precision)?;
    let stem = out.file_stem().context("--out needs a file name")?.to_string_lossy().to_string();
    let weights_name = format!("{stem}.safetensors");
    let metrics = match metrics {
        Some(p) => serde_json::from_str(&std::fs::read_to_string(p).with_context(|| format!("cannot read `{}`", p.display()))?)?,
        None => previous_metrics,
    };
    let manifest = Manifest {
        format: MANIFEST_FORMAT.into(),
        name: name.unwrap_or(stem),
        dataset,
        config: model.config.clone(),
        weights: WeightsFile {
            file: weights_name.clone(),
            dtype: precision.name().into(),
            bytes: bytes.len() as u64,
            sha256: sha256_hex(&bytes),
        },
        training,
        metrics,
        notice,
        sampling: sampling.or(previous_sampling),
    };
    // Weights first, manifest last: a reader never sees a manifest naming absent weights.
    atomic::write_atomic(&out.with_file_name(&weights_name), &bytes)?;
    atomic::write_json(out, &manifest)?;
    eprintln!("wrote {} ({} bytes of weights, {})", out.display(), bytes.len(), manifest.weights.dtype);
    Ok(())
}
