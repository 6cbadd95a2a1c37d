//! Likelihoods: importance-sampled log-marginals (the paper's log p(x), log p(x,w), log p(w)),
//! and the one-sample bounds the training loop watches.

use anyhow::Result;
use burn::tensor::{Device, Tensor};
use jmvae::marginal_likelihood::{log_marginal, log_marginal_from_prior, logsumexp};
use jmvae::objective::unimodal_elbo;
use jmvae::{Jmvae, Objective, SeededRng, Terms};

use super::{ROWS_PER_CALL, progress};
use crate::batch::chunks;
use crate::examples::Examples;
use crate::seeds::{Stream, seed_for};

/// The positions of the modalities called `names` in the model's config.
fn positions(model: &Jmvae, names: &[&str]) -> Result<Vec<usize>> {
    Ok(names.iter().map(|n| model.config.index_of(n)).collect::<Result<_, _>>()?)
}

/// Mean over `split` of log p(T) for each target set T (modality names), with the posterior
/// of the `proposal` modalities; the sets share one pass of `k` samples per example.
pub fn mean_log_marginals(
    model: &Jmvae,
    split: &dyn Examples,
    proposal: &[&str],
    target_sets: &[&[&str]],
    k: usize,
    seed: u64,
    device: &Device,
) -> Result<Vec<f64>> {
    let targets = target_sets.iter().map(|t| positions(model, t)).collect::<Result<Vec<_>>>()?;
    let targets: Vec<&[usize]> = targets.iter().map(Vec::as_slice).collect();
    let mut rng = SeededRng::new(seed);
    let mut totals = vec![0.0; target_sets.len()];
    let bar = progress(split.len(), "log p");
    for indices in chunks(split.len(), (ROWS_PER_CALL / k).max(1)) {
        let batch = split.inputs(&indices, device);
        let data = batch.for_model(&model.config)?;
        let given = batch.given(&model.config, proposal)?;
        let values = log_marginal(model, &given, &data, &targets, k, &mut rng)?;
        for (total, v) in totals.iter_mut().zip(values) {
            *total += v.sum().into_scalar::<f64>();
        }
        bar.inc(indices.len() as u64);
    }
    bar.finish_and_clear();
    Ok(totals.into_iter().map(|t| t / split.len() as f64).collect())
}

/// A CVAE's reading of its condition `label` (categorical) from the rest, by Bayes' rule with
/// p(w) uniform (a CVAE does not model w): log p(w|x) = log p(x|w) - log Σ_w' p(x|w'), each
/// log p(x|w') importance-sampled with `k` draws of q(z|x,w').
pub fn cvae_label_posterior(model: &Jmvae, split: &dyn Examples, label: &str, k: usize, seed: u64, device: &Device) -> Result<LabelPosterior> {
    let w = model.config.index_of(label)?;
    let classes = model.config.modalities[w].size();
    let targets = model.config.generated();
    let mut rng = SeededRng::new(seed);
    let (mut log_posterior, mut log_px, mut correct) = (0.0, 0.0, 0usize);
    let bar = progress(split.len(), "p(w|x)");
    for indices in chunks(split.len(), (ROWS_PER_CALL / (k * classes)).max(1)) {
        let batch = split.inputs(&indices, device);
        let mut data = batch.for_model(&model.config)?;
        let truth = data[w].clone().argmax(1);
        // log p(x|w') for every class w': [rows, classes].
        let per_class: Vec<Tensor<1>> = (0..classes)
            .map(|c| {
                data[w] = Tensor::<2>::eye(classes, device).slice([c..c + 1]).repeat_dim(0, indices.len());
                let given = data.iter().cloned().map(Some).collect();
                log_marginal(model, &given, &data, &[&targets], k, &mut rng).map(|mut v| v.remove(0))
            })
            .collect::<Result<_, _>>()?;
        let log_px_given = Tensor::stack::<2>(per_class, 1);
        let log_evidence = logsumexp(log_px_given.clone()) - (classes as f64).ln();
        log_px += log_evidence.clone().sum().into_scalar::<f64>();
        let log_p = log_px_given - log_evidence - (classes as f64).ln();
        log_posterior += log_p.clone().gather(1, truth.clone()).sum().into_scalar::<f64>();
        correct += log_p.argmax(1).equal(truth).int().sum().into_scalar::<i64>() as usize;
        bar.inc(indices.len() as u64);
    }
    bar.finish_and_clear();
    let n = split.len() as f64;
    Ok(LabelPosterior { log_pw_given_x: log_posterior / n, log_px: log_px / n, accuracy: correct as f64 / n })
}

/// What Bayes' rule over a CVAE's classes gives, averaged over a split.
pub struct LabelPosterior {
    /// Mean log p(w|x) of the true classes.
    pub log_pw_given_x: f64,
    /// Mean log p(x) = log Σ_w p(x|w) p(w), p(w) uniform: the CVAE's own marginal.
    pub log_px: f64,
    /// Accuracy of argmax_w p(w|x).
    pub accuracy: f64,
}

/// Mean over `split` of log p(w) for the categorical modality `name`, each class's value
/// estimated once with `n` prior samples.
pub fn mean_log_pw(model: &Jmvae, split: &dyn Examples, name: &str, n: usize, seed: u64, device: &Device) -> Result<f64> {
    let m = model.config.index_of(name)?;
    let classes = model.config.modalities[m].size();
    let eye = Tensor::<2>::eye(classes, device);
    let per_class = log_marginal_from_prior(model, m, eye, n, &mut SeededRng::new(seed))?.into_data().try_to_vec::<f32>()?;
    let mut total = 0.0;
    for indices in chunks(split.len(), 1000) {
        let classes = split.inputs(&indices, device).get(name)?.argmax(1).into_data();
        total += classes.iter::<i64>().map(|c| per_class[c as usize] as f64).sum::<f64>();
    }
    Ok(total / split.len() as f64)
}

/// The one-sample bound -loss (β = 1, α = 0, so it is a true ELBO of log p(all)) on `split`,
/// with noise fixed by `seed` so that epochs compare.
pub fn mean_elbo(model: &Jmvae, split: &dyn Examples, device: &Device, seed: u64) -> Result<f64> {
    let latent = model.config.latent;
    let mut rng = SeededRng::new(seed_for(seed, Stream::MonitorElbo));
    let mut total = 0.0;
    for indices in chunks(split.len(), 1000) {
        let data = split.inputs(&indices, device).for_model(&model.config)?;
        let eps = rng.noise(indices.len(), latent, device);
        total += Terms::compute(model, &data, eps).objective(&Objective::elbo()).sum().into_scalar::<f64>();
    }
    Ok(total / split.len() as f64)
}

/// Mean over `split` of the refit bound of the modality called `name`, weighted by `weight`
/// (fixed noise, so epochs compare).
pub fn mean_refit_bound(model: &Jmvae, name: &str, weight: f64, split: &dyn Examples, device: &Device, seed: u64) -> Result<f64> {
    let m = model.config.index_of(name)?;
    let latent = model.config.latent;
    let mut rng = SeededRng::new(seed_for(seed, Stream::RefitBound));
    let mut total = 0.0;
    for indices in chunks(split.len(), 1000) {
        let x = split.inputs(&indices, device).get(name)?;
        let eps = rng.noise(indices.len(), latent, device);
        total += unimodal_elbo(model, m, x, eps, weight)?.0.sum().into_scalar::<f64>();
    }
    Ok(total / split.len().max(1) as f64)
}
