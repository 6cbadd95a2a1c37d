//! `jmvae train`: check the flags, load the data, create or resume the run, train.

use std::path::Path;

use anyhow::{Context, Result, bail};

use super::device;
use super::train_flags::TrainFlags;
use crate::checkpoint::RunDir;
use crate::cli::TrainArgs;
use crate::datasets;
use crate::run_settings::RunSettings;
use crate::train::train;

/// Run the command.
pub fn run(args: TrainArgs) -> Result<()> {
    let flags = TrainFlags::check(args)?;
    let args = &flags.args;
    let kind = datasets::by_name(&args.dataset.dataset)?;
    // Read the data before touching the run directory, so a bad --data leaves no trace.
    let (splits, config) = kind.load_training(&args.dataset.location, args.validation, args.limit)?;
    let settings = flags.settings(kind, config)?;
    let run = RunDir::new(&args.out);
    // Weights to start from are checked before the run directory is created, too.
    if let (Some(init), false) = (&settings.init, run.exists()) {
        jmvae::Manifest::read(Path::new(init), &device()).with_context(|| format!("--init `{init}`"))?;
    }
    let settings = prepare_run(&run, settings, args.resume)?;
    train(&run, &settings, kind, &splits, args.epochs, flags.monitor(), &flags.compute)
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
