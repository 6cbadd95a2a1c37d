//! `jmvae eval`: every metric that applies, on a run's checkpoint or an exported manifest.

use anyhow::{Result, bail};
use jmvae::infer::Temperature;

use super::{device, load_evaluated};
use crate::atomic::write_atomic;
use crate::cli::EvalArgs;
use crate::datasets::{self, DataArgs, EvalRequest, Options};

/// Run the command.
pub fn run(args: EvalArgs) -> Result<()> {
    if args.k == 0 {
        bail!("-k must be at least 1");
    }
    let device = device();
    let loaded = load_evaluated(&args.model, &device)?;
    let (dataset, model, recorded, sampling) = (loaded.dataset, loaded.model, loaded.validation, loaded.temperature);
    let kind = datasets::by_name(&dataset)?;
    if !args.judges.is_empty() && kind.name() != "folder" {
        bail!("--judge NAME=PATH judges an image modality of a folder dataset; this model was trained on {dataset}: give its judge with --classifier");
    }
    let temperature = args.temperature.or(sampling).unwrap_or(Temperature::ONE);
    // A folder is read as it was in training: the same size, likelihood and held-out draw.
    let data = DataArgs { folder: loaded.folder, ..args.location.clone() };
    let request = EvalRequest {
        data: &data,
        judge: args.classifier.as_deref(),
        judges: &args.judges,
        reconstructions: args.reconstructions.as_deref(),
        limit: args.limit,
        validation: recorded.filter(|&n| n > 0).unwrap_or(args.validation),
        options: Options { k: args.k, seed: args.seed, temperature, split: args.split },
    };
    let report = kind.evaluate(&model, &request, &device)?;
    let table = report.markdown();
    println!("{table}");
    if let Some(out) = &args.out {
        let mut json = report.to_json()?;
        json.push('\n');
        write_atomic(out, json.as_bytes())?;
        write_atomic(&out.with_extension("md"), table.as_bytes())?;
    }
    Ok(())
}
