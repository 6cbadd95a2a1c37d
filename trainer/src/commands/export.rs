//! `jmvae export`: a run's checkpoint, or a manifest's weights again, as safetensors + manifest.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use burn::module::Module;
use jmvae::weights::{Provenance, Sampling};
use jmvae::{Jmvae, Manifest};
use serde::Serialize;

use super::device;
use crate::atomic::{write_atomic, write_json};
use crate::checkpoint::{RunDir, Which};
use crate::cli::ExportArgs;
use crate::datasets;
use crate::examples::SplitName;

/// Run the command.
pub fn run(args: ExportArgs) -> Result<()> {
    let sampling = args.sampling.as_deref().map(read_sampling).transpose()?;
    let (model, mut provenance) = match (&args.run, &args.from) {
        (Some(run), _) => from_run(run, args.checkpoint)?,
        (_, Some(manifest)) => {
            let (manifest, model) = Manifest::read(manifest, &device())?;
            (model, manifest.provenance())
        }
        _ => unreachable!("clap requires one"),
    };
    let stem = args.out.file_stem().context("--out needs a file name")?.to_string_lossy().to_string();
    provenance.name = args.name.unwrap_or_else(|| stem.clone());
    if let Some(path) = &args.metrics {
        let text = std::fs::read_to_string(path).with_context(|| format!("cannot read `{}`", path.display()))?;
        provenance.metrics = serde_json::from_str(&text)?;
    }
    provenance.sampling = sampling.or(provenance.sampling);
    let weights_name = format!("{stem}.safetensors");
    let (manifest, bytes) = Manifest::export(&model, args.precision, &weights_name, provenance)?;
    // Weights first, manifest last: a reader never sees a manifest naming absent weights.
    write_atomic(&args.out.with_file_name(&weights_name), &bytes)?;
    write_json(&args.out, &manifest)?;
    eprintln!("wrote {} ({} bytes of weights, {})", args.out.display(), bytes.len(), manifest.weights.dtype.name());
    Ok(())
}

/// The model of a run's checkpoint and what the manifest says of it: the training record
/// and the dataset's notice.
fn from_run(path: &PathBuf, which: Which) -> Result<(Jmvae, Provenance)> {
    let run = RunDir::new(path);
    let settings = run.settings()?;
    let (model, state) = run.load_model_at(which, &device())?;
    let best = if which == Which::Best { run.best_record()? } else { None };
    let training = TrainingRecord {
        command: settings.command,
        alpha: settings.alpha,
        warmup: settings.warmup,
        batch: settings.batch,
        lr: settings.lr,
        seed: settings.seed,
        epochs: state.epoch,
        steps: state.steps,
        seconds: state.seconds,
        parameters: model.num_params(),
        validation: settings.validation,
        rescale: settings.rescale,
        init: settings.init,
        refit: settings.refit,
        decoder: if settings.gan.is_some() { "gan" } else { "likelihood" },
        gan: settings.gan,
        flip: settings.flip,
        folder: settings.folder,
        checkpoint: best.map_or(serde_json::json!("latest"), |b| serde_json::to_value(b).expect("plain fields")),
    };
    let training = serde_json::to_value(training)?;
    let notice = datasets::by_name(&settings.dataset)?.notice().map(String::from);
    let provenance = Provenance { dataset: settings.dataset, training, notice, ..Provenance::default() };
    Ok((model, provenance))
}

/// How the exported weights were trained: a manifest's `training`.
#[derive(Serialize)]
struct TrainingRecord {
    command: String,
    alpha: f64,
    warmup: usize,
    batch: usize,
    lr: f64,
    seed: u64,
    epochs: usize,
    steps: u64,
    seconds: f64,
    parameters: usize,
    validation: usize,
    rescale: Vec<(String, f64)>,
    init: Option<String>,
    refit: Option<String>,
    /// How the image decoder was trained: `likelihood` (JMVAE-kl alone) or `gan` (also
    /// against a discriminator, JMVAE-GAN), for the page to say which made its faces.
    decoder: &'static str,
    /// JMVAE-GAN: the discriminator and the weights of its terms.
    #[serde(skip_serializing_if = "Option::is_none")]
    gan: Option<crate::gan::GanSettings>,
    /// Whether training faces were flipped left-right at random.
    flip: bool,
    /// Folder datasets: how the folder was read (image size, likelihood, held-out test, seed).
    #[serde(skip_serializing_if = "Option::is_none")]
    folder: Option<crate::datasets::folder_recipe::FolderRecipe>,
    /// `latest`, or why the best checkpoint is the best.
    checkpoint: serde_json::Value,
}

/// The sampling settings a validation report chose (`jmvae eval --split validation --out`).
fn read_sampling(path: &Path) -> Result<Sampling> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read `{}`", path.display()))?;
    let report: serde_json::Value = serde_json::from_str(&text).with_context(|| format!("`{}` is not JSON", path.display()))?;
    if serde_json::from_value::<SplitName>(report["split"].clone()).ok() != Some(SplitName::Validation) {
        bail!("`{}` is not a validation report: the default temperature is chosen on validation, never on test", path.display());
    }
    serde_json::from_value(report["sampling"].clone())
        .with_context(|| format!("`{}` has no `sampling` (evaluate with --classifier to choose a temperature)", path.display()))
}
