//! `jmvae train`'s flags turned into a run's settings, every refusal in one place: first the
//! flags on their own (and the device they name, started), then the flags that shape the
//! model against the dataset's default model, once its data has loaded.

use anyhow::{Context, Result, bail};
use burn::tensor::Device;
use jmvae::{ModalityKind, ModelConfig, Objective};

use super::compute_device;
use crate::cli::{DEFAULT_ALPHA, Preset, TrainArgs};
use crate::datasets::{DatasetKind, Monitor};
use crate::gan::GanSettings;
use crate::modalities::IMAGE;
use crate::run_settings::{RUN_FORMAT, RunSettings};

/// `jmvae train`'s flags, each checked on its own, with the device they name started.
pub struct TrainFlags {
    /// The flags as parsed.
    pub args: TrainArgs,
    /// α: the flag, its default, or 0 for the models without unimodal encoders.
    pub alpha: f64,
    /// The device `--device` names, started and checked.
    pub compute: Device,
    /// `--rescale`'s pairs, parsed.
    pub rescale: Vec<(String, f64)>,
}

impl TrainFlags {
    /// Check the flags that need no data, in the order their refusals have always come.
    pub fn check(mut args: TrainArgs) -> Result<Self> {
        let alpha = alpha(&args)?;
        args.dataset.location.folder = args.dataset.folder.recipe(&args.dataset.dataset, args.seed)?;
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
        Ok(Self { args, alpha, compute, rescale })
    }

    /// The run's settings on the dataset `kind`, whose default model is `config`: the model
    /// the flags shape from it, refused where a flag cannot apply to it.
    pub fn settings(&self, kind: &dyn DatasetKind, config: ModelConfig) -> Result<RunSettings> {
        let args = &self.args;
        let config = model_config(config, args, self.alpha)?;
        check_rescale(&config, &self.rescale)?;
        check_refit(&config, args.refit.as_deref())?;
        let gan = self.gan(&config)?;
        check_flip(&config, args.flip)?;
        let folder = args.dataset.location.folder.clone().map(|recipe| recipe.resolved(&config));
        let settings = RunSettings {
            format: RUN_FORMAT,
            dataset: kind.name().into(),
            model: format!("{:?}", args.model).to_lowercase(),
            config,
            alpha: self.alpha,
            warmup: args.warmup,
            batch: args.batch,
            lr: args.lr,
            seed: args.seed,
            command: std::env::args().collect::<Vec<_>>().join(" "),
            validation: args.validation,
            rescale: self.rescale.clone(),
            init: args.init.as_ref().map(|p| p.display().to_string()),
            refit: args.refit.clone(),
            gan,
            flip: args.flip,
            folder,
        };
        // A config the model would refuse is refused here, before the run directory exists.
        settings.config.validate()?;
        Ok(settings)
    }

    /// How often and how hard training watches the monitored split.
    pub fn monitor(&self) -> Monitor {
        Monitor { every: self.args.eval_every, k: self.args.eval_k, examples: self.args.eval_examples }
    }

    /// The discriminator and its weights with `--gan`, for a model of `config`.
    fn gan(&self, config: &ModelConfig) -> Result<Option<GanSettings>> {
        let args = &self.args;
        if !args.gan {
            return Ok(None);
        }
        if args.refit.is_some() {
            bail!("--gan with --refit: a refit trains one encoder and leaves the decoder, which the GAN trains, as it is");
        }
        Ok(Some(GanSettings::new(config, args.gan_weight, args.feature_weight, args.gan_lr).context("--gan")?))
    }
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

/// `NAME=W` from `--rescale`: a modality name and a positive weight.
fn parse_rescale(pair: &str) -> Result<(String, f64)> {
    let (name, weight) = pair.split_once('=').with_context(|| format!("--rescale `{pair}`: write NAME=WEIGHT, e.g. label=20"))?;
    let weight: f64 = weight.trim().parse().with_context(|| format!("--rescale `{pair}`: `{weight}` is not a number"))?;
    if !(weight > 0.0 && weight.is_finite()) {
        bail!("--rescale `{pair}`: the weight must be positive");
    }
    Ok((name.trim().to_string(), weight))
}

/// The dataset's default model, shaped by the flags: the preset, α and the image's σ.
fn model_config(mut config: ModelConfig, args: &TrainArgs, alpha: f64) -> Result<ModelConfig> {
    if let Some(sigma) = args.image_sigma {
        let image = config.modality_mut(IMAGE).context("--image-sigma")?;
        if image.kind != ModalityKind::ColourImage {
            bail!("--image-sigma sets the σ of a colour image's Gaussian likelihood; this dataset's images are binary");
        }
        image.sigma = sigma;
    }
    Ok(match args.model {
        Preset::Jmvae => ModelConfig { unimodal_encoders: alpha > 0.0, ..config },
        Preset::Vae => {
            config.modalities.retain(|m| m.name == IMAGE);
            ModelConfig { unimodal_encoders: false, ..config }
        }
        Preset::Cvae => {
            // The image is generated from everything else: a label, or a face's attributes.
            let conditions = config.modalities.iter().filter(|m| m.name != IMAGE).map(|m| m.name.clone()).collect();
            ModelConfig { unimodal_encoders: false, conditions, ..config }
        }
    })
}

/// `--rescale`: each name a modality the model generates, so that it has a likelihood to weigh.
fn check_rescale(config: &ModelConfig, rescale: &[(String, f64)]) -> Result<()> {
    for (name, _) in rescale {
        let m = config.index_of(name).context("--rescale")?;
        if config.is_condition(m) {
            bail!("--rescale {name}: this CVAE is given `{name}`, it does not generate it, so there is no likelihood of it to weigh");
        }
    }
    Ok(())
}

/// `--refit NAME`: a modality with a unimodal encoder to refit.
fn check_refit(config: &ModelConfig, refit: Option<&str>) -> Result<()> {
    let Some(name) = refit else { return Ok(()) };
    config.index_of(name).context("--refit")?;
    if !config.unimodal_encoders {
        bail!("--refit {name}: this model has no unimodal encoders (alpha = 0); refit a JMVAE-kl model");
    }
    Ok(())
}

/// `--flip`: only colour faces, whose mirror image is still a face with the same attributes.
fn check_flip(config: &ModelConfig, flip: bool) -> Result<()> {
    if flip {
        let image = config.modality(IMAGE).context("--flip")?;
        if image.kind != ModalityKind::ColourImage {
            bail!("--flip mirrors faces; a mirrored digit is another glyph (or none), so this dataset's images are not flipped");
        }
    }
    Ok(())
}
