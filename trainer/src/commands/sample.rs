//! `jmvae sample`: generate from a manifest's weights, as a PNG grid and raw JSON.

use anyhow::Result;
use jmvae::Manifest;
use serde_json::json;

use super::device;
use crate::atomic::write_json;
use crate::cli::SampleArgs;
use crate::datasets::{self, SampleRequest};
use crate::grid;

/// Run the command.
pub fn run(args: SampleArgs) -> Result<()> {
    let device = device();
    let (manifest, model) = Manifest::read(&args.manifest, &device)?;
    let kind = datasets::by_name(&manifest.dataset)?;
    let temperature = args.temperature.unwrap_or_else(|| manifest.default_temperature());
    let request = SampleRequest { label: args.label, attributes: &args.attributes, samples: args.samples, seed: args.seed, temperature };
    let drawn = kind.sample(&model, &request, &device)?;
    if let Some(path) = &args.png {
        match drawn.channels {
            1 => grid::save_grid(path, &drawn.images, drawn.rows, drawn.cols, drawn.side)?,
            _ => grid::save_colour_grid(path, &drawn.images, drawn.rows, drawn.cols, drawn.side)?,
        }
        eprintln!("wrote {}", path.display());
    }
    if let Some(path) = &args.json {
        let record = json!({"seed": args.seed, "samples": args.samples, "temperature": temperature, "outputs": drawn.outputs});
        write_json(path, &record)?;
        eprintln!("wrote {}", path.display());
    }
    Ok(())
}
