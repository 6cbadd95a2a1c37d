//! The training loop: JMVAE-kl with Adam, KL warm-up, exact resume, checkpoints, metrics.
//!
//! [`train`] runs the epochs. An epoch is its steps ([`Training::step`]: one batch's loss and
//! gradients) and its end ([`Training::end_epoch`]: the monitor, the best checkpoint and the
//! checkpoint's files, in the order that keeps every interruption safe). What the steps
//! change, and how a run starts or resumes, is `train/learner.rs`; what they add up to and
//! how it is shown, `train/progress.rs`.

mod learner;
mod progress;

use std::time::Instant;

use anyhow::{Result, bail};
use burn::module::Module;
use burn::optim::GradientsParams;
use burn::tensor::{Device, Tensor};
use jmvae::objective::unimodal_elbo;
use jmvae::{Jmvae, Objective, SeededRng, Terms};

use crate::augment::flip_some;
use crate::checkpoint::{BestRecord, RunDir};
use crate::datasets::{DatasetKind, Monitor};
use crate::epoch_record::EpochRecord;
use crate::examples::{Examples, SplitName, Splits};
use crate::fault_injection;
use crate::metrics::likelihoods::{mean_elbo, mean_refit_bound};
use crate::modalities::IMAGE;
use crate::run_settings::RunSettings;
use crate::seeds::{Stream, seed_for};
use learner::Learner;
use progress::{EpochTotals, epoch_bar};

/// Train until `epochs` epochs are done, resuming from the run's latest checkpoint if any.
pub fn train(run: &RunDir, settings: &RunSettings, kind: &dyn DatasetKind, data: &Splits, epochs: usize, monitor: Monitor, device: &Device) -> Result<()> {
    let mut training = Training::new(run, settings, kind, data, monitor, device.clone().autodiff())?;
    let mut learner = Learner::start_or_resume(run, settings, &training.device)?;
    training.best = run.best_record()?;
    if learner.state.epoch >= epochs {
        bail!("`{}` already has {} epochs; ask for more with --epochs", run.path.display(), learner.state.epoch);
    }
    for epoch in learner.state.epoch..epochs {
        let (trained, totals) = training.epoch(learner, epoch, epochs)?;
        learner = trained;
        training.end_epoch(&mut learner, totals, epochs)?;
    }
    Ok(())
}

/// What stays fixed over a run's epochs, and the best checkpoint so far.
struct Training<'a> {
    run: &'a RunDir,
    settings: &'a RunSettings,
    kind: &'a dyn DatasetKind,
    data: &'a Splits,
    monitor: Monitor,
    /// JMVAE-kl with the run's α and likelihood weights, at β = 1 (each epoch sets its own β).
    objective: Objective,
    /// The autodiff device the steps run on.
    device: Device,
    /// The same device without autodiff, for the monitor.
    plain: Device,
    /// The image's index, for flips.
    image: Option<usize>,
    /// A refit's modality: its name and index.
    refit: Option<(&'a str, usize)>,
    steps_per_epoch: usize,
    /// The best checkpoint so far (on validation).
    best: Option<BestRecord>,
}

/// One epoch's draw: its examples, the generator of everything random in it, its weights.
struct Epoch<'e> {
    /// 0-based.
    index: usize,
    train: Box<dyn Examples + 'e>,
    rng: SeededRng,
    /// The objective at this epoch's warm-up β.
    weights: Objective,
}

/// What one step leaves: the loss (as logged) and its terms' means, and the gradients.
struct Step {
    loss: f32,
    means: Vec<f32>,
    grads: GradientsParams,
}

impl<'a> Training<'a> {
    /// The run's fixed parts, its steps on the autodiff `device`; no best checkpoint yet.
    fn new(run: &'a RunDir, settings: &'a RunSettings, kind: &'a dyn DatasetKind, data: &'a Splits, monitor: Monitor, device: Device) -> Result<Self> {
        let objective = Objective::jmvae_kl(settings.alpha)?.rescaled(likelihood_weights(settings)?)?;
        let refit = settings.refit.as_ref().map(|name| Ok::<_, anyhow::Error>((name.as_str(), settings.config.index_of(name)?))).transpose()?;
        let plain = device.clone().inner();
        Ok(Self {
            run,
            settings,
            kind,
            data,
            monitor,
            objective,
            device,
            plain,
            image: settings.config.index_of(IMAGE).ok(),
            refit,
            steps_per_epoch: data.train.len().div_ceil(settings.batch),
            best: None,
        })
    }

    /// Epoch `index` (0-based) of `epochs`: a step for each batch of the shuffled training set.
    fn epoch(&self, mut learner: Learner, index: usize, epochs: usize) -> Result<(Learner, EpochTotals)> {
        let started = Instant::now();
        let weights = Objective { beta: Objective::warmup_beta(index, self.settings.warmup), ..self.objective.clone() };
        let mut rng = SeededRng::new(seed_for(self.settings.seed, Stream::Epoch(index)));
        let train = self.data.train.epoch(rng.next_u64());
        let mut order: Vec<usize> = (0..train.len()).collect();
        rng.shuffle(&mut order);
        let mut epoch = Epoch { index, train, rng, weights };
        let mut totals = EpochTotals::new(index, epoch.weights.beta, self.steps_per_epoch, epoch.train.len());
        let bar = epoch_bar(self.steps_per_epoch, index, epochs);
        for (step, indices) in order.chunks(self.settings.batch).enumerate() {
            let done = self.step(&mut learner, &mut epoch, indices, step).inspect_err(|_| bar.finish_and_clear())?;
            learner.model = learner.optimizer.step(self.settings.lr, learner.model, done.grads);
            learner.state.steps += 1;
            totals.add(done.loss, &done.means);
            if step % 10 == 0 {
                bar.set_message(totals.describe(self.settings, step + 1));
            }
            bar.inc(1);
        }
        bar.finish_and_clear();
        totals.seconds = started.elapsed().as_secs_f64();
        Ok((learner, totals))
    }

    /// Step `step` of `epoch`, on the examples at `indices`: the loss and its gradients, the
    /// objective's (or the refit's) plus a JMVAE-GAN's decoder terms after the discriminator's
    /// own update. A loss that is not finite stops the run, saying what it keeps.
    fn step(&self, learner: &mut Learner, epoch: &mut Epoch, indices: &[usize], step: usize) -> Result<Step> {
        let config = &self.settings.config;
        let mut inputs = epoch.train.inputs(indices, &self.device).for_model(config)?;
        if let (true, Some(m)) = (self.settings.flip, self.image) {
            inputs[m] = flip_some(inputs[m].clone(), &config.modalities[m].shape, &mut epoch.rng);
        }
        let eps = epoch.rng.noise(indices.len(), config.latent, &self.device);
        let (mut loss, mut means) = self.loss(&learner.model, &inputs, eps, &epoch.weights)?;
        let loss_value = fault_injection::loss(learner.state.steps, loss.clone().into_scalar::<f32>());
        if !loss_value.is_finite() {
            bail!("training stopped: the loss became {loss_value} at epoch {} step {step}; {}", epoch.index + 1, diverged(self.run, epoch.index));
        }
        if let (Some(adversary), Some(gan)) = (learner.adversary.as_mut(), &self.settings.gan) {
            let eps = epoch.rng.noise(indices.len(), config.latent, &self.device);
            let adversarial = adversary.step(gan, &learner.model, &inputs, eps)?;
            let d_loss = fault_injection::discriminator_loss(learner.state.steps, adversarial.discriminator_loss);
            if !d_loss.is_finite() {
                bail!(
                    "training stopped: the discriminator diverged (its loss became {d_loss}) at epoch {} step {step}; {}",
                    epoch.index + 1,
                    diverged_with(self.run, epoch.index, "start a new run with a lower --gan-lr or --gan-weight")
                );
            }
            loss = loss + adversarial.decoder_loss;
            means.extend([d_loss, adversarial.terms[0], adversarial.terms[1]]);
        }
        let grads = match self.refit {
            // Only q(z|m) learns; the decoders and other encoders keep their weights.
            Some((_, m)) => GradientsParams::from_module(&mut loss.backward(), &learner.model.unimodal_encoders[m]),
            None => GradientsParams::from_grads(loss.backward(), &learner.model),
        };
        Ok(Step { loss: loss_value, means, grads })
    }

    /// The loss of a batch's `inputs` under `weights`, and its terms' means for the log: a
    /// refit's is the bound of q(z|m) alone.
    fn loss(&self, model: &Jmvae, inputs: &[Tensor<2>], eps: Tensor<2>, weights: &Objective) -> Result<(Tensor<1>, Vec<f32>)> {
        match self.refit {
            Some((_, m)) => {
                let (bound, log_p, kl) = unimodal_elbo(model, m, inputs[m].clone(), eps, weights.rescale[m])?;
                let means = vec![log_p.mean().into_scalar::<f32>(), kl.mean().into_scalar::<f32>()];
                Ok((bound.mean().neg(), means))
            }
            None => {
                let terms = Terms::compute(model, inputs, eps);
                Ok((terms.loss(weights), terms.means().into_data().try_to_vec::<f32>()?))
            }
        }
    }

    /// The end of the epoch `totals` add up: the monitored split's ELBO (weights that
    /// diverged stop the run), the monitor on its epochs, then the epoch's files.
    fn end_epoch(&mut self, learner: &mut Learner, totals: EpochTotals, epochs: usize) -> Result<()> {
        learner.state.epoch = totals.epoch + 1;
        learner.state.seconds += totals.seconds;
        let epoch = learner.state.epoch;
        let valid = learner.model.valid();
        let (monitored, split) = self.data.monitored();
        let elbo = mean_elbo(&valid, monitored, &self.plain, self.settings.seed)?;
        // The last step of an epoch can break the weights without a loss to show it.
        if !elbo.is_finite() {
            bail!("training stopped: after epoch {epoch} the {split} ELBO is {elbo}, so the weights diverged; {}", diverged(self.run, totals.epoch));
        }
        let mut record = totals.record(self.settings, split, elbo);
        if self.monitor.every > 0 && (epoch.is_multiple_of(self.monitor.every) || epoch == epochs) {
            self.watch(&valid, monitored, &mut record)?;
        }
        self.save(learner, &valid, record)
    }

    /// What the dataset's monitor measures on the `monitored` split, into `record`.
    fn watch(&self, valid: &Jmvae, monitored: &dyn Examples, record: &mut EpochRecord) -> Result<()> {
        record.watched = self.kind.watch(valid, monitored, &self.monitor, record.elbo, &self.plain)?;
        if let Some((name, m)) = self.refit {
            // A refit leaves log p(x) as it was, so the refitted bound picks the checkpoint.
            let bound = mean_refit_bound(valid, name, self.objective.rescale[m], monitored, &self.plain, self.settings.seed)?;
            record.refit_bound = Some(bound);
            record.watched.score = Some(bound);
        }
        Ok(())
    }

    /// Write the epoch's checkpoint, its metrics line and, when it is the best, the best
    /// checkpoint (`valid`, the weights without autodiff).
    fn save(&mut self, learner: &Learner, valid: &Jmvae, mut record: EpochRecord) -> Result<()> {
        // The order makes every interruption safe: the checkpoint's files first (a kill or a
        // full disk here leaves the last checkpoint and the metrics as they were), then the
        // epoch's metrics line and best checkpoint, and last the rename and `latest` that make
        // the checkpoint count. A run stopped before that resumes from the previous checkpoint,
        // drops the lines after it and redoes the epoch, identically.
        let pending = self.run.write_checkpoint(&learner.model, &learner.optimizer, learner.adversary.as_ref(), &learner.state)?;
        let new_best = self.new_best(&record);
        record.best = new_best.is_some();
        self.run.metrics().append(&record.to_json())?;
        if let Some(why) = new_best {
            self.run.save_best(valid, &learner.state, &why)?;
            self.best = Some(why);
        }
        self.run.commit_checkpoint(pending)?;
        eprintln!("{}", record.summary_line());
        Ok(())
    }

    /// Why the epoch of `record` is the best so far, if it is.
    fn new_best(&self, record: &EpochRecord) -> Option<BestRecord> {
        // The best checkpoint is chosen on validation only, never on the test set.
        let (Some(score), SplitName::Validation) = (record.watched.score, record.split) else { return None };
        // A best saved by this very epoch before an interruption is this epoch's again.
        let better = self.best.as_ref().is_none_or(|b| score > b.score || b.epoch == record.epoch);
        let rule = if self.refit.is_some() { REFIT_RULE } else { self.kind.best_rule(&self.settings.config) };
        better.then(|| BestRecord { epoch: record.epoch, score, rule: rule.into() })
    }
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

