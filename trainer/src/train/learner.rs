//! What training changes, the weights, their optimisers and the run's progress: started
//! fresh (or from `--init` weights), or resumed exactly from the run's latest checkpoint.

use anyhow::{Result, bail};
use burn::optim::ModuleOptimizer;
use burn::tensor::Device;
use jmvae::{Jmvae, Manifest};

use crate::adam::adam;
use crate::checkpoint::{RunDir, TrainingState};
use crate::gan::Adversary;
use crate::run_settings::RunSettings;
use crate::seeds::{Stream, seed_for};

/// The weights being trained, their optimisers and the run's progress.
pub struct Learner {
    /// The model.
    pub model: Jmvae,
    /// Its Adam.
    pub optimizer: ModuleOptimizer,
    /// A JMVAE-GAN run's discriminator; none for JMVAE.
    pub adversary: Option<Adversary>,
    /// Epochs and steps done, and the seconds they took.
    pub state: TrainingState,
}

impl Learner {
    /// The run's latest checkpoint, or a fresh start (from the --init weights, if given).
    pub fn start_or_resume(run: &RunDir, settings: &RunSettings, device: &Device) -> Result<Self> {
        let (model, optimizer, state) = start_or_resume(run, settings, device)?;
        let adversary = start_or_resume_adversary(run, settings, state.epoch > 0, device)?;
        Ok(Self { model, optimizer, adversary, state })
    }
}

fn start_or_resume(run: &RunDir, settings: &RunSettings, device: &Device) -> Result<(Jmvae, ModuleOptimizer, TrainingState)> {
    let optimizer = adam();
    if run.latest()?.is_some() {
        let (model, state) = run.load_model(device)?;
        let optimizer = run.load_optimizer(optimizer)?;
        run.metrics().truncate(state.epoch)?;
        eprintln!("resuming `{}` after epoch {}", run.path.display(), state.epoch);
        return Ok((model, optimizer, state));
    }
    // Lines of epochs whose checkpoint never completed (a run stopped in its first epoch).
    run.metrics().truncate(0)?;
    device.seed(settings.seed);
    let model = match &settings.init {
        Some(manifest) => {
            let (loaded, model) = Manifest::read(std::path::Path::new(manifest), device)?;
            if loaded.config != settings.config {
                bail!("--init `{manifest}` has another model config than this run; fine-tune with the same networks");
            }
            eprintln!("starting from the weights of `{manifest}`");
            model
        }
        None => settings.config.init(device)?,
    };
    Ok((model, optimizer, TrainingState { epoch: 0, steps: 0, seconds: 0.0 }))
}

/// A JMVAE-GAN run's discriminator: the latest checkpoint's when the run was `resumed`, or
/// fresh; none for JMVAE.
fn start_or_resume_adversary(run: &RunDir, settings: &RunSettings, resumed: bool, device: &Device) -> Result<Option<Adversary>> {
    let Some(gan) = &settings.gan else { return Ok(None) };
    if resumed {
        return Ok(Some(run.load_adversary(gan, &settings.config, device)?));
    }
    device.seed(seed_for(settings.seed, Stream::Discriminator));
    Ok(Some(Adversary::new(gan, &settings.config, device)?))
}
