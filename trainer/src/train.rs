//! The training loop: JMVAE-kl with Adam, KL warm-up, exact resume, checkpoints, metrics.

use std::time::Instant;

use anyhow::{Result, bail};
use burn::module::Module;
use burn::optim::{AdamConfig, GradientsParams, ModuleOptimizer};
use burn::tensor::{Device, Tensor, TensorData};
use indicatif::{ProgressBar, ProgressStyle};
use jmvae::{Jmvae, Objective, SeededRng, Terms};
use serde_json::json;

use crate::batch::chunks;
use crate::checkpoint::{RunDir, RunSettings, TrainingState};
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
    let objective = Objective::jmvae_kl(settings.alpha)?;
    let (mut model, mut optimizer, mut state) = start_or_resume(run, settings, &device)?;
    if state.epoch >= epochs {
        bail!("`{}` already has {} epochs; ask for more with --epochs", run.path.display(), state.epoch);
    }
    let steps_per_epoch = data.train_len().div_ceil(settings.batch);
    let modalities = settings.config.modalities.len();
    let latent = settings.config.latent;
    for epoch in state.epoch..epochs {
        let started = Instant::now();
        let beta = Objective::warmup_beta(epoch, settings.warmup);
        let weights = Objective { beta, ..objective };
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
            let terms = Terms::compute(&model, &batch, eps);
            let loss = terms.loss(weights);
            let means = terms.means().into_data().try_to_vec::<f32>()?;
            let loss_value = loss.clone().into_scalar::<f32>();
            if !loss_value.is_finite() {
                bail!("the loss became {loss_value} at epoch {} step {step}; lower --lr or add --warmup", epoch + 1);
            }
            sums.resize(means.len(), 0.0);
            sums.iter_mut().zip(&means).for_each(|(s, &m)| *s += m as f64);
            loss_sum += loss_value as f64;
            let grads = GradientsParams::from_grads(loss.backward(), &model);
            model = optimizer.step(settings.lr, model, grads);
            state.steps += 1;
            if step % 10 == 0 {
                bar.set_message(describe(&settings.config, &sums, loss_sum, step + 1));
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
            "train_terms": term_names(&settings.config).into_iter().zip(sums.iter().map(|s| json!(s / steps))).collect::<serde_json::Map<String, serde_json::Value>>(),
            "seconds": seconds,
            "samples_per_second": train.len() as f64 / seconds,
        });
        let valid = model.valid();
        let plain = device.clone().inner();
        record["test_elbo"] = json!(test_elbo(&valid, data.test(), &plain, settings.seed));
        if monitor.every > 0 && (state.epoch % monitor.every == 0 || state.epoch == epochs) {
            watch(&mut record, &valid, data, monitor, &plain);
        }
        run.save_checkpoint(&model, &optimizer, &state)?;
        run.append_metrics(&record)?;
        eprintln!("{}", summary_line(&record));
    }
    Ok(())
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
    let model = Jmvae::new(&settings.config, device)?;
    Ok((model, optimizer, TrainingState { epoch: 0, steps: 0, seconds: 0.0 }))
}

/// The test metrics worth watching during training: MNIST's log p(x) and label accuracy,
/// or the faces' mean attribute accuracy from images.
fn watch(record: &mut serde_json::Value, model: &Jmvae, data: &Dataset, monitor: Monitor, device: &Device) {
    let multimodal = model.config.modalities.len() > 1;
    match data {
        Dataset::Mnist { test, .. } => {
            let subset = test.take(monitor.examples);
            let proposal: &[usize] = if model.unimodal_encoders.is_empty() { &[0, 1][..model.config.modalities.len()] } else { &[0] };
            record["test_log_px"] = json!(mean_log_marginals(model, &subset, proposal, &[&[0]], monitor.k, 1, device)[0]);
            record["test_log_px_k"] = json!(monitor.k);
            record["test_log_px_examples"] = json!(subset.len());
            if multimodal {
                record["label_accuracy"] = json!(label_accuracy(model, test, device));
            }
        }
        Dataset::Faces { test, .. } if multimodal => {
            let per_attribute = attribute_accuracy(model, test, device);
            record["attribute_accuracy"] = json!(per_attribute.iter().sum::<f64>() / per_attribute.len() as f64);
        }
        Dataset::Faces { .. } => {}
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
        total += terms.objective(Objective { alpha: 0.0, beta: 1.0 }).sum().into_scalar::<f64>();
    }
    total / test.len() as f64
}

fn term_names(config: &jmvae::ModelConfig) -> Vec<String> {
    let mut names: Vec<String> = config.modalities.iter().map(|m| format!("log_p_{}", m.name)).collect();
    names.push("kl_prior".into());
    if config.unimodal_encoders {
        names.extend(config.modalities.iter().map(|m| format!("kl_{}", m.name)));
    }
    names
}

fn describe(config: &jmvae::ModelConfig, sums: &[f64], loss_sum: f64, steps: usize) -> String {
    let terms: Vec<String> = term_names(config)
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
    let mut line = format!(
        "epoch {:>4}  loss {:>8.3}  test elbo {:>8.3}  {:>6.0} samples/s",
        record["epoch"], record["train_loss"].as_f64().unwrap_or(f64::NAN),
        record["test_elbo"].as_f64().unwrap_or(f64::NAN),
        record["samples_per_second"].as_f64().unwrap_or(0.0)
    );
    if let Some(v) = record["test_log_px"].as_f64() {
        line.push_str(&format!("  test log p(x) {v:.3} (K={})", record["test_log_px_k"]));
    }
    if let Some(v) = record["label_accuracy"].as_f64() {
        line.push_str(&format!("  label acc {:.2} %", v * 100.0));
    }
    if let Some(v) = record["attribute_accuracy"].as_f64() {
        line.push_str(&format!("  attribute acc {:.2} %", v * 100.0));
    }
    line
}
