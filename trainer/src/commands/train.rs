//! `jmvae train`: check the flags, load the data, create or resume the run, train.

use anyhow::{Context, Result, bail};
use jmvae::{ModalityKind, ModelConfig, Objective};

use super::{compute_device, device};
use crate::checkpoint::{RUN_FORMAT, RunDir, RunSettings};
use crate::cli::{DEFAULT_ALPHA, Preset, TrainArgs};
use crate::datasets;
use crate::datasets::Monitor;
use crate::gan::{DEFAULT_ADVERSARIAL, DEFAULT_DISCRIMINATOR_LR, DEFAULT_FEATURE_MATCHING, GanSettings};
use crate::train::train;

/// Run the command.
pub fn run(args: TrainArgs) -> Result<()> {
    let alpha = alpha(&args)?;
    // The device starts before anything is read or written, so a missing GPU costs nothing.
    let compute = compute_device(args.device)?;
    if args.batch == 0 {
        bail!("--batch must be at least 1");
    }
    if !(args.lr > 0.0) {
        bail!("--lr must be positive, got {}", args.lr);
    }
    if args.eval_k == 0 {
        bail!("--eval-k must be at least 1");
    }
    let rescale = args.rescale.iter().map(|pair| parse_rescale(pair)).collect::<Result<Vec<_>>>()?;
    let kind = datasets::by_name(&args.dataset.dataset)?;
    // Read the data before touching the run directory, so a bad --data leaves no trace.
    let (splits, config) = kind.load_training(&args.dataset.location, args.validation, args.limit)?;
    let config = model_config(config, &args, alpha)?;
    for (name, _) in &rescale {
        let m = config.index_of(name).context("--rescale")?;
        if config.is_condition(m) {
            bail!("--rescale {name}: this CVAE is given `{name}`, it does not generate it, so there is no likelihood of it to weigh");
        }
    }
    if let Some(name) = &args.refit {
        config.index_of(name).context("--refit")?;
        if !config.unimodal_encoders {
            bail!("--refit {name}: this model has no unimodal encoders (alpha = 0); refit a JMVAE-kl model");
        }
    }
    let gan = if args.gan {
        let weights = (args.gan_weight.unwrap_or(DEFAULT_ADVERSARIAL), args.feature_weight.unwrap_or(DEFAULT_FEATURE_MATCHING));
        if args.refit.is_some() {
            bail!("--gan with --refit: a refit trains one encoder and leaves the decoder, which the GAN trains, as it is");
        }
        Some(GanSettings::new(&config, weights.0, weights.1, args.gan_lr.unwrap_or(DEFAULT_DISCRIMINATOR_LR)).context("--gan")?)
    } else {
        None
    };
    if args.flip {
        let image = config.modality("image").context("--flip")?;
        if image.kind != ModalityKind::ColourImage {
            bail!("--flip mirrors faces; a mirrored digit is another glyph (or none), so this dataset's images are not flipped");
        }
    }
    let settings = RunSettings {
        format: RUN_FORMAT,
        dataset: kind.name().into(),
        model: format!("{:?}", args.model).to_lowercase(),
        config,
        alpha,
        warmup: args.warmup,
        batch: args.batch,
        lr: args.lr,
        seed: args.seed,
        command: std::env::args().collect::<Vec<_>>().join(" "),
        validation: args.validation,
        rescale,
        init: args.init.map(|p| p.display().to_string()),
        refit: args.refit,
        gan,
        flip: args.flip,
    };
    // A config the model would refuse is refused here, before the run directory exists.
    settings.config.validate()?;
    let run = RunDir::new(&args.out);
    // Weights to start from are checked before the run directory is created, too.
    if let (Some(init), false) = (&settings.init, run.exists()) {
        jmvae::Manifest::read(std::path::Path::new(init), &device()).with_context(|| format!("--init `{init}`"))?;
    }
    let settings = prepare_run(&run, settings, args.resume)?;
    let monitor = Monitor { every: args.eval_every, k: args.eval_k, examples: args.eval_examples };
    train(&run, &settings, kind, &splits, args.epochs, monitor, &compute)
}

/// α: the flag or its default for JMVAE; 0 for the VAE and the CVAE, which refuse the flag
/// rather than ignore it.
fn alpha(args: &TrainArgs) -> Result<f64> {
    match (args.model, args.alpha) {
        (Preset::Jmvae, alpha) => {
            let alpha = alpha.unwrap_or(DEFAULT_ALPHA);
            Objective::jmvae_kl(alpha).context("--alpha")?;
            Ok(alpha)
        }
        (_, None) => Ok(0.0),
        (model, Some(alpha)) => bail!(
            "--alpha {alpha}: the {} has no unimodal encoders for α to tie to q(z|x,w); leave --alpha out",
            format!("{model:?}").to_uppercase()
        ),
    }
}

/// The dataset's default model, shaped by the flags: the preset, α and the image's σ.
fn model_config(mut config: ModelConfig, args: &TrainArgs, alpha: f64) -> Result<ModelConfig> {
    if let Some(sigma) = args.image_sigma {
        let image = config.modality_mut("image").context("--image-sigma")?;
        if image.kind != ModalityKind::ColourImage {
            bail!("--image-sigma sets the σ of a colour image's Gaussian likelihood; this dataset's images are binary");
        }
        image.sigma = sigma;
    }
    Ok(match args.model {
        Preset::Jmvae => ModelConfig { unimodal_encoders: alpha > 0.0, ..config },
        Preset::Vae => {
            config.modalities.retain(|m| m.name == "image");
            ModelConfig { unimodal_encoders: false, ..config }
        }
        Preset::Cvae => {
            // The image is generated from everything else: a label, or a face's attributes.
            let conditions = config.modalities.iter().filter(|m| m.name != "image").map(|m| m.name.clone()).collect();
            ModelConfig { unimodal_encoders: false, conditions, ..config }
        }
    })
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

/// Create a new run, or check that a resumed one has the same settings.
fn prepare_run(run: &RunDir, settings: RunSettings, resume: bool) -> Result<RunSettings> {
    if run.exists() {
        if !resume {
            bail!("`{}` already holds a run; pass --resume to continue it or choose another --out", run.path.display());
        }
        let stored = run.settings()?;
        match (&stored.gan, &settings.gan) {
            (Some(_), None) => bail!(
                "`{}` is a JMVAE-GAN run (its decoder trains against a discriminator); resume it with --gan, or start a plain run in another --out",
                run.path.display()
            ),
            (None, Some(_)) => bail!(
                "`{}` is a plain JMVAE run; --gan cannot be added on resume. Start a GAN run from its weights instead: \
                 `jmvae export --run {}` then `jmvae train --gan --init MANIFEST --out NEW`",
                run.path.display(),
                run.path.display()
            ),
            _ => {}
        }
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
