//! The training loop: JMVAE-kl with Adam, KL warm-up, exact resume, checkpoints, metrics.

use std::time::Instant;

use anyhow::{Result, bail};
use burn::module::Module;
use burn::optim::{GradientsParams, ModuleOptimizer};
use burn::tensor::Device;
use indicatif::{ProgressBar, ProgressStyle};
use jmvae::objective::unimodal_elbo;
use jmvae::{Jmvae, Manifest, Objective, SeededRng, Terms};

use crate::adam::adam;
use crate::atomic::fault;
use crate::augment::flip_some;
use crate::checkpoint::{BestRecord, RunDir, RunSettings, TrainingState};
use crate::datasets::{DatasetKind, Monitor};
use crate::epoch_record::{EpochRecord, Watched};
use crate::examples::Splits;
use crate::gan::Adversary;
use crate::metrics::likelihoods::{mean_elbo, mean_refit_bound};

/// The generator for everything random in `epoch`: the same on a resumed run.
fn epoch_rng(seed: u64, epoch: usize) -> SeededRng {
    SeededRng::new(seed.wrapping_mul(0x9E37_79B9).wrapping_add(epoch as u64 + 1))
}

/// Train until `epochs` epochs are done, resuming from the run's latest checkpoint if any.
pub fn train(run: &RunDir, settings: &RunSettings, kind: &dyn DatasetKind, data: &Splits, epochs: usize, monitor: Monitor, device: &Device) -> Result<()> {
    let device = device.clone().autodiff();
    let objective = Objective::jmvae_kl(settings.alpha)?.rescaled(likelihood_weights(settings)?)?;
    let (mut model, mut optimizer, mut state) = start_or_resume(run, settings, &device)?;
    let mut adversary = start_or_resume_adversary(run, settings, state.epoch > 0, &device)?;
    let image = settings.config.index_of("image").ok();
    let mut best = run.best_record()?;
    if state.epoch >= epochs {
        bail!("`{}` already has {} epochs; ask for more with --epochs", run.path.display(), state.epoch);
    }
    let refit = settings.refit.as_ref().map(|name| Ok::<_, anyhow::Error>((name.as_str(), settings.config.index_of(name)?))).transpose()?;
    let steps_per_epoch = data.train.len().div_ceil(settings.batch);
    let latent = settings.config.latent;
    for epoch in state.epoch..epochs {
        let started = Instant::now();
        let beta = Objective::warmup_beta(epoch, settings.warmup);
        let weights = Objective { beta, ..objective.clone() };
        let mut rng = epoch_rng(settings.seed, epoch);
        let train = data.train.epoch(rng.next_u64());
        let mut order: Vec<usize> = (0..train.len()).collect();
        rng.shuffle(&mut order);
        let bar = epoch_bar(steps_per_epoch, epoch, epochs);
        let mut sums = vec![0.0f64; 0];
        let mut loss_sum = 0.0;
        for (step, indices) in order.chunks(settings.batch).enumerate() {
            let mut inputs = train.inputs(indices, &device).for_model(&settings.config)?;
            if let (true, Some(m)) = (settings.flip, image) {
                inputs[m] = flip_some(inputs[m].clone(), &settings.config.modalities[m].shape, &mut rng);
            }
            let eps = rng.noise(indices.len(), latent, &device);
            let (mut loss, mut means) = match refit {
                Some((_, m)) => {
                    let (bound, log_p, kl) = unimodal_elbo(&model, m, inputs[m].clone(), eps, weights.rescale[m]);
                    let means = vec![log_p.mean().into_scalar::<f32>(), kl.mean().into_scalar::<f32>()];
                    (bound.mean().neg(), means)
                }
                None => {
                    let terms = Terms::compute(&model, &inputs, eps);
                    (terms.loss(&weights), terms.means().into_data().try_to_vec::<f32>()?)
                }
            };
            let loss_value = fault::loss(state.steps, loss.clone().into_scalar::<f32>());
            if !loss_value.is_finite() {
                bar.finish_and_clear();
                bail!("training stopped: the loss became {loss_value} at epoch {} step {step}; {}", epoch + 1, diverged(run, epoch));
            }
            if let (Some(adversary), Some(gan)) = (adversary.as_mut(), &settings.gan) {
                let eps = rng.noise(indices.len(), latent, &device);
                let adversarial = adversary.step(gan, &model, &inputs, eps)?;
                let d_loss = fault::discriminator_loss(state.steps, adversarial.discriminator_loss);
                if !d_loss.is_finite() {
                    bar.finish_and_clear();
                    bail!(
                        "training stopped: the discriminator diverged (its loss became {d_loss}) at epoch {} step {step}; {}",
                        epoch + 1,
                        diverged_with(run, epoch, "start a new run with a lower --gan-lr or --gan-weight")
                    );
                }
                loss = loss + adversarial.decoder_loss;
                means.extend([d_loss, adversarial.terms[0], adversarial.terms[1]]);
            }
            sums.resize(means.len(), 0.0);
            sums.iter_mut().zip(&means).for_each(|(s, &m)| *s += m as f64);
            loss_sum += loss_value as f64;
            let grads = match refit {
                // Only q(z|m) learns; the decoders and other encoders keep their weights.
                Some((_, m)) => GradientsParams::from_module(&mut loss.backward(), &model.unimodal_encoders[m]),
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
        let valid = model.valid();
        let plain = device.clone().inner();
        let (monitored, split) = data.monitored();
        let elbo = mean_elbo(&valid, monitored, &plain, settings.seed)?;
        // The last step of an epoch can break the weights without a loss to show it.
        if !elbo.is_finite() {
            bail!("training stopped: after epoch {} the {split} ELBO is {elbo}, so the weights diverged; {}", state.epoch, diverged(run, epoch));
        }
        let mut record = EpochRecord {
            epoch: state.epoch,
            beta,
            train_loss: loss_sum / steps,
            train_terms: term_names(settings).into_iter().zip(sums.iter().map(|s| s / steps)).collect(),
            seconds,
            samples_per_second: train.len() as f64 / seconds,
            split,
            elbo,
            watched: Watched::default(),
            refit_bound: None,
            best: false,
        };
        if monitor.every > 0 && (state.epoch % monitor.every == 0 || state.epoch == epochs) {
            record.watched = kind.watch(&valid, monitored, &monitor, elbo, &plain)?;
            if let Some((name, m)) = refit {
                // A refit leaves log p(x) as it was, so the refitted bound picks the checkpoint.
                let bound = mean_refit_bound(&valid, name, objective.rescale[m], monitored, &plain, settings.seed)?;
                record.refit_bound = Some(bound);
                record.watched.score = Some(bound);
            }
        }
        // The order makes every interruption safe: the checkpoint's files first (a kill or a
        // full disk here leaves the last checkpoint and the metrics as they were), then the
        // epoch's metrics line and best checkpoint, and last the rename and `latest` that make
        // the checkpoint count. A run stopped before that resumes from the previous checkpoint,
        // drops the lines after it and redoes the epoch, identically.
        let pending = run.write_checkpoint(&model, &optimizer, adversary.as_ref(), &state)?;
        // The best checkpoint is chosen on validation only, never on the test set.
        let mut new_best = None;
        if let (Some(score), "validation") = (record.watched.score, split) {
            // A best saved by this very epoch before an interruption is this epoch's again.
            if best.as_ref().is_none_or(|b| score > b.score || b.epoch == state.epoch) {
                let rule = if settings.refit.is_some() { REFIT_RULE } else { kind.best_rule(&settings.config) };
                new_best = Some(BestRecord { epoch: state.epoch, score, rule: rule.into() });
                record.best = true;
            }
        }
        run.append_metrics(&record.to_json())?;
        if let Some(why) = new_best {
            run.save_best(&valid, &state, &why)?;
            best = Some(why);
        }
        run.commit_checkpoint(pending)?;
        eprintln!("{}", record.summary_line());
    }
    Ok(())
}

/// What a run stopped at `epoch` (0-based, the one in progress) keeps, and what to do.
fn diverged(run: &RunDir, epoch: usize) -> String {
    diverged_with(run, epoch, "start a new run with a lower --lr or a --warmup")
}

/// [`diverged`] with another `remedy`.
fn diverged_with(run: &RunDir, epoch: usize, remedy: &str) -> String {
    let kept = if epoch > 0 && run.latest().ok().flatten().is_some() {
        format!("`{}` keeps its last good checkpoint (epoch {epoch})", run.path.display())
    } else {
        format!("`{}` has no checkpoint yet", run.path.display())
    };
    format!("{kept}; {remedy}")
}

/// What "best" means for a refit: the other networks, and so log p(x), are fixed.
const REFIT_RULE: &str = "highest validation bound of the refitted encoder (the other networks, and so log p(x), are fixed)";

/// λ_m for each modality of the config, from the run's `name=weight` pairs (1 where unnamed).
fn likelihood_weights(settings: &RunSettings) -> Result<Vec<f64>> {
    let mut weights = vec![1.0; settings.config.modalities.len()];
    for (name, weight) in &settings.rescale {
        weights[settings.config.index_of(name)?] = *weight;
    }
    Ok(weights)
}

fn start_or_resume(run: &RunDir, settings: &RunSettings, device: &Device) -> Result<(Jmvae, ModuleOptimizer, TrainingState)> {
    let optimizer = adam();
    if run.latest()?.is_some() {
        let (model, state) = run.load_model(device)?;
        let optimizer = run.load_optimizer(optimizer)?;
        run.truncate_metrics(state.epoch)?;
        eprintln!("resuming `{}` after epoch {}", run.path.display(), state.epoch);
        return Ok((model, optimizer, state));
    }
    // Lines of epochs whose checkpoint never completed (a run stopped in its first epoch).
    run.truncate_metrics(0)?;
    device.seed(settings.seed);
    let model = match &settings.init {
        Some(manifest) => {
            let (loaded, model) = Manifest::read(std::path::Path::new(manifest), device)?;
            if loaded.config != settings.config {
                bail!("--init `{manifest}` has another model config than this run; fine-tune with the same networks");
            }
            eprintln!("starting from the weights of `{manifest}`");
            model
        }
        None => settings.config.init(device)?,
    };
    Ok((model, optimizer, TrainingState { epoch: 0, steps: 0, seconds: 0.0 }))
}

/// A JMVAE-GAN run's discriminator: the latest checkpoint's when the run was `resumed`, or
/// fresh; none for JMVAE.
fn start_or_resume_adversary(run: &RunDir, settings: &RunSettings, resumed: bool, device: &Device) -> Result<Option<Adversary>> {
    let Some(gan) = &settings.gan else { return Ok(None) };
    if resumed {
        return Ok(Some(run.load_adversary(gan, &settings.config, device)?));
    }
    // Seeded apart from the model, so that a GAN run's model starts as the plain run's.
    device.seed(settings.seed ^ 0xD15C);
    Ok(Some(Adversary::new(gan, &settings.config, device)?))
}

fn term_names(settings: &RunSettings) -> Vec<String> {
    let config = &settings.config;
    if let Some(name) = &settings.refit {
        return vec![format!("log_p_{name}"), format!("kl_prior_{name}")];
    }
    let mut names: Vec<String> = config.generated().into_iter().map(|m| format!("log_p_{}", config.modalities[m].name)).collect();
    names.push("kl_prior".into());
    if config.unimodal_encoders {
        names.extend(config.modalities.iter().map(|m| format!("kl_{}", m.name)));
    }
    if settings.gan.is_some() {
        names.extend(["discriminator_loss", "gan_adversarial", "gan_feature_matching"].map(String::from));
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
