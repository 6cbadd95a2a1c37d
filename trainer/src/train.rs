//! The training loop: JMVAE-kl with Adam, KL warm-up, exact resume, checkpoints, metrics.

use std::time::Instant;

use anyhow::{Result, bail};
use burn::module::Module;
use burn::optim::{AdamConfig, GradientsParams, ModuleOptimizer};
use burn::tensor::{Device, Tensor, TensorData};
use indicatif::{ProgressBar, ProgressStyle};
use jmvae::objective::unimodal_elbo;
use jmvae::{Jmvae, Objective, SeededRng, Terms};
use serde_json::json;

use crate::batch::chunks;
use crate::checkpoint::{RunDir, RunSettings, TrainingState};
use crate::mnist::Split;
use crate::dataset::{Dataset, Examples};
use crate::evaluate::{label_accuracy, mean_log_marginals};
use crate::evaluate_faces::attribute_accuracy;

/// How often and how hard to evaluate during training.
#[derive(Clone, Copy, Debug)]
pub struct Monitor {
    /// Run the importance-sampled estimate every this many epochs (0: never).
    pub every: usize,
    /// Importance samples for it.
    pub k: usize,
    /// Test examples for it.
    pub examples: usize,
}

/// The generator for everything random in `epoch`: the same on a resumed run.
fn epoch_rng(seed: u64, epoch: usize) -> SeededRng {
    SeededRng::new(seed.wrapping_mul(0x9E37_79B9).wrapping_add(epoch as u64 + 1))
}

/// Train until `epochs` epochs are done, resuming from the run's latest checkpoint if any.
pub fn train(run: &RunDir, settings: &RunSettings, data: &Dataset, epochs: usize, monitor: Monitor, device: &Device) -> Result<()> {
    let device = device.clone().autodiff();
    let objective = Objective::jmvae_kl(settings.alpha)?.rescaled(likelihood_weights(settings)?)?;
    let (mut model, mut optimizer, mut state) = start_or_resume(run, settings, &device)?;
    let mut best = run.best_record()?.and_then(|b| b["score"].as_f64());
    if state.epoch >= epochs {
        bail!("`{}` already has {} epochs; ask for more with --epochs", run.path.display(), state.epoch);
    }
    let refit = settings.refit.as_ref().map(|name| settings.config.index_of(name)).transpose()?;
    let steps_per_epoch = data.train_len().div_ceil(settings.batch);
    let modalities = settings.config.modalities.len();
    let latent = settings.config.latent;
    for epoch in state.epoch..epochs {
        let started = Instant::now();
        let beta = Objective::warmup_beta(epoch, settings.warmup);
        let weights = Objective { beta, ..objective.clone() };
        let mut rng = epoch_rng(settings.seed, epoch);
        let train = data.epoch(rng.next_u64());
        let mut order: Vec<usize> = (0..train.len()).collect();
        rng.shuffle(&mut order);
        let bar = epoch_bar(steps_per_epoch, epoch, epochs);
        let mut sums = vec![0.0f64; 0];
        let mut loss_sum = 0.0;
        for (step, indices) in order.chunks(settings.batch).enumerate() {
            let mut batch = train.inputs(indices, &device);
            batch.truncate(modalities);
            let eps = Tensor::from_data(TensorData::new(rng.normals(indices.len() * latent), [indices.len(), latent]), &device);
            let (loss, means) = match refit {
                Some(m) => {
                    let (bound, log_p, kl) = unimodal_elbo(&model, m, batch[m].clone(), eps, weights.rescale[m]);
                    let means = vec![log_p.mean().into_scalar::<f32>(), kl.mean().into_scalar::<f32>()];
                    (bound.mean().neg(), means)
                }
                None => {
                    let terms = Terms::compute(&model, &batch, eps);
                    (terms.loss(&weights), terms.means().into_data().try_to_vec::<f32>()?)
                }
            };
            let loss_value = loss.clone().into_scalar::<f32>();
            if !loss_value.is_finite() {
                bail!("the loss became {loss_value} at epoch {} step {step}; lower --lr or add --warmup", epoch + 1);
            }
            sums.resize(means.len(), 0.0);
            sums.iter_mut().zip(&means).for_each(|(s, &m)| *s += m as f64);
            loss_sum += loss_value as f64;
            let grads = match refit {
                // Only q(z|m) learns; the decoders and other encoders keep their weights.
                Some(m) => GradientsParams::from_module(&mut loss.backward(), &model.unimodal_encoders[m]),
                None => GradientsParams::from_grads(loss.backward(), &model),
            };
            model = optimizer.step(settings.lr, model, grads);
            state.steps += 1;
            if step % 10 == 0 {
                bar.set_message(describe(settings, &sums, loss_sum, step + 1));
            }
            bar.inc(1);
        }
        bar.finish_and_clear();
        let seconds = started.elapsed().as_secs_f64();
        state.epoch = epoch + 1;
        state.seconds += seconds;
        let steps = steps_per_epoch as f64;
        let mut record = json!({
            "epoch": state.epoch,
            "beta": beta,
            "train_loss": loss_sum / steps,
            "train_terms": term_names(settings).into_iter().zip(sums.iter().map(|s| json!(s / steps))).collect::<serde_json::Map<String, serde_json::Value>>(),
            "seconds": seconds,
            "samples_per_second": train.len() as f64 / seconds,
        });
        let valid = model.valid();
        let plain = device.clone().inner();
        let (monitored, split) = data.monitored();
        record["monitored_split"] = json!(split);
        record[format!("{split}_elbo")] = json!(test_elbo(&valid, monitored, &plain, settings.seed));
        let mut score = None;
        if monitor.every > 0 && (state.epoch % monitor.every == 0 || state.epoch == epochs) {
            score = watch(&mut record, &valid, data, monitor, &plain);
            if let Some(m) = refit {
                // A refit leaves log p(x) as it was, so the refitted bound picks the checkpoint.
                let bound = refit_bound(&valid, m, objective.rescale[m], monitored, &plain, settings.seed);
                record[format!("{split}_refit_bound")] = json!(bound);
                score = Some(bound);
            }
        }
        run.save_checkpoint(&model, &optimizer, &state)?;
        // The best checkpoint is chosen on validation only, never on the test set.
        if let (Some(score), "validation") = (score, split) {
            if best.is_none_or(|b| score > b) {
                best = Some(score);
                let why = json!({"epoch": state.epoch, "score": score, "rule": best_rule(settings, data)});
                run.save_best(&valid, &state, &why)?;
                record["best"] = json!(true);
            }
        }
        run.append_metrics(&record)?;
        eprintln!("{}", summary_line(&record));
    }
    Ok(())
}

/// λ_m for each modality of the config, from the run's `name=weight` pairs (1 where unnamed).
fn likelihood_weights(settings: &RunSettings) -> Result<Vec<f64>> {
    let mut weights = vec![1.0; settings.config.modalities.len()];
    for (name, weight) in &settings.rescale {
        weights[settings.config.index_of(name)?] = *weight;
    }
    Ok(weights)
}

/// Mean over `split` of the refit bound of modality `m` (fixed noise, so epochs compare).
fn refit_bound(model: &Jmvae, m: usize, weight: f64, split: &dyn Examples, device: &Device, seed: u64) -> f64 {
    let latent = model.config.latent;
    let mut rng = SeededRng::new(seed ^ 0x4ef1);
    let mut total = 0.0;
    for indices in chunks(split.len(), 1000) {
        let data = split.inputs(&indices, device);
        let eps = Tensor::from_data(TensorData::new(rng.normals(indices.len() * latent), [indices.len(), latent]), device);
        total += unimodal_elbo(model, m, data[m].clone(), eps, weight).0.sum().into_scalar::<f64>();
    }
    total / split.len().max(1) as f64
}

/// What "best" means for the checkpoint kept in `best/`.
fn best_rule(settings: &RunSettings, data: &Dataset) -> &'static str {
    if settings.refit.is_some() {
        return "highest validation bound of the refitted encoder (the other networks, and so log p(x), are fixed)";
    }
    match data {
        Dataset::Mnist { .. } => "highest validation log p(x) (q(z|x) proposal, the monitor's K and examples)",
        Dataset::Faces { .. } => "highest mean validation attribute accuracy from images",
    }
}

fn start_or_resume(run: &RunDir, settings: &RunSettings, device: &Device) -> Result<(Jmvae, ModuleOptimizer, TrainingState)> {
    let optimizer = AdamConfig::new().init();
    if run.latest()?.is_some() {
        let (model, state) = run.load_model(device)?;
        let optimizer = run.load_optimizer(optimizer)?;
        run.truncate_metrics(state.epoch)?;
        eprintln!("resuming `{}` after epoch {}", run.path.display(), state.epoch);
        return Ok((model, optimizer, state));
    }
    device.seed(settings.seed);
    let model = match &settings.init {
        Some(manifest) => {
            let (loaded, model) = crate::load_manifest(std::path::Path::new(manifest), device)?;
            if loaded.config != settings.config {
                bail!("--init `{manifest}` has another model config than this run; fine-tune with the same networks");
            }
            eprintln!("starting from the weights of `{manifest}`");
            model
        }
        None => Jmvae::new(&settings.config, device)?,
    };
    Ok((model, optimizer, TrainingState { epoch: 0, steps: 0, seconds: 0.0 }))
}

/// The metrics worth watching during training, on the monitored split: MNIST's log p(x) and
/// label accuracy, or the faces' mean attribute accuracy from images. Returns the score that
/// picks the best checkpoint (log p(x), or attribute accuracy).
fn watch(record: &mut serde_json::Value, model: &Jmvae, data: &Dataset, monitor: Monitor, device: &Device) -> Option<f64> {
    let multimodal = model.config.modalities.len() > 1;
    let (_, split) = data.monitored();
    match data {
        Dataset::Mnist { test, validation, .. } => {
            let watched: &Split = validation.as_ref().unwrap_or(test);
            let subset = watched.take(monitor.examples);
            let proposal: &[usize] = if model.unimodal_encoders.is_empty() { &[0, 1][..model.config.modalities.len()] } else { &[0] };
            let log_px = mean_log_marginals(model, &subset, proposal, &[&[0]], monitor.k, 1, device)[0];
            record[format!("{split}_log_px")] = json!(log_px);
            record[format!("{split}_log_px_k")] = json!(monitor.k);
            record[format!("{split}_log_px_examples")] = json!(subset.len());
            if multimodal {
                record[format!("{split}_label_accuracy")] = json!(label_accuracy(model, watched, device));
            }
            Some(log_px)
        }
        Dataset::Faces { test, validation, .. } if multimodal => {
            let per_attribute = attribute_accuracy(model, validation.as_ref().unwrap_or(test), device);
            let mean = per_attribute.iter().sum::<f64>() / per_attribute.len() as f64;
            record[format!("{split}_attribute_accuracy")] = json!(mean);
            Some(mean)
        }
        Dataset::Faces { .. } => None,
    }
}

/// The one-sample bound -loss (β = 1, α = 0, so it is a true ELBO of log p(all)) on the test set.
fn test_elbo(model: &Jmvae, test: &dyn Examples, device: &Device, seed: u64) -> f64 {
    let n = model.config.modalities.len();
    let latent = model.config.latent;
    let mut rng = SeededRng::new(seed ^ 0xe1b0);
    let mut total = 0.0;
    for indices in chunks(test.len(), 1000) {
        let mut data = test.inputs(&indices, device);
        data.truncate(n);
        let eps = Tensor::from_data(TensorData::new(rng.normals(indices.len() * latent), [indices.len(), latent]), device);
        let terms = Terms::compute(model, &data, eps);
        total += terms.objective(&Objective::elbo()).sum().into_scalar::<f64>();
    }
    total / test.len() as f64
}

fn term_names(settings: &RunSettings) -> Vec<String> {
    let config = &settings.config;
    if let Some(name) = &settings.refit {
        return vec![format!("log_p_{name}"), format!("kl_prior_{name}")];
    }
    let mut names: Vec<String> = config.modalities.iter().map(|m| format!("log_p_{}", m.name)).collect();
    names.push("kl_prior".into());
    if config.unimodal_encoders {
        names.extend(config.modalities.iter().map(|m| format!("kl_{}", m.name)));
    }
    names
}

fn describe(settings: &RunSettings, sums: &[f64], loss_sum: f64, steps: usize) -> String {
    let terms: Vec<String> = term_names(settings)
        .iter()
        .zip(sums)
        .map(|(name, s)| format!("{name} {:.2}", s / steps as f64))
        .collect();
    format!("loss {:.2} | {}", loss_sum / steps as f64, terms.join(" "))
}

fn epoch_bar(steps: usize, epoch: usize, epochs: usize) -> ProgressBar {
    let bar = ProgressBar::new(steps as u64);
    bar.set_style(
        ProgressStyle::with_template(&format!("epoch {}/{epochs} {{bar:25}} {{pos}}/{{len}} {{per_sec}} {{msg}}", epoch + 1))
            .unwrap(),
    );
    bar
}

fn summary_line(record: &serde_json::Value) -> String {
    let split = record["monitored_split"].as_str().unwrap_or("test");
    let mut line = format!(
        "epoch {:>4}  loss {:>8.3}  {split} elbo {:>8.3}  {:>6.0} samples/s",
        record["epoch"], record["train_loss"].as_f64().unwrap_or(f64::NAN),
        record[format!("{split}_elbo")].as_f64().unwrap_or(f64::NAN),
        record["samples_per_second"].as_f64().unwrap_or(0.0)
    );
    if let Some(v) = record[format!("{split}_log_px")].as_f64() {
        line.push_str(&format!("  {split} log p(x) {v:.3} (K={})", record[format!("{split}_log_px_k")]));
    }
    if let Some(v) = record[format!("{split}_label_accuracy")].as_f64() {
        line.push_str(&format!("  label acc {:.2} %", v * 100.0));
    }
    if let Some(v) = record[format!("{split}_attribute_accuracy")].as_f64() {
        line.push_str(&format!("  attribute acc {:.2} %", v * 100.0));
    }
    if record["best"].as_bool() == Some(true) {
        line.push_str("  (best so far)");
    }
    line
}
