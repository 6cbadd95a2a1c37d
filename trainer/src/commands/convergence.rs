//! `jmvae convergence`: log p(x) and the effective sample size of its importance weights at
//! each K of a list, for the q(z|x) and q(z|x,w) proposals, so that a comparison of two
//! log p(x) figures can be read against the estimator's own bias.

use std::time::Instant;

use anyhow::{Result, bail};
use jmvae::Jmvae;
use serde::Serialize;

use super::{device, load_evaluated};
use crate::atomic::write_atomic;
use crate::cli::{ConvergenceArgs, ProposalChoice};
use crate::datasets::{self, DataArgs};
use crate::examples::SplitName;
use crate::metrics::convergence::{Draws, Point, SAMPLES_PER_CHUNK, nested_estimates, summarise};
use crate::modalities::IMAGE;
use crate::seeds::{Stream, seed_for};

/// The modality whose marginal log p(x) is estimated.
const TARGET: &str = IMAGE;

/// One proposal's curve over K.
#[derive(Clone, Debug, Serialize)]
pub struct Curve {
    /// `q(z|x)` or `q(z|x,w)`.
    pub proposal: String,
    /// The modalities the proposal's encoders are given (all of them, for the mixture).
    pub given: Vec<String>,
    /// The seed of its samples.
    pub seed: u64,
    /// One point per K.
    pub points: Vec<Point>,
}

/// Everything `jmvae convergence` reports.
#[derive(Clone, Debug, Serialize)]
pub struct ConvergenceReport {
    /// The command line that produced it.
    pub command: String,
    /// Wall-clock seconds, loading included.
    pub seconds: f64,
    /// The manifest's name, or the run directory.
    pub model: String,
    /// The split estimated on.
    pub split: SplitName,
    /// Examples estimated on.
    pub examples: usize,
    /// The K list.
    pub ks: Vec<usize>,
    /// Samples drawn per example at a time (the draws depend on it, the estimator does not).
    pub samples_per_chunk: usize,
    /// One curve per proposal.
    pub curves: Vec<Curve>,
}

/// A proposal to run: its name, the modalities given to each of its components (one, or two
/// for the mixture), and the seed stream of its samples.
struct Proposal {
    name: &'static str,
    components: Vec<Vec<String>>,
    stream: Stream,
}

/// Run the command.
pub fn run(args: ConvergenceArgs) -> Result<()> {
    let started = Instant::now();
    if args.limit == 0 {
        bail!("--limit 0 leaves no example to estimate on; give at least 1");
    }
    let device = device();
    let loaded = load_evaluated(&args.model, &device)?;
    let proposals = proposals(&loaded.model, args.proposal)?;
    let validation = loaded.validation.filter(|&n| n > 0).unwrap_or(args.validation);
    let data = DataArgs { folder: loaded.folder.clone(), ..args.location.clone() };
    let split = datasets::by_name(&loaded.dataset)?.examples(&data, args.split, validation, args.limit)?;
    let ks = &args.k.0;
    let mut curves = Vec::new();
    for p in &proposals {
        let components: Vec<Vec<&str>> = p.components.iter().map(|c| c.iter().map(String::as_str).collect()).collect();
        let components: Vec<&[&str]> = components.iter().map(Vec::as_slice).collect();
        let seed = seed_for(args.seed, p.stream);
        let draws = Draws { ks, samples_per_chunk: SAMPLES_PER_CHUNK, seed };
        let estimates = nested_estimates(&loaded.model, split.as_ref(), &components, TARGET, draws, &device)?;
        let given = p.components.last().expect("one component at least").clone();
        curves.push(Curve { proposal: p.name.into(), given, seed, points: summarise(ks, &estimates) });
    }
    let report = ConvergenceReport {
        command: command_line(),
        seconds: started.elapsed().as_secs_f64(),
        model: loaded.name,
        split: args.split,
        examples: split.len(),
        ks: ks.clone(),
        samples_per_chunk: SAMPLES_PER_CHUNK.min(*ks.last().expect("parse_ks refuses an empty list")),
        curves,
    };
    let table = markdown(&report);
    println!("{table}");
    let mut json = serde_json::to_string_pretty(&report)?;
    json.push('\n');
    write_atomic(&args.out, json.as_bytes())?;
    write_atomic(&args.out.with_extension("md"), table.as_bytes())
}

/// The proposals asked for, refused when the model lacks their encoder.
fn proposals(model: &Jmvae, choice: ProposalChoice) -> Result<Vec<Proposal>> {
    let config = &model.config;
    config.index_of(TARGET)?;
    let flag = format!("--proposal {}", format!("{choice:?}").to_lowercase());
    let mut out = Vec::new();
    if matches!(choice, ProposalChoice::Image | ProposalChoice::Both | ProposalChoice::All | ProposalChoice::Mixture) {
        if !config.conditions.is_empty() {
            bail!("{flag} needs q(z|x), but this is a CVAE: its only encoder is q(z|x,w); use --proposal joint");
        }
        // JMVAE-zero's only encoder is the joint one: fed a zero label, it is not q(z|x).
        if config.modalities.len() > 1 && model.unimodal_encoders.is_empty() {
            bail!("{flag} needs q(z|x), but this model has no unimodal encoders (JMVAE-zero); use --proposal joint");
        }
        out.push(Proposal { name: "q(z|x)", components: vec![vec![TARGET.into()]], stream: Stream::ImageProposal });
    }
    if matches!(choice, ProposalChoice::Joint | ProposalChoice::Both | ProposalChoice::All | ProposalChoice::Mixture) {
        if config.modalities.len() < 2 {
            bail!("{flag} needs q(z|x,w), but this model has only the `{TARGET}` modality (a VAE); use --proposal image");
        }
        let all = config.modalities.iter().map(|m| m.name.clone()).collect();
        // A CVAE's image decoder reads w: what it estimates is log p(x|w).
        let name = if config.conditions.is_empty() { "q(z|x,w)" } else { "q(z|x,w), CVAE: log p(x|w)" };
        out.push(Proposal { name, components: vec![all], stream: Stream::JointProposal });
    }
    if matches!(choice, ProposalChoice::Mixture | ProposalChoice::All) {
        // Checked above: the model has both encoders. The mixture alone drops the other two.
        let components = out.iter().flat_map(|p| p.components.clone()).collect();
        if choice == ProposalChoice::Mixture {
            out.clear();
        }
        out.push(Proposal { name: "½ q(z|x) + ½ q(z|x,w)", components, stream: Stream::MixtureProposal });
    }
    Ok(out)
}

/// This process's command line, as `jmvae ARGS` (arguments with spaces quoted).
fn command_line() -> String {
    let args = std::env::args().skip(1).map(|a| if a.contains([' ', '"', '\'']) { format!("'{a}'") } else { a });
    std::iter::once("jmvae".to_string()).chain(args).collect::<Vec<_>>().join(" ")
}

/// The report as a Markdown page: what ran, how long it took, and one row per proposal and K.
pub fn markdown(report: &ConvergenceReport) -> String {
    let largest = report.ks.last().copied().unwrap_or(0);
    let mut out = format!(
        "# Convergence of the importance-sampled log p(x) with K\n\n\
         `{}`\n\n\
         Model `{}`, the first {} {} examples; {:.0} s ({:.1} min) wall-clock, loading included.\n\n\
         | proposal | K | log p(x) | s.e. | minus K = {largest} (paired) | ESS median | ESS p10 | ESS p90 | median ESS / K |\n\
         |---|---:|---:|---:|---:|---:|---:|---:|---:|\n",
        report.command,
        report.model,
        report.examples,
        report.split,
        report.seconds,
        report.seconds / 60.0
    );
    for curve in &report.curves {
        for p in &curve.points {
            out.push_str(&format!(
                "| {} | {} | {:.2} | {:.2} | {:+.3} ± {:.3} | {:.1} | {:.1} | {:.1} | {:.3} |\n",
                curve.proposal,
                p.k,
                p.log_px,
                p.standard_error,
                p.below_largest_k,
                p.below_largest_k_standard_error,
                p.ess_median,
                p.ess_p10,
                p.ess_p90,
                p.ess_median_over_k
            ));
        }
    }
    out.push_str(&format!(
        "\nlog p(x): mean over the examples of log (1/K) Σ w_k, w_k = p(x|z_k) p(z_k) / q(z_k|·); s.e.: \
         its standard error over the examples. Minus K = {largest}: the mean per-example difference \
         from the estimate at K = {largest}, which uses the same samples (the first K of them), so its \
         standard error is that of the paired difference. ESS = (Σw)² / Σw² of one example's K \
         weights (1: one sample carries all the weight; K: all count equally), its median and 10th \
         / 90th percentiles over the examples. The samples of each example are drawn {} at a time.\n",
        report.samples_per_chunk
    ));
    out
}
