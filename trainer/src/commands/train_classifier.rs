//! `jmvae train-classifier`: train the dataset's judge of coherence on real data.

use anyhow::{Result, bail};

use super::device;
use crate::cli::TrainClassifierArgs;
use crate::datasets::{self, JudgeRequest};

/// Run the command.
pub fn run(args: TrainClassifierArgs) -> Result<()> {
    let kind = datasets::by_name(&args.dataset.dataset)?;
    // Refused rather than ignored: a judge of another modality than asked would judge the wrong images.
    if let (Some(name), false) = (&args.modality, kind.name() == "folder") {
        bail!("--modality {name} applies to `--dataset folder` only; {}'s judge reads its one image modality, `image`", kind.name());
    }
    let mut data = args.dataset.location.clone();
    data.folder = args.dataset.folder.recipe(&args.dataset.dataset, args.seed)?;
    let request = JudgeRequest { data: &data, epochs: args.epochs, seed: args.seed, limit: args.limit, modality: args.modality.as_deref(), out: &args.out };
    println!("{}", kind.train_judge(&request, &device())?);
    Ok(())
}
