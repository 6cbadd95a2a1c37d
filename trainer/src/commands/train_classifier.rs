//! `jmvae train-classifier`: train the dataset's judge of coherence on real data.

use anyhow::Result;

use super::device;
use crate::cli::TrainClassifierArgs;
use crate::datasets::{self, JudgeRequest};

/// Run the command.
pub fn run(args: TrainClassifierArgs) -> Result<()> {
    let kind = datasets::by_name(&args.dataset.dataset)?;
    let request = JudgeRequest { data: &args.dataset.location, epochs: args.epochs, seed: args.seed, limit: args.limit, out: &args.out };
    println!("{}", kind.train_judge(&request, &device())?);
    Ok(())
}
