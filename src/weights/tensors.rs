//! The safetensors file itself: the model's parameters out and in, with a canonical header.

use std::collections::BTreeMap;

use burn::store::{ApplyError, ModuleSnapshot, SafetensorsStore};
use burn::tensor::Device;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::precision::{Precision, image_networks, narrow, widen};
use crate::config::ModelConfig;
use crate::error::ModelError;
use crate::model::Jmvae;

/// Lower-case hex sha256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// The model's parameters as safetensors bytes stored at `precision`.
pub fn to_safetensors(model: &Jmvae, precision: Precision) -> Result<Vec<u8>, ModelError> {
    let mut store = SafetensorsStore::from_bytes(None).metadata("model", "jmvae");
    model.save_into(&mut store).map_err(|e| ModelError::InvalidWeights(e.to_string()))?;
    let f32_file = store.get_bytes().map_err(|e| ModelError::InvalidWeights(e.to_string()))?;
    canonical(narrow(&f32_file, precision, &image_networks(&model.config))?)
}

/// Load parameters from safetensors bytes into a fresh model of `config` on `device`; every
/// parameter must be present with the right shape, and nothing else may be in the file.
pub fn from_safetensors(config: &ModelConfig, bytes: Vec<u8>, device: &Device) -> Result<Jmvae, ModelError> {
    let mut model = Jmvae::new(config, device)?;
    // Every problem comes back in the result (not as the store's first error), so that the
    // message can name each tensor that does not fit.
    let mut store = SafetensorsStore::from_bytes(Some(widen(bytes)?)).validate(false).allow_partial(true);
    let result = model
        .load_from(&mut store)
        .map_err(|e| ModelError::InvalidWeights(format!("the weights do not fit this model's config: {e}")))?;
    let mut problems: Vec<String> = Vec::new();
    problems.extend(result.errors.iter().map(|e| match e {
        ApplyError::ShapeMismatch { path, expected, found } => {
            format!("tensor `{path}` has shape {:?}, the config needs {:?}", found.as_slice(), expected.as_slice())
        }
        other => other.to_string(),
    }));
    problems.extend(result.missing.iter().map(|(path, _)| format!("missing tensor `{path}`")));
    problems.extend(result.unused.iter().map(|path| format!("unexpected tensor `{path}`")));
    if !problems.is_empty() {
        let shown = problems.iter().take(5).cloned().collect::<Vec<_>>().join("; ");
        return Err(ModelError::InvalidWeights(format!(
            "the weights do not fit this model's config ({} problem{}: {shown})",
            problems.len(),
            if problems.len() == 1 { "" } else { "s" }
        )));
    }
    Ok(model)
}

/// One entry of a safetensors header: the metadata, or a tensor's dtype, shape and byte range.
#[derive(Serialize, Deserialize)]
#[serde(untagged)]
enum HeaderEntry {
    /// The `__metadata__` strings.
    Metadata(BTreeMap<String, String>),
    /// A tensor.
    Tensor { dtype: String, shape: Vec<usize>, data_offsets: [u64; 2] },
}

/// The same file with its JSON header in sorted key order, so that the same parameters always
/// give the same bytes: safetensors writes its metadata in hash-map order, which varies by run.
fn canonical(bytes: Vec<u8>) -> Result<Vec<u8>, ModelError> {
    let bad = |why: String| ModelError::InvalidWeights(format!("cannot canonicalise the safetensors header: {why}"));
    let length: [u8; 8] = bytes.get(..8).and_then(|b| b.try_into().ok()).ok_or_else(|| bad("too short".into()))?;
    let end = usize::try_from(u64::from_le_bytes(length)).ok().and_then(|n| n.checked_add(8)).filter(|&e| e <= bytes.len());
    let end = end.ok_or_else(|| bad("the header length exceeds the file".into()))?;
    let header: BTreeMap<String, HeaderEntry> = serde_json::from_slice(&bytes[8..end]).map_err(|e| bad(e.to_string()))?;
    let mut text = serde_json::to_vec(&header).map_err(|e| bad(e.to_string()))?;
    // The format pads the header with spaces so that the data starts 8-byte aligned.
    text.resize(text.len().next_multiple_of(8), b' ');
    let mut out = Vec::with_capacity(8 + text.len() + bytes.len() - end);
    out.extend_from_slice(&(text.len() as u64).to_le_bytes());
    out.extend_from_slice(&text);
    out.extend_from_slice(&bytes[end..]);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_model_always_gives_the_same_bytes() {
        let device = Device::default();
        let model = Jmvae::new(&ModelConfig::mnist(), &device).unwrap();
        for precision in [Precision::F32, Precision::Mixed] {
            let first = to_safetensors(&model, precision).unwrap();
            for _ in 0..3 {
                assert_eq!(to_safetensors(&model, precision).unwrap(), first, "{precision:?}");
            }
            let back = from_safetensors(&model.config, first.clone(), &device).unwrap();
            assert_eq!(to_safetensors(&back, precision).unwrap(), first, "{precision:?} after a round trip");
        }
    }
}
