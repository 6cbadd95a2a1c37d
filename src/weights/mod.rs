//! Shipped weights: a safetensors file of parameters and a JSON manifest that says what they are.
//!
//! safetensors is what other tools (PyTorch, JAX, the `safetensors` CLI) read, so the weights are
//! inspectable and portable; the manifest carries what safetensors cannot: the model config,
//! the modality names and labels, provenance, evaluated metrics and the file's sha256, which
//! the loader checks before trusting the bytes.

pub mod precision;
mod tensors;

use burn::tensor::Device;
use serde::{Deserialize, Serialize};

use crate::config::ModelConfig;
use crate::error::ModelError;
use crate::infer::Temperature;
use crate::model::Jmvae;

pub use precision::Precision;
pub use tensors::{from_safetensors, sha256_hex, to_safetensors};

/// The manifest format this crate writes and reads.
pub const MANIFEST_FORMAT: &str = "jmvae-manifest/1";

/// Everything needed to rebuild a model from its weights file, and where the weights came from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// Always [`MANIFEST_FORMAT`].
    pub format: String,
    /// A short name for the model, e.g. `mnist-jmvae-kl`.
    pub name: String,
    /// The dataset the weights were trained on.
    pub dataset: String,
    /// The networks, modalities, names and labels.
    pub config: ModelConfig,
    /// The weights file beside the manifest.
    pub weights: WeightsFile,
    /// How they were trained (command, epochs, alpha, ...), as the trainer recorded it.
    #[serde(default)]
    pub training: serde_json::Value,
    /// Evaluated metrics, as `jmvae eval` wrote them.
    #[serde(default)]
    pub metrics: serde_json::Value,
    /// Licence or usage notice that applies to the weights.
    #[serde(default)]
    pub notice: Option<String>,
    /// How callers should sample by default (absent: τ = 1, the model's own q(z|given)).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sampling: Option<Sampling>,
}

/// The default sampling settings a manifest carries, and how they were chosen.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Sampling {
    /// The temperature τ that generation uses unless the caller gives one.
    pub temperature: Temperature,
    /// The rule that chose it, on which split (never the test set).
    #[serde(default)]
    pub chosen_by: String,
}

impl Manifest {
    /// The temperature to sample at when the caller gives none.
    pub fn default_temperature(&self) -> Temperature {
        self.sampling.as_ref().map_or(Temperature::ONE, |s| s.temperature)
    }
}

/// The safetensors file that a manifest describes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WeightsFile {
    /// File name, relative to the manifest.
    pub file: String,
    /// Storage precision of the parameters: `f32`, `f16`, `int8`, `mixed`, `int4` or `mixed4`.
    pub dtype: Precision,
    /// Size in bytes.
    pub bytes: u64,
    /// Lower-case hex sha256 of the file.
    pub sha256: String,
}

/// What a manifest records beside the weights themselves: where they came from and how
/// they did, as the trainer knows it.
#[derive(Clone, Debug, Default)]
pub struct Provenance {
    /// The manifest's short name.
    pub name: String,
    /// The dataset the weights were trained on.
    pub dataset: String,
    /// The training record.
    pub training: serde_json::Value,
    /// Evaluated metrics.
    pub metrics: serde_json::Value,
    /// Licence or usage notice.
    pub notice: Option<String>,
    /// Default sampling settings.
    pub sampling: Option<Sampling>,
}

impl Manifest {
    /// The weights file of `model` at `precision`, named `file`, and the manifest describing it.
    pub fn export(model: &Jmvae, precision: Precision, file: &str, provenance: Provenance) -> Result<(Self, Vec<u8>), ModelError> {
        let bytes = to_safetensors(model, precision)?;
        let Provenance { name, dataset, training, metrics, notice, sampling } = provenance;
        let weights = WeightsFile { file: file.into(), dtype: precision, bytes: bytes.len() as u64, sha256: sha256_hex(&bytes) };
        let manifest =
            Self { format: MANIFEST_FORMAT.into(), name, dataset, config: model.config.clone(), weights, training, metrics, notice, sampling };
        Ok((manifest, bytes))
    }

    /// What the manifest says beside the weights, to carry into a new export of them.
    pub fn provenance(&self) -> Provenance {
        let Self { name, dataset, training, metrics, notice, sampling, .. } = self.clone();
        Provenance { name, dataset, training, metrics, notice, sampling }
    }

    /// Read the manifest at `path` and the weights beside it, and build the model: the one
    /// native loader (the browser fetches the same two files and calls [`Manifest::load`]).
    #[cfg(not(target_family = "wasm"))]
    pub fn read(path: &std::path::Path, device: &Device) -> Result<(Self, Jmvae), ModelError> {
        let read = |path: &std::path::Path, what: &str| {
            std::fs::read(path).map_err(|e| ModelError::File(format!("cannot read the {what} `{}`: {e}", path.display())))
        };
        let text = read(path, "manifest")?;
        let manifest = Self::from_json(&String::from_utf8_lossy(&text)).map_err(|e| ModelError::File(format!("`{}`: {e}", path.display())))?;
        let weights = path.with_file_name(&manifest.weights.file);
        let model = manifest
            .load(read(&weights, "weights")?, device)
            .map_err(|e| ModelError::File(format!("`{}`: {e}", weights.display())))?;
        Ok((manifest, model))
    }

    /// Parse a manifest and check its format and config.
    pub fn from_json(text: &str) -> Result<Self, ModelError> {
        let manifest: Manifest = serde_json::from_str(text)
            .map_err(|e| ModelError::InvalidWeights(format!("the manifest is not valid: {e}")))?;
        if manifest.format != MANIFEST_FORMAT {
            return Err(ModelError::InvalidWeights(format!(
                "manifest format `{}` is not `{MANIFEST_FORMAT}`",
                manifest.format
            )));
        }
        let file = &manifest.weights.file;
        if file.is_empty() || file == "." || file == ".." || file.contains(['/', '\\']) {
            return Err(ModelError::InvalidWeights(format!(
                "the weights file `{file}` must be a plain file name, beside the manifest"
            )));
        }
        manifest.config.validate()?;
        Ok(manifest)
    }

    /// Check that `bytes` are the weights this manifest describes, then build the model.
    pub fn load(&self, bytes: Vec<u8>, device: &Device) -> Result<Jmvae, ModelError> {
        if bytes.len() as u64 != self.weights.bytes {
            return Err(ModelError::InvalidWeights(format!(
                "`{}` has {} bytes, the manifest says {} (truncated or replaced?)",
                self.weights.file,
                bytes.len(),
                self.weights.bytes
            )));
        }
        let actual = sha256_hex(&bytes);
        if actual != self.weights.sha256 {
            return Err(ModelError::InvalidWeights(format!(
                "`{}` has sha256 {actual}, the manifest says {} (corrupt or from another model?)",
                self.weights.file, self.weights.sha256
            )));
        }
        from_safetensors(&self.config, bytes, device)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::infer::{Observation, generate, observe};

    fn manifest_for(config: &ModelConfig, bytes: &[u8], dtype: &str) -> Manifest {
        let dtype: Precision = dtype.parse().unwrap();
        Manifest {
            format: MANIFEST_FORMAT.into(),
            name: "test".into(),
            dataset: "none".into(),
            config: config.clone(),
            weights: WeightsFile {
                file: "w.safetensors".into(),
                dtype,
                bytes: bytes.len() as u64,
                sha256: sha256_hex(bytes),
            },
            training: serde_json::Value::Null,
            metrics: serde_json::Value::Null,
            notice: None,
            sampling: None,
        }
    }

    fn digits(model: &Jmvae) -> Vec<f32> {
        let given = observe(&model.config, &[("label".into(), Observation::Class(5))], &Device::default()).unwrap();
        generate(model, &given, 3, 9, Temperature::ONE).unwrap()[0].clone().into_data().try_to_vec::<f32>().unwrap()
    }

    #[test]
    fn f32_round_trip_is_exact_and_f16_is_close() {
        let device = Device::default();
        let config = ModelConfig::mnist();
        let model = Jmvae::new(&config, &device).unwrap();
        let expected = digits(&model);
        let full = to_safetensors(&model, Precision::F32).unwrap();
        let half = to_safetensors(&model, Precision::F16).unwrap();
        let int8 = to_safetensors(&model, Precision::Int8).unwrap();
        assert!(int8.len() < full.len() * 3 / 10, "{} vs {}", int8.len(), full.len());
        assert!(half.len() < full.len() * 6 / 10, "{} vs {}", half.len(), full.len());
        let loaded = manifest_for(&config, &full, "f32").load(full.clone(), &device).unwrap();
        assert_eq!(digits(&loaded), expected);
        let loaded = manifest_for(&config, &half, "f16").load(half.clone(), &device).unwrap();
        let worst = digits(&loaded).iter().zip(&expected).map(|(a, b)| (a - b).abs()).fold(0.0, f32::max);
        assert!(worst < 2e-3, "f16 moved an output by {worst}");
        let loaded = manifest_for(&config, &int8, "int8").load(int8.clone(), &device).unwrap();
        let worst = digits(&loaded).iter().zip(&expected).map(|(a, b)| (a - b).abs()).fold(0.0, f32::max);
        assert!(worst < 3e-2, "int8 moved an output by {worst}");
    }

    #[test]
    fn corrupt_or_mismatched_weights_are_refused() {
        let device = Device::default();
        let config = ModelConfig::mnist();
        let bytes = to_safetensors(&Jmvae::new(&config, &device).unwrap(), Precision::F16).unwrap();
        let manifest = manifest_for(&config, &bytes, "f16");

        let err = manifest.load(bytes[..bytes.len() - 10].to_vec(), &device).unwrap_err().to_string();
        assert!(err.contains("truncated"), "{err}");

        let mut flipped = bytes.clone();
        let last = flipped.len() - 1;
        flipped[last] ^= 0xff;
        assert!(manifest.load(flipped, &device).unwrap_err().to_string().contains("sha256"));

        // Weights of another architecture, correctly hashed, still do not fit.
        let mut small = config.clone();
        small.latent = 8;
        let err = manifest_for(&small, &bytes, "f16").load(bytes.clone(), &device).unwrap_err().to_string();
        assert!(err.contains("do not fit") && err.contains("the config needs [512, 8]"), "{err}");
        assert!(err.contains("tensor `joint_encoder.head.mean.weight` has shape [512, 64]"), "{err}");

        let garbage = b"not safetensors at all".to_vec();
        assert!(manifest_for(&config, &garbage, "f16").load(garbage, &device).is_err());
    }

    #[test]
    fn manifest_json_is_checked() {
        let config = ModelConfig::mnist();
        let m = manifest_for(&config, b"x", "f32");
        let json = serde_json::to_string(&m).unwrap();
        assert_eq!(Manifest::from_json(&json).unwrap(), m);
        let wrong = json.replace(MANIFEST_FORMAT, "other/9");
        assert!(Manifest::from_json(&wrong).unwrap_err().to_string().contains("other/9"));
        assert!(Manifest::from_json("{").unwrap_err().to_string().contains("not valid"));
        for elsewhere in ["../w.safetensors", "/etc/passwd", "a\\\\b", ""] {
            let moved = json.replace("\"w.safetensors\"", &serde_json::to_string(elsewhere).unwrap());
            let err = Manifest::from_json(&moved).unwrap_err().to_string();
            assert!(err.contains("must be a plain file name"), "{elsewhere}: {err}");
        }
        assert_eq!(m.default_temperature(), Temperature::ONE);
        let mut tempered = m.clone();
        tempered.sampling = Some(Sampling { temperature: Temperature::new(0.5).unwrap(), chosen_by: "test".into() });
        let json = serde_json::to_string(&tempered).unwrap();
        assert_eq!(Manifest::from_json(&json).unwrap().default_temperature().value(), 0.5);
        let hot = json.replace("\"temperature\":0.5", "\"temperature\":11");
        assert!(Manifest::from_json(&hot).unwrap_err().to_string().contains("temperature 11"));
    }
}
