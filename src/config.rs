//! The serde description of a JMVAE: its modalities, their networks, the joint layer and z.

use serde::{Deserialize, Serialize};

use crate::error::ModelError;

/// What a modality is, which fixes its likelihood p(m|z).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ModalityKind {
    /// Pixels in {0, 1}: independent Bernoullis (MNIST).
    BinaryImage,
    /// Intensities in [0, 1]: Gaussian with a fixed standard deviation around a sigmoid mean.
    ColourImage,
    /// One class out of `labels`: a categorical (softmax) distribution.
    Categorical,
    /// One flag per entry of `labels`: independent Bernoullis (face attributes).
    BinaryAttributes,
}

/// A stack of hidden layers, each followed by a ReLU.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum NetworkConfig {
    /// Fully connected layers of the given widths.
    Mlp {
        /// Width of each hidden layer, input side first.
        hidden: Vec<usize>,
    },
}

impl NetworkConfig {
    /// A fully connected stack of the given widths.
    pub fn mlp(hidden: &[usize]) -> Self {
        Self::Mlp { hidden: hidden.to_vec() }
    }

    /// The width of the last layer, or `input` when the stack is empty.
    pub fn output_size(&self, input: usize) -> usize {
        match self {
            Self::Mlp { hidden } => hidden.last().copied().unwrap_or(input),
        }
    }
}

/// One observed modality and the three networks that touch it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ModalityConfig {
    /// The name callers use for it (`image`, `label`, `attributes`).
    pub name: String,
    /// Its kind, which fixes the likelihood.
    pub kind: ModalityKind,
    /// Its shape without the batch dimension, e.g. `[28, 28]`, `[3, 64, 64]` or `[10]`.
    pub shape: Vec<usize>,
    /// Class names (categorical) or attribute names (binary attributes); empty for images.
    #[serde(default)]
    pub labels: Vec<String>,
    /// The modality's branch inside the joint encoder q(z|all).
    pub branch: NetworkConfig,
    /// The hidden layers of the unimodal encoder q(z|m).
    pub encoder: NetworkConfig,
    /// The hidden layers of the decoder p(m|z).
    pub decoder: NetworkConfig,
    /// Standard deviation of the Gaussian likelihood (colour images only).
    #[serde(default = "default_sigma")]
    pub sigma: f32,
}

fn default_sigma() -> f32 {
    0.1
}

impl ModalityConfig {
    /// Number of values in one example of this modality.
    pub fn size(&self) -> usize {
        self.shape.iter().product()
    }
}

/// The whole model: modalities, joint layer, latent size.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ModelConfig {
    /// The modalities, in a fixed order that every tensor list follows.
    pub modalities: Vec<ModalityConfig>,
    /// Hidden layers applied to the concatenated branches of the joint encoder.
    pub joint: NetworkConfig,
    /// Dimension of the shared latent z.
    pub latent: usize,
    /// Whether to build q(z|m) for each modality (JMVAE-kl); without them, missing
    /// modalities are fed to the joint encoder as zeros (JMVAE-zero).
    pub unimodal_encoders: bool,
}

impl ModelConfig {
    /// The reference MNIST JMVAE of the paper (image 28x28 + label, z = 64).
    pub fn mnist() -> Self {
        let digits = (0..10).map(|d| d.to_string()).collect();
        Self {
            modalities: vec![
                ModalityConfig {
                    name: "image".into(),
                    kind: ModalityKind::BinaryImage,
                    shape: vec![28, 28],
                    labels: vec![],
                    branch: NetworkConfig::mlp(&[512]),
                    encoder: NetworkConfig::mlp(&[512, 512]),
                    decoder: NetworkConfig::mlp(&[512, 512]),
                    sigma: default_sigma(),
                },
                ModalityConfig {
                    name: "label".into(),
                    kind: ModalityKind::Categorical,
                    shape: vec![10],
                    labels: digits,
                    branch: NetworkConfig::mlp(&[512]),
                    encoder: NetworkConfig::mlp(&[512, 512]),
                    decoder: NetworkConfig::mlp(&[512, 512]),
                    sigma: default_sigma(),
                },
            ],
            joint: NetworkConfig::mlp(&[512]),
            latent: 64,
            unimodal_encoders: true,
        }
    }

    /// The paper's VAE baseline on MNIST images: the same image networks, no label.
    pub fn mnist_vae() -> Self {
        let mut config = Self::mnist();
        config.modalities.truncate(1);
        config.unimodal_encoders = false;
        config
    }

    /// The position of the modality called `name`.
    pub fn index_of(&self, name: &str) -> Result<usize, ModelError> {
        self.modalities.iter().position(|m| m.name == name).ok_or_else(|| {
            ModelError::UnknownModality {
                name: name.to_string(),
                known: self.modalities.iter().map(|m| m.name.clone()).collect(),
            }
        })
    }

    /// Check what the type system cannot: sizes, names and labels that agree.
    pub fn validate(&self) -> Result<(), ModelError> {
        let bad = |why: String| Err(ModelError::InvalidConfig(why));
        if self.modalities.is_empty() {
            return bad("a model needs at least one modality".into());
        }
        if self.latent == 0 {
            return bad("the latent size must be positive".into());
        }
        for (i, m) in self.modalities.iter().enumerate() {
            if m.name.is_empty() || self.modalities[..i].iter().any(|o| o.name == m.name) {
                return bad(format!("modality names must be unique and non-empty (`{}`)", m.name));
            }
            if m.size() == 0 {
                return bad(format!("modality `{}` has an empty shape {:?}", m.name, m.shape));
            }
            let labelled = matches!(m.kind, ModalityKind::Categorical | ModalityKind::BinaryAttributes);
            if labelled && m.labels.len() != m.size() {
                return bad(format!(
                    "modality `{}` has {} labels for {} values",
                    m.name,
                    m.labels.len(),
                    m.size()
                ));
            }
            if !(m.sigma > 0.0) {
                return bad(format!("modality `{}` needs sigma > 0", m.name));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mnist_config_round_trips_through_json() {
        let config = ModelConfig::mnist();
        config.validate().unwrap();
        let json = serde_json::to_string_pretty(&config).unwrap();
        let back: ModelConfig = serde_json::from_str(&json).unwrap();
        assert_eq!(back, config);
        assert!(json.contains("\"binary_image\""));
    }

    #[test]
    fn unknown_modality_is_named_in_the_error() {
        let err = ModelConfig::mnist().index_of("audio").unwrap_err().to_string();
        assert!(err.contains("audio") && err.contains("image") && err.contains("label"), "{err}");
    }

    #[test]
    fn label_count_must_match_the_shape() {
        let mut config = ModelConfig::mnist();
        config.modalities[1].labels.pop();
        assert!(config.validate().unwrap_err().to_string().contains("9 labels for 10"));
    }
}
