//! What the training loop and the metrics need of a split: its size and its examples as named
//! model inputs, matched to a model's modalities by name, never by position.

use std::fmt;

use anyhow::{Result, bail};
use burn::tensor::{Device, Tensor};
use clap::ValueEnum;
use jmvae::{Inputs, ModelConfig};
use serde::{Deserialize, Serialize};

/// A chunk of examples: one `[rows, size]` tensor per modality the data has, by name.
pub struct Batch(Vec<(String, Tensor<2>)>);

impl Batch {
    /// The named tensors of one chunk.
    pub fn new(named: Vec<(&str, Tensor<2>)>) -> Self {
        Self(named.into_iter().map(|(name, x)| (name.to_string(), x)).collect())
    }

    /// The tensor of the modality called `name`.
    pub fn get(&self, name: &str) -> Result<Tensor<2>> {
        match self.0.iter().find(|(n, _)| n == name) {
            Some((_, x)) => Ok(x.clone()),
            None => bail!("the model's modality `{name}` is not in the data (it has: {})", self.names().join(", ")),
        }
    }

    /// One tensor per modality of `config`, in the config's order; a modality the data lacks
    /// is refused, one the model lacks (a VAE's label) is left out.
    pub fn for_model(&self, config: &ModelConfig) -> Result<Vec<Tensor<2>>> {
        config.modalities.iter().map(|m| self.get(&m.name)).collect()
    }

    /// The model's inputs with every modality of `config` given.
    pub fn all_given(&self, config: &ModelConfig) -> Result<Inputs> {
        Ok(self.for_model(config)?.into_iter().map(Some).collect())
    }

    /// The model's inputs with only the modalities called `names` given.
    pub fn given(&self, config: &ModelConfig, names: &[&str]) -> Result<Inputs> {
        let named = names.iter().map(|&n| Ok((n, self.get(n)?))).collect::<Result<Vec<_>>>()?;
        Ok(config.given(named)?)
    }

    fn names(&self) -> Vec<&str> {
        self.0.iter().map(|(n, _)| n.as_str()).collect()
    }
}

/// A split the loop can batch: its size and the model inputs of any of its examples.
pub trait Examples {
    /// Number of examples.
    fn len(&self) -> usize;
    /// The examples at `indices`, as named `[indices.len(), size]` tensors.
    fn inputs(&self, indices: &[usize], device: &Device) -> Batch;
}

/// A borrowed split is one too, so that an epoch can hand out faces without copying them.
impl<T: Examples> Examples for &T {
    fn len(&self) -> usize {
        (**self).len()
    }

    fn inputs(&self, indices: &[usize], device: &Device) -> Batch {
        (**self).inputs(indices, device)
    }
}

/// The first `len` examples of a split.
pub struct First<'a> {
    split: &'a dyn Examples,
    len: usize,
}

impl<'a> First<'a> {
    /// The first `len` examples of `split` (all of them when it has fewer).
    pub fn of(split: &'a dyn Examples, len: usize) -> Self {
        Self { split, len: len.min(split.len()) }
    }
}

impl Examples for First<'_> {
    fn len(&self) -> usize {
        self.len
    }

    fn inputs(&self, indices: &[usize], device: &Device) -> Batch {
        self.split.inputs(indices, device)
    }
}

/// Training examples, which may be drawn afresh each epoch (MNIST's binarisation).
pub trait TrainingSet {
    /// Number of examples.
    fn len(&self) -> usize;
    /// The examples of one epoch; `seed` draws whatever is random in them.
    fn epoch(&self, seed: u64) -> Box<dyn Examples + '_>;
}

/// A held-out split by name: the one monitored in training, or the one an evaluation reads.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SplitName {
    /// Held-out training examples (MNIST) or CelebA's validation partition.
    Validation,
    /// The test set.
    // A report's default split, as it is the command line's.
    #[default]
    Test,
}

impl SplitName {
    /// The name reports and metrics record.
    pub fn name(self) -> &'static str {
        match self {
            Self::Validation => "validation",
            Self::Test => "test",
        }
    }
}

impl fmt::Display for SplitName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A dataset's train, validation and test splits, as the training loop sees them.
pub struct Splits {
    /// The training examples.
    pub train: Box<dyn TrainingSet>,
    /// The validation split, when the run holds one out.
    pub validation: Option<Box<dyn Examples>>,
    /// The test split.
    pub test: Box<dyn Examples>,
}

impl Splits {
    /// The split the loop monitors and selects checkpoints on: validation when there is one,
    /// else the test set (the old behaviour, kept for runs without --validation); and its name.
    pub fn monitored(&self) -> (&dyn Examples, SplitName) {
        match &self.validation {
            Some(v) => (v.as_ref(), SplitName::Validation),
            None => (self.test.as_ref(), SplitName::Test),
        }
    }
}
