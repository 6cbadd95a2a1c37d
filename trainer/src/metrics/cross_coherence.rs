//! Cross-modal coherence (MMVAE's, for any number of modalities): each modality alone is
//! encoded by its unimodal encoder, one latent is drawn per example, every other modality is
//! decoded from it and read as a class, by a judge for an image or by the model's own p(t|z)
//! for a categorical modality, and compared with the example's class.

use anyhow::Result;
use burn::tensor::{Device, Tensor};
use jmvae::infer::{Temperature, decode_all};
use jmvae::{Jmvae, ModalityKind, SeededRng};
use serde::Serialize;

use crate::batch::chunks;
use crate::examples::Examples;
use crate::judges::digits::Classifier;
use crate::modalities::is_image;

/// Examples encoded and decoded at once, to bound memory.
const CHUNK: usize = 1000;

/// Who read the class of a direction's generated modality.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum JudgedBy {
    /// The judge of an image modality (`--classifier`, `--judge NAME=PATH`).
    Judge,
    /// The model itself: argmax p(t|z) of a categorical modality.
    Model,
}

/// The coherence of one direction, from a source modality to a target.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Direction {
    /// The modality encoded.
    pub from: String,
    /// The modality generated from it.
    pub to: String,
    /// The share of examples whose generated target is read as their class.
    pub coherence: f64,
    /// Who read it.
    pub judged_by: JudgedBy,
}

/// A modality that can be generated and read as a class.
struct Target<'a> {
    /// Its index in the model.
    index: usize,
    /// The categorical modality holding the class it is compared with.
    truth: &'a str,
    /// Its judge, for an image; none for a categorical modality, read by the model.
    judge: Option<&'a Classifier>,
}

impl Target<'_> {
    /// The class read from each row of the generated modality (probabilities or intensities).
    fn read(&self, generated: Tensor<2>) -> Vec<usize> {
        match self.judge {
            Some(judge) => judge.predict(generated),
            None => classes(generated),
        }
    }
}

/// The argmax of each row.
fn classes(values: Tensor<2>) -> Vec<usize> {
    values.argmax(1).into_data().iter::<i64>().map(|c| c as usize).collect()
}

/// The targets of `model` that can be read: each image modality with a judge in `judges`
/// (compared with `label`), and each categorical modality (compared with its own value, which
/// for `label` is the label).
fn targets<'a>(model: &'a Jmvae, judges: &'a [(String, Classifier)], label: &'a str) -> Vec<Target<'a>> {
    let judge_of = |name: &str| judges.iter().find(|(n, _)| n == name).map(|(_, j)| j);
    let read = |(index, m): (usize, &'a jmvae::ModalityConfig)| match m.kind {
        ModalityKind::Categorical => Some(Target { index, truth: m.name.as_str(), judge: None }),
        ref kind if is_image(kind) => judge_of(&m.name).map(|judge| Target { index, truth: label, judge: Some(judge) }),
        _ => None,
    };
    model.config.modalities.iter().enumerate().filter_map(read).collect()
}

/// Coherence of every direction from one modality of `model` to another that can be read
/// (see [`targets`]), on every example of `split`: one latent per example from the source's
/// q(z|s) at `temperature`, the noise drawn from `seed` (the same for every source, so that
/// directions differ by their encoders only).
pub fn cross_coherence(
    model: &Jmvae,
    split: &dyn Examples,
    judges: &[(String, Classifier)],
    label: &str,
    temperature: Temperature,
    seed: u64,
    device: &Device,
) -> Result<Vec<Direction>> {
    let targets = targets(model, judges, label);
    let mut directions = Vec::new();
    for (s, source) in model.config.modalities.iter().enumerate() {
        let correct = from_source(model, split, s, &targets, temperature, seed, device)?;
        for (target, correct) in targets.iter().zip(correct).filter(|(t, _)| t.index != s) {
            directions.push(Direction {
                from: source.name.clone(),
                to: model.config.modalities[target.index].name.clone(),
                coherence: correct as f64 / split.len().max(1) as f64,
                judged_by: if target.judge.is_some() { JudgedBy::Judge } else { JudgedBy::Model },
            });
        }
    }
    Ok(directions)
}

/// Per target, the examples of `split` whose target generated from modality `s` alone is read
/// as their class.
fn from_source(model: &Jmvae, split: &dyn Examples, s: usize, targets: &[Target], temperature: Temperature, seed: u64, device: &Device) -> Result<Vec<usize>> {
    let source = model.config.modalities[s].name.as_str();
    // One generator in example order, so that an example's latent does not depend on its chunk.
    let mut rng = SeededRng::new(seed);
    let mut correct = vec![0; targets.len()];
    for indices in chunks(split.len(), CHUNK) {
        let batch = split.inputs(&indices, device);
        let given = batch.given(&model.config, &[source])?;
        let q = model.posterior(&given)?;
        let [rows, latent] = q.mean.dims();
        let z = q.sample(rng.noise(rows, latent, device).mul_scalar(temperature.value()));
        let generated = decode_all(model, z, &given)?;
        for (count, target) in correct.iter_mut().zip(targets).filter(|(_, t)| t.index != s) {
            let truth = classes(batch.get(target.truth)?);
            *count += target.read(generated[target.index].clone()).iter().zip(&truth).filter(|(p, t)| p == t).count();
        }
    }
    Ok(correct)
}

/// The directions as a Markdown matrix, sources down and targets across, with the judges'
/// accuracy on the split's real images (the ceiling) under their targets.
pub fn table(directions: &[Direction], ceilings: &[(String, f64)], temperature: f32) -> String {
    let mut sources: Vec<&str> = Vec::new();
    let mut columns: Vec<&str> = Vec::new();
    for d in directions {
        for (list, name) in [(&mut sources, d.from.as_str()), (&mut columns, d.to.as_str())] {
            if !list.contains(&name) {
                list.push(name);
            }
        }
    }
    // The sources come in the model's order; the targets follow it.
    columns.sort_by_key(|c| sources.iter().position(|s| s == c).unwrap_or(sources.len()));
    let mut out = format!("| cross-modal coherence, from \\ to (τ = {temperature}) | {} |\n|---|{}\n", columns.join(" | "), "---:|".repeat(columns.len()));
    let percent = |v: Option<f64>| v.map_or(String::new(), |v| format!("{:.1} %", v * 100.0));
    for from in &sources {
        let cells: Vec<String> = columns.iter().map(|to| percent(directions.iter().find(|d| d.from == *from && d.to == *to).map(|d| d.coherence))).collect();
        out.push_str(&format!("| {from} | {} |\n", cells.join(" | ")));
    }
    if !ceilings.is_empty() {
        let cells: Vec<String> = columns.iter().map(|to| percent(ceilings.iter().find(|(n, _)| n.as_str() == *to).map(|(_, a)| *a))).collect();
        out.push_str(&format!("| judge on the real images (ceiling) | {} |\n", cells.join(" | ")));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn direction(from: &str, to: &str, coherence: f64) -> Direction {
        Direction { from: from.into(), to: to.into(), coherence, judged_by: JudgedBy::Model }
    }

    #[test]
    fn the_table_puts_sources_down_targets_across_and_the_ceiling_under_its_target() {
        let directions = [direction("image", "label", 0.9), direction("fashion", "image", 0.5), direction("fashion", "label", 0.75), direction("label", "image", 0.25)];
        let table = table(&directions, &[("image".into(), 0.98)], 1.0);
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(lines[0], "| cross-modal coherence, from \\ to (τ = 1) | image | label |");
        assert_eq!(lines[2], "| image |  | 90.0 % |");
        assert_eq!(lines[3], "| fashion | 50.0 % | 75.0 % |");
        assert_eq!(lines[4], "| label | 25.0 % |  |");
        assert_eq!(lines[5], "| judge on the real images (ceiling) | 98.0 % |  |");
    }
}
