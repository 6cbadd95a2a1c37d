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

/// The layers of one network, each followed by a ReLU.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum NetworkConfig {
    /// Fully connected layers of the given widths.
    Mlp {
        /// Width of each hidden layer, input side first.
        hidden: Vec<usize>,
    },
    /// For image encoders: 4x4 convolutions with stride 2 and padding 1, each halving the
    /// height and width of a `[channels, height, width]` modality, then fully connected layers.
    Conv {
        /// Output channels of each convolution, input side first.
        channels: Vec<usize>,
        /// Width of each fully connected layer after the flattened feature map.
        #[serde(default)]
        hidden: Vec<usize>,
    },
    /// For image decoders: fully connected layers from z, a projection to a `channels[0]`
    /// feature map at 1/2^n of the image's size (n = `channels.len()`), then n 4x4
    /// transposed convolutions with stride 2, through `channels[1..]` and last to the
    /// image's own channels.
    Deconv {
        /// Width of each fully connected layer from z.
        #[serde(default)]
        hidden: Vec<usize>,
        /// Channels of each feature map, smallest map first.
        channels: Vec<usize>,
    },
}

impl NetworkConfig {
    /// A fully connected stack of the given widths.
    pub fn mlp(hidden: &[usize]) -> Self {
        Self::Mlp { hidden: hidden.to_vec() }
    }

    /// Strided convolutions of the given channels, then fully connected layers.
    pub fn conv(channels: &[usize], hidden: &[usize]) -> Self {
        Self::Conv { channels: channels.to_vec(), hidden: hidden.to_vec() }
    }

    /// Fully connected layers, then transposed convolutions from the given channels.
    pub fn deconv(hidden: &[usize], channels: &[usize]) -> Self {
        Self::Deconv { hidden: hidden.to_vec(), channels: channels.to_vec() }
    }

    /// The fully connected widths.
    pub fn hidden(&self) -> &[usize] {
        match self {
            Self::Mlp { hidden } | Self::Conv { hidden, .. } | Self::Deconv { hidden, .. } => hidden,
        }
    }

    /// The size of the features this network computes from an input of `shape`, when it
    /// is used as an encoder or a branch (`[n]` for flat inputs).
    pub fn output_size(&self, shape: &[usize]) -> usize {
        self.hidden().last().copied().unwrap_or_else(|| self.flat_size(shape))
    }

    /// The size of the flattened input to the fully connected layers: the last feature map
    /// for convolutions, the input itself otherwise.
    pub fn flat_size(&self, shape: &[usize]) -> usize {
        match self {
            Self::Conv { channels, .. } if !channels.is_empty() => {
                let halvings = 1 << channels.len();
                channels[channels.len() - 1] * (shape[1] / halvings) * (shape[2] / halvings)
            }
            _ => shape.iter().product(),
        }
    }

    /// Why this network cannot read (or, for a decoder, write) a modality of `shape`, if so.
    pub(crate) fn check(&self, shape: &[usize], decoder: bool) -> Result<(), String> {
        let maps = match self {
            Self::Mlp { .. } => return Ok(()),
            Self::Conv { .. } if decoder => return Err("a `conv` network cannot decode; use `deconv`".into()),
            Self::Deconv { .. } if !decoder => return Err("a `deconv` network can only decode".into()),
            Self::Conv { channels, .. } => channels.len(),
            Self::Deconv { channels, .. } if channels.is_empty() => {
                return Err("a `deconv` network needs at least one channel count".into());
            }
            Self::Deconv { channels, .. } => channels.len(),
        };
        // 64 or more halvings would overflow the shift (a panic, or a wrong size in release).
        let Some(halvings) = u32::try_from(maps).ok().and_then(|m| 1usize.checked_shl(m)) else {
            return Err(format!("{maps} halvings do not divide the image size {shape:?}"));
        };
        match shape {
            [_, h, w] if h % halvings == 0 && w % halvings == 0 && *h >= halvings && *w >= halvings => Ok(()),
            [_, _, _] => Err(format!("{maps} halvings do not divide the image size {shape:?}")),
            _ => Err(format!("convolutions need a [channels, height, width] shape, not {shape:?}")),
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
    /// Modalities that every decoder reads beside z instead of generating them: the paper's
    /// CVAE baseline p(x|z,w) with q(z|x,w) and the prior N(0, I). Empty for JMVAE.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<String>,
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
            conditions: Vec::new(),
        }
    }

    /// The paper's VAE baseline on MNIST images: the same image networks, no label.
    pub fn mnist_vae() -> Self {
        let mut config = Self::mnist();
        config.modalities.truncate(1);
        config.unimodal_encoders = false;
        config
    }

    /// The paper's CVAE baseline on MNIST: the same image networks, the label given to the
    /// encoder q(z|x,w) and to the decoder p(x|z,w), and no p(w|z).
    pub fn mnist_cvae() -> Self {
        Self { unimodal_encoders: false, conditions: vec!["label".into()], ..Self::mnist() }
    }

    /// The faces model: a 64x64 colour image and the given binary attributes (CelebA's 40),
    /// z = 64. A lighter variant of the authors' networks, so that it trains on a CPU: the
    /// image networks are the 32-32-64-64 convolution stack with a 256-wide dense layer
    /// (Higgins et al.'s CelebA VAE), the attribute networks 256-256, the joint layer 256.
    pub fn celeba(attributes: Vec<String>) -> Self {
        let image = ModalityConfig {
            name: "image".into(),
            kind: ModalityKind::ColourImage,
            shape: vec![3, 64, 64],
            labels: vec![],
            branch: NetworkConfig::conv(&[32, 32, 64, 64], &[256]),
            encoder: NetworkConfig::conv(&[32, 32, 64, 64], &[256]),
            decoder: NetworkConfig::deconv(&[256], &[64, 64, 32, 32]),
            sigma: 0.2,
        };
        let attributes = ModalityConfig {
            name: "attributes".into(),
            kind: ModalityKind::BinaryAttributes,
            shape: vec![attributes.len()],
            labels: attributes,
            branch: NetworkConfig::mlp(&[256]),
            encoder: NetworkConfig::mlp(&[256, 256]),
            decoder: NetworkConfig::mlp(&[256, 256]),
            sigma: default_sigma(),
        };
        Self { modalities: vec![image, attributes], joint: NetworkConfig::mlp(&[256]), latent: 64, unimodal_encoders: true, conditions: Vec::new() }
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

    /// Whether modality `m` is a condition (given to the decoders, never generated).
    pub fn is_condition(&self, m: usize) -> bool {
        self.conditions.contains(&self.modalities[m].name)
    }

    /// The positions of the modalities the model generates: all of them but the conditions.
    pub fn generated(&self) -> Vec<usize> {
        (0..self.modalities.len()).filter(|&m| !self.is_condition(m)).collect()
    }

    /// The width of what every decoder reads: z and the conditions' values.
    pub fn decoder_input_size(&self) -> usize {
        let conditions: usize = (0..self.modalities.len()).filter(|&m| self.is_condition(m)).map(|m| self.modalities[m].size()).sum();
        self.latent + conditions
    }

    /// Whether a model of this config can encode the modalities flagged in `given` (config
    /// order): a CVAE needs every condition as soon as it is given anything it generates.
    pub fn check_given(&self, given: impl IntoIterator<Item = bool>) -> Result<(), ModelError> {
        let given: Vec<bool> = given.into_iter().collect();
        let generated_given = self.generated().into_iter().filter(|&m| given[m]).map(|m| self.modalities[m].name.clone());
        let generated_given: Vec<String> = generated_given.collect();
        let missing: Vec<&str> = self.conditions.iter().filter(|c| !given[self.index_of(c).expect("validated")]).map(String::as_str).collect();
        if generated_given.is_empty() || missing.is_empty() {
            return Ok(());
        }
        Err(ModelError::InvalidInput(format!(
            "this is a CVAE: it generates `{}` from `{}` and has no p({}|z), so it cannot infer `{}` from `{}`; give `{}` too",
            generated_given.join("`, `"),
            self.conditions.join("`, `"),
            missing.join(", "),
            missing.join("`, `"),
            generated_given.join("`, `"),
            missing.join("`, `"),
        )))
    }

    /// The modality called `name`.
    pub fn modality(&self, name: &str) -> Result<&ModalityConfig, ModelError> {
        Ok(&self.modalities[self.index_of(name)?])
    }

    /// The modality called `name`, to change it.
    pub fn modality_mut(&mut self, name: &str) -> Result<&mut ModalityConfig, ModelError> {
        let m = self.index_of(name)?;
        Ok(&mut self.modalities[m])
    }

    /// Check what the type system cannot: sizes, names and labels that agree.
    pub fn validate(&self) -> Result<(), ModelError> {
        let bad = |why: String| Err(ModelError::InvalidConfig(why));
        if self.modalities.is_empty() {
            return bad("a model needs at least one modality".into());
        }
        if !matches!(self.joint, NetworkConfig::Mlp { .. }) {
            return bad("the joint layers must be fully connected (`mlp`)".into());
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
            for (role, network, decoder) in
                [("branch", &m.branch, false), ("encoder", &m.encoder, false), ("decoder", &m.decoder, true)]
            {
                if let Err(why) = network.check(&m.shape, decoder) {
                    return bad(format!("modality `{}` {role}: {why}", m.name));
                }
            }
            if !(m.sigma > 0.0) {
                return bad(format!("modality `{}` needs sigma > 0", m.name));
            }
        }
        self.validate_conditions()
    }

    /// A CVAE's conditions: known, distinct, not every modality, and no unimodal encoders
    /// (its only encoder is q(z|all)).
    fn validate_conditions(&self) -> Result<(), ModelError> {
        let bad = |why: String| Err(ModelError::InvalidConfig(why));
        for (i, name) in self.conditions.iter().enumerate() {
            self.index_of(name)?;
            if self.conditions[..i].contains(name) {
                return bad(format!("condition `{name}` is listed twice"));
            }
        }
        if !self.conditions.is_empty() && self.generated().is_empty() {
            return bad("every modality is a condition: a CVAE must generate at least one".into());
        }
        if !self.conditions.is_empty() && self.unimodal_encoders {
            return bad("a CVAE (a model with conditions) has no unimodal encoders: set unimodal_encoders to false".into());
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

    fn faces() -> ModelConfig {
        ModelConfig::celeba((0..40).map(|i| format!("attribute_{i}")).collect())
    }

    #[test]
    fn celeba_config_is_valid_and_round_trips() {
        let config = faces();
        config.validate().unwrap();
        let back: ModelConfig = serde_json::from_str(&serde_json::to_string(&config).unwrap()).unwrap();
        assert_eq!(back, config);
        // Four halvings of 64 leave a 4x4 map of 64 channels before the dense layer.
        assert_eq!(config.modalities[0].encoder.flat_size(&[3, 64, 64]), 64 * 4 * 4);
        assert_eq!(config.modalities[0].encoder.output_size(&[3, 64, 64]), 256);
    }

    #[test]
    fn convolutions_are_refused_where_they_cannot_work() {
        let refused = |edit: fn(&mut ModelConfig)| {
            let mut config = faces();
            edit(&mut config);
            config.validate().unwrap_err().to_string()
        };
        assert!(refused(|c| c.modalities[1].encoder = NetworkConfig::conv(&[8], &[])).contains("[channels, height, width]"));
        assert!(refused(|c| c.modalities[0].decoder = NetworkConfig::conv(&[8], &[])).contains("cannot decode"));
        assert!(refused(|c| c.modalities[0].branch = NetworkConfig::deconv(&[], &[8])).contains("only decode"));
        assert!(refused(|c| c.modalities[0].shape = vec![3, 60, 60]).contains("do not divide"));
        assert!(refused(|c| c.joint = NetworkConfig::conv(&[8], &[])).contains("joint"));
        // fuzz/corpus/manifest/conv-64: 64 convolutions overflowed the shift `1 << 64` (a panic).
        let err = refused(|c| c.modalities[0].encoder = NetworkConfig::conv(&[8; 64], &[]));
        assert!(err.contains("64 halvings do not divide the image size [3, 64, 64]"), "{err}");
    }

    #[test]
    fn unknown_modality_is_named_in_the_error() {
        let err = ModelConfig::mnist().index_of("audio").unwrap_err().to_string();
        assert!(err.contains("audio") && err.contains("image") && err.contains("label"), "{err}");
    }

    #[test]
    fn cvae_config_is_valid_and_its_conditions_are_checked() {
        let config = ModelConfig::mnist_cvae();
        config.validate().unwrap();
        assert_eq!(config.generated(), vec![0]);
        assert_eq!(config.decoder_input_size(), 64 + 10);
        let back: ModelConfig = serde_json::from_str(&serde_json::to_string(&config).unwrap()).unwrap();
        assert_eq!(back, config);
        // A JMVAE's JSON has no `conditions`, so manifests written before CVAEs are unchanged.
        assert!(!serde_json::to_string(&ModelConfig::mnist()).unwrap().contains("conditions"));
        let refused = |edit: fn(&mut ModelConfig)| {
            let mut config = ModelConfig::mnist_cvae();
            edit(&mut config);
            config.validate().unwrap_err().to_string()
        };
        assert!(refused(|c| c.conditions = vec!["audio".into()]).contains("audio"));
        assert!(refused(|c| c.conditions.push("label".into())).contains("twice"));
        assert!(refused(|c| c.conditions.push("image".into())).contains("at least one"));
        assert!(refused(|c| c.unimodal_encoders = true).contains("no unimodal encoders"));
    }

    #[test]
    fn label_count_must_match_the_shape() {
        let mut config = ModelConfig::mnist();
        config.modalities[1].labels.pop();
        assert!(config.validate().unwrap_err().to_string().contains("9 labels for 10"));
    }
}
