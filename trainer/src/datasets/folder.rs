//! A folder of the user's own images (`--dataset folder`): class folders or a `metadata.csv`,
//! read by [`crate::folder`], with the model chosen from the data by [`super::folder_model`].

use anyhow::{Context, Result, bail};
use burn::tensor::{Device, Tensor, TensorData};
use jmvae::infer::{Observation, generate, observe};
use jmvae::{Jmvae, ModalityKind, ModelConfig};
use serde_json::json;

use super::faces::attribute_vector;
use super::folder_judge::{load_judges, train_judge};
use super::folder_model::{Overrides, choose};
use super::folder_report::evaluate;
use super::{DataArgs, DatasetKind, EvalRequest, Grid, JudgeRequest, Monitor, Report, SampleRequest};
use crate::epoch_record::{LogPx, Watched};
use crate::examples::{Batch, Examples, First, SplitName, Splits, TrainingSet};
use crate::folder::holdout::HoldOut;
use crate::folder::{self, FolderData, Set};
use crate::metrics::accuracy::{attribute_accuracy, class_accuracy};
use crate::metrics::likelihoods::mean_log_marginals;
use crate::metrics::mean;
use crate::mnist::{TEST_BINARISATION_SEED, VALIDATION_BINARISATION_SEED};
use crate::modalities::{ATTRIBUTES, IMAGE, LABEL};
use crate::seeds::MONITOR_LOG_PX;

/// A folder dataset, as the trainer knows it.
pub struct FolderImages;

/// One split of a folder dataset as named model inputs; Bernoulli images are drawn from
/// their intensities (once for held-out splits, afresh every epoch for training).
#[derive(Clone)]
pub struct FolderSplit {
    set: Set,
    names: Vec<String>,
    sizes: Vec<usize>,
    binary: Vec<bool>,
}

impl FolderSplit {
    /// A split of `set` for a model of `config` (the data's modalities the model lacks are kept
    /// but never asked for).
    pub fn new(set: Set, data: &[folder::Modality], config: &ModelConfig) -> Self {
        let binary = data.iter().map(|m| config.modality(&m.name).is_ok_and(|c| c.kind == ModalityKind::BinaryImage)).collect();
        Self { set, names: data.iter().map(|m| m.name.clone()).collect(), sizes: data.iter().map(folder::Modality::size).collect(), binary }
    }

    /// A copy whose Bernoulli images are drawn once from `seed`.
    fn binarised(&self, seed: u64) -> Self {
        if !self.binary.contains(&true) {
            return self.clone();
        }
        let mut rng = jmvae::SeededRng::new(seed);
        let columns = self.set.columns.iter().zip(&self.binary).map(|(c, &b)| if b { rng.bernoulli(c) } else { c.clone() }).collect();
        Self { set: Set { len: self.set.len, columns }, names: self.names.clone(), sizes: self.sizes.clone(), binary: self.binary.clone() }
    }

    /// Held out: binarised once by a fixed seed, so that every evaluation sees the same bits.
    fn held_out(self, seed: u64) -> Self {
        if self.binary.contains(&true) { self.binarised(seed) } else { self }
    }
}

impl Examples for FolderSplit {
    fn len(&self) -> usize {
        self.set.len
    }

    fn inputs(&self, indices: &[usize], device: &Device) -> Batch {
        let named = self.names.iter().zip(&self.set.columns).zip(&self.sizes).map(|((name, column), &size)| {
            let mut values = Vec::with_capacity(indices.len() * size);
            for &i in indices {
                values.extend_from_slice(&column[i * size..(i + 1) * size]);
            }
            (name.as_str(), Tensor::from_data(TensorData::new(values, [indices.len(), size]), device))
        });
        Batch::new(named.collect())
    }
}

impl TrainingSet for FolderSplit {
    fn len(&self) -> usize {
        self.set.len
    }

    fn epoch(&self, seed: u64) -> Box<dyn Examples + '_> {
        if self.binary.contains(&true) { Box::new(self.binarised(seed)) } else { Box::new(self) }
    }
}

/// A loaded folder dataset and the model chosen for it.
pub struct Loaded {
    /// The data.
    pub data: FolderData,
    /// The default model.
    pub config: ModelConfig,
}

/// Load the folder in `data` as its recipe says, holding out `validation` examples, and
/// print the summary, the likelihood and the networks.
pub fn load(data: &DataArgs, validation: usize) -> Result<Loaded> {
    let recipe = data.folder.clone().unwrap_or_default();
    let hold = HoldOut { test: recipe.test, validation, seed: recipe.seed };
    let request = folder::Request { image_size: recipe.image_size, hold, cache: data.cache_dir() };
    let loaded = folder::load(&data.data, &request)?;
    let choice = choose(&loaded.modalities, Overrides { likelihood: recipe.likelihood, network: recipe.network, latent: recipe.latent });
    eprint!("{}", loaded.summary);
    eprintln!("  likelihood of the images: {}\n  networks: {}", choice.likelihood, choice.network);
    Ok(Loaded { data: loaded, config: choice.config })
}

/// The split `split` of `loaded` for `model` (as the estimators see it, and its real
/// intensities), and the training split; refused when the model was not made for this data.
pub fn split_for(loaded: Loaded, config: &ModelConfig, split: SplitName, limit: Option<usize>) -> Result<[FolderSplit; 3]> {
    check_fits(&loaded.data.modalities, config)?;
    let modalities = &loaded.data.modalities;
    let (set, seed) = match split {
        SplitName::Test => (loaded.data.test, TEST_BINARISATION_SEED),
        SplitName::Validation => (loaded.data.validation.context("this run held out no validation examples; evaluate --split test")?, VALIDATION_BINARISATION_SEED),
    };
    let set = match limit {
        Some(n) => set.take(n),
        None => set,
    };
    let train = FolderSplit::new(loaded.data.train, modalities, config);
    let real = FolderSplit::new(set, modalities, config);
    Ok([real.binarised(seed), real, train])
}

/// Every modality of the model is in the data, with the same size and names.
fn check_fits(data: &[folder::Modality], config: &ModelConfig) -> Result<()> {
    for m in &config.modalities {
        let Some(found) = data.iter().find(|d| d.name == m.name) else {
            bail!("the model's modality `{}` is not in this folder (it has: {}); evaluate on the folder it was trained on", m.name, data.iter().map(|d| d.name.as_str()).collect::<Vec<_>>().join(", "));
        };
        let names = match &found.kind {
            folder::Kind::Categorical(n) | folder::Kind::Attributes(n) => n.clone(),
            folder::Kind::Image { .. } => Vec::new(),
        };
        if found.size() != m.size() || (!names.is_empty() && names != m.labels) {
            bail!("the model's `{}` ({} values {:?}) differs from this folder's ({} values {:?}); evaluate on the folder it was trained on", m.name, m.size(), m.labels, found.size(), names);
        }
    }
    Ok(())
}

impl DatasetKind for FolderImages {
    fn name(&self) -> &'static str {
        "folder"
    }

    fn load_training(&self, data: &DataArgs, validation: usize, limit: Option<usize>) -> Result<(Splits, ModelConfig)> {
        let Loaded { data: loaded, config } = load(data, validation)?;
        let modalities = &loaded.modalities;
        let train = match limit {
            Some(n) => {
                eprintln!("  --limit {n}: training on the first {} of the {} training examples", n.min(loaded.train.len), loaded.train.len);
                loaded.train.take(n)
            }
            None => loaded.train,
        };
        let splits = Splits {
            train: Box::new(FolderSplit::new(train, modalities, &config)),
            validation: loaded.validation.map(|v| Box::new(FolderSplit::new(v, modalities, &config).held_out(VALIDATION_BINARISATION_SEED)) as Box<dyn Examples>),
            test: Box::new(FolderSplit::new(loaded.test, modalities, &config).held_out(TEST_BINARISATION_SEED)),
        };
        Ok((splits, config))
    }

    fn watch(&self, model: &Jmvae, split: &dyn Examples, monitor: &Monitor, _elbo: f64, device: &Device) -> Result<Watched> {
        let subset = First::of(split, monitor.examples);
        // As for the digits: JMVAE-zero and the CVAE propose from the joint encoder.
        let names: Vec<&str> = model.config.modalities.iter().map(|m| m.name.as_str()).collect();
        let proposal: &[&str] = if model.unimodal_encoders.is_empty() { &names } else { &[IMAGE] };
        let value = mean_log_marginals(model, &subset, proposal, &[&[IMAGE]], monitor.k, MONITOR_LOG_PX, device)?[0];
        let quantity = if model.config.conditions.is_empty() { "log p(x)" } else { "log p(x|w)" };
        let reads = |name: &str| model.config.conditions.is_empty() && model.config.modality(name).is_ok();
        let label_accuracy = reads(LABEL).then(|| class_accuracy(model, split, IMAGE, LABEL, device)).transpose()?;
        let attribute_accuracy = reads(ATTRIBUTES).then(|| attribute_accuracy(model, split, IMAGE, ATTRIBUTES, device).map(|a| mean(&a))).transpose()?;
        Ok(Watched { log_px: Some(LogPx { quantity, value, k: monitor.k, examples: subset.len() }), label_accuracy, attribute_accuracy, score: Some(value) })
    }

    fn best_rule(&self, config: &ModelConfig) -> &'static str {
        if config.conditions.is_empty() {
            "highest validation log p(x) of the image (the monitor's K and examples)"
        } else {
            "highest validation log p(x|w) (q(z|x,w) proposal, the monitor's K and examples)"
        }
    }

    fn evaluate(&self, model: &Jmvae, request: &EvalRequest, device: &Device) -> Result<Box<dyn Report>> {
        // The judges are checked against the model before the folder is read, which takes longer.
        let judges = load_judges(&model.config, request.judge, request.judges, device)?;
        let validation = if request.options.split == SplitName::Validation { request.validation } else { 0 };
        let loaded = load(request.data, validation)?;
        let [split, real, train] = split_for(loaded, &model.config, request.options.split, request.limit)?;
        Ok(Box::new(evaluate(model, [&split, &real, &train], &judges, &request.options, device)?))
    }

    fn examples(&self, data: &DataArgs, split: SplitName, validation: usize, limit: usize) -> Result<Box<dyn Examples>> {
        let loaded = load(data, if split == SplitName::Validation { validation } else { 0 })?;
        let config = loaded.config.clone();
        let [estimated, ..] = split_for(loaded, &config, split, Some(limit))?;
        Ok(Box::new(estimated))
    }

    fn train_judge(&self, request: &JudgeRequest, device: &Device) -> Result<String> {
        train_judge(request, device)
    }

    fn sample(&self, model: &Jmvae, request: &SampleRequest, device: &Device) -> Result<Grid> {
        let image = model.config.modality(IMAGE)?;
        let side = *image.shape.last().expect("an image shape");
        let channels = image.size() / (side * side);
        let rows = conditions(&model.config, request)?;
        let mut grid = Grid { images: Vec::new(), rows: rows.len(), cols: request.samples.max(1), side, channels, outputs: Vec::new() };
        let image = model.config.index_of(IMAGE)?;
        for (name, observation, shown) in rows {
            let given = observe(&model.config, &[(name.clone(), observation)], device)?;
            let generated = generate(model, &given, request.samples, request.seed, request.temperature)?;
            let mut record = json!({ "given": { (name.as_str()): shown } });
            for (m, modality) in model.config.modalities.iter().enumerate() {
                record[&modality.name] = json!(generated[m].clone().into_data().try_to_vec::<f32>()?);
            }
            grid.images.extend(generated[image].clone().into_data().try_to_vec::<f32>()?);
            grid.outputs.push(record);
        }
        Ok(grid)
    }
}

/// The grid's rows: the `--attributes` sets, else each class of `label` (or `--label`), else
/// each class of the first categorical modality.
fn conditions(config: &ModelConfig, request: &SampleRequest) -> Result<Vec<(String, Observation, serde_json::Value)>> {
    if !request.attributes.is_empty() {
        let names = &config.modality(ATTRIBUTES).context("--attributes: this model has no `attributes` modality")?.labels;
        return request.attributes.iter().map(|set| Ok((ATTRIBUTES.to_string(), Observation::Values(attribute_vector(names, set)?), json!(set)))).collect();
    }
    let categorical = config.modality(LABEL).ok().or_else(|| config.modalities.iter().find(|m| m.kind == ModalityKind::Categorical));
    let Some(categorical) = categorical else {
        bail!("this model has no categorical modality to generate from; give --attributes A,B,... for a model with attributes");
    };
    let classes: Vec<usize> = match request.label {
        Some(l) if l >= categorical.labels.len() => bail!("--label {l}: `{}` has {} classes (0 to {})", categorical.name, categorical.labels.len(), categorical.labels.len() - 1),
        Some(l) => vec![l],
        None => (0..categorical.labels.len()).collect(),
    };
    Ok(classes.into_iter().map(|c| (categorical.name.clone(), Observation::Class(c), json!(categorical.labels[c]))).collect())
}
