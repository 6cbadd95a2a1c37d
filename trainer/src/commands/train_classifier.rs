//! `jmvae train-classifier`: train the dataset's judge of coherence on real data.

use anyhow::Result;

use super::device;
use crate::cli::TrainClassifierArgs;
use crate::datasets::{self, JudgeRequest};

/// Run the command.
pub fn run(args: TrainClassifierArgs) -> Result<()> {
    let kind = datasets::by_name(&args.dataset.dataset)?;
    let mut data = args.dataset.location.clone();
    data.folder = args.dataset.folder.recipe(&args.dataset.dataset, args.seed)?;
    let request = JudgeRequest { data: &data, epochs: args.epochs, seed: args.seed, limit: args.limit, out: &args.out };
    println!("{}", kind.train_judge(&request, &device())?);
    Ok(())
}
