//! Storage precision of shipped weights: f32, f16, int8 with one f32 scale per output unit, or
//! int4 with one f16 scale per output unit and group of rows.
//!
//! Weights are always computed in f32. They are narrowed only on disk and widened back on the
//! host while loading, so every backend runs the same arithmetic and no backend needs f16 or
//! int8 support (many WebGPU adapters, SwiftShader and most phones among them, lack
//! `shader-f16`).
//!
//! int8 stores each matrix `[inputs, outputs]` as `round(w / s_j)` with
//! `s_j = max_i |w_ij| / 127` per output column j, under the tensor's own name, and the scales
//! as `<name>.int8_scale` (f32, `[outputs]`); vectors (biases) are stored in f16.
//!
//! int4 stores each matrix as `round(w / s_gj)` in [-7, 7], two entries a byte (column 2k in
//! the low nibble, 2k+1 in the high one, each as q + 8), as a `u8` tensor `[inputs,
//! ceil(outputs / 2)]` under the tensor's own name; `s_gj = max |w_ij| / 7` over the
//! `INT4_GROUP` rows i of group g, per column j, stored in f16 as `<name>.int4_scale`
//! (`[ceil(inputs / INT4_GROUP), outputs]`). Small groups keep one large weight from
//! coarsening a whole column.
//!
//! `mixed` keeps the generative model exact to f16 and narrows only the inference networks:
//! the decoders p(x_m|z) (tensors under `decoders.`) in f16, the encoders in int8. The encoders
//! only propose latents, so their rounding barely moves the likelihood, while the decoders'
//! rounding changes the model itself. Loading needs nothing new: each tensor is widened by its
//! own dtype.
//!
//! `mixed4` is for the page's bytes: each image modality's decoder p(x|z) and encoder q(z|x)
//! in int8, every other matrix (the joint encoder, the other modalities' networks) in int4.
//! Those two networks are what log p(x) is made of (the model of hundreds of pixels, and the
//! proposal of its estimate), and 4 bits there cost 4 nats (decoders) and 0.5 (encoders);
//! the rest is a third of the bytes at int8 and is far less sensitive.

use half::f16;
use safetensors::tensor::TensorView;
use safetensors::{Dtype, SafeTensors, SafeTensorError};
use serde::{Deserialize, Serialize};

use crate::error::ModelError;

mod int4;
use int4::{quantise_int4, widen_int4};

/// The suffix of the tensor that holds an int8 matrix's column scales.
pub const SCALE_SUFFIX: &str = ".int8_scale";
/// The suffix of the tensor that holds an int4 matrix's group scales.
pub const INT4_SCALE_SUFFIX: &str = ".int4_scale";
/// Rows of an int4 matrix that share one scale per column.
pub const INT4_GROUP: usize = 64;

/// How parameters are stored in a weights file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Precision {
    /// 4 bytes a parameter, exact.
    F32,
    /// 2 bytes a parameter.
    F16,
    /// 1 byte a matrix entry plus one f32 scale per output unit; vectors in f16.
    Int8,
    /// The decoders in f16, the encoders in int8.
    Mixed,
    /// Half a byte a matrix entry plus one f16 scale per output unit and 64 rows; vectors in f16.
    Int4,
    /// The image modalities' encoders and decoders in int8, every other matrix in int4.
    Mixed4,
}

/// How one matrix is stored.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Storage {
    F32,
    F16,
    Int8,
    Int4,
}

/// Where the decoders' tensors live in a weights file (their module path).
const DECODER_PREFIX: &str = "decoders.";

impl Precision {
    /// The name used in manifests and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Self::F32 => "f32",
            Self::F16 => "f16",
            Self::Int8 => "int8",
            Self::Mixed => "mixed",
            Self::Int4 => "int4",
            Self::Mixed4 => "mixed4",
        }
    }

    /// How the matrix `name` is stored at this precision; `image_networks` are the tensor-name
    /// prefixes of the image modalities' encoders and decoders (for `mixed4`).
    fn storage(self, name: &str, image_networks: &[String]) -> Storage {
        let decoder = name.starts_with(DECODER_PREFIX);
        let image = image_networks.iter().any(|prefix| name.starts_with(prefix.as_str()));
        match self {
            Self::F32 => Storage::F32,
            Self::F16 => Storage::F16,
            Self::Int8 => Storage::Int8,
            Self::Mixed if decoder => Storage::F16,
            Self::Mixed => Storage::Int8,
            Self::Int4 => Storage::Int4,
            Self::Mixed4 if image => Storage::Int8,
            Self::Mixed4 => Storage::Int4,
        }
    }
}

impl std::str::FromStr for Precision {
    type Err = ModelError;

    fn from_str(name: &str) -> Result<Self, ModelError> {
        [Self::F32, Self::F16, Self::Int8, Self::Mixed, Self::Int4, Self::Mixed4]
            .into_iter()
            .find(|p| p.name() == name)
            .ok_or_else(|| {
                ModelError::InvalidConfig(format!("precision `{name}` is not one of f32, f16, int8, mixed, int4, mixed4"))
            })
    }
}

/// One tensor of a safetensors file, owned.
struct Owned {
    name: String,
    dtype: Dtype,
    shape: Vec<usize>,
    data: Vec<u8>,
}

fn invalid(e: SafeTensorError) -> ModelError {
    ModelError::InvalidWeights(format!("not a safetensors file: {e}"))
}

/// The 8-byte header length at the start of a safetensors file, checked against the file's
/// size first, so a damaged length names both numbers rather than the format's terse error.
fn check_header_length(bytes: &[u8]) -> Result<(), ModelError> {
    let Some(length) = bytes.get(..8) else {
        return Err(ModelError::InvalidWeights(format!(
            "not a safetensors file: {} bytes, too short for the 8-byte header length",
            bytes.len()
        )));
    };
    let length = u64::from_le_bytes(length.try_into().expect("8 bytes"));
    let available = bytes.len() as u64 - 8;
    if length > available {
        return Err(ModelError::InvalidWeights(format!(
            "not a safetensors file: its header length says {length} bytes, but only {available} follow it (truncated or corrupt)"
        )));
    }
    Ok(())
}

fn read_all(bytes: &[u8]) -> Result<(Vec<Owned>, Option<std::collections::HashMap<String, String>>), ModelError> {
    check_header_length(bytes)?;
    let file = SafeTensors::deserialize(bytes).map_err(invalid)?;
    let (_, header) = SafeTensors::read_metadata(bytes).map_err(invalid)?;
    let tensors = file
        .tensors()
        .into_iter()
        .map(|(name, view)| Owned { name, dtype: view.dtype(), shape: view.shape().to_vec(), data: view.data().to_vec() })
        .collect();
    Ok((tensors, header.metadata().clone()))
}

fn write_all(tensors: &[Owned], metadata: Option<std::collections::HashMap<String, String>>) -> Result<Vec<u8>, ModelError> {
    let views = tensors.iter().map(|t| {
        let view = TensorView::new(t.dtype, t.shape.clone(), &t.data).expect("sizes agree by construction");
        (t.name.as_str(), view)
    });
    safetensors::serialize(views, metadata).map_err(invalid)
}

fn f32_values(data: &[u8]) -> Vec<f32> {
    data.chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect()
}

fn f16_values(data: &[u8]) -> Vec<f32> {
    data.chunks_exact(2).map(|h| f16::from_le_bytes([h[0], h[1]]).to_f32()).collect()
}

fn f16_bytes(values: &[f32]) -> Vec<u8> {
    values.iter().flat_map(|&v| f16::from_f32(v).to_le_bytes()).collect()
}

fn f32_bytes(values: impl IntoIterator<Item = f32>) -> Vec<u8> {
    values.into_iter().flat_map(f32::to_le_bytes).collect()
}

/// The tensor-name prefixes of the networks of the image modalities of `config` (their
/// unimodal encoders and decoders), which `mixed4` keeps in int8.
pub fn image_networks(config: &crate::ModelConfig) -> Vec<String> {
    use crate::config::ModalityKind::{BinaryImage, ColourImage};
    // Decoders are numbered among the generated modalities (a CVAE's conditions have none).
    let generated = config.generated();
    let images = config.modalities.iter().enumerate().filter(|(_, m)| matches!(m.kind, BinaryImage | ColourImage));
    images
        .flat_map(|(i, _)| {
            let decoder = generated.iter().position(|&g| g == i).map(|d| format!("{DECODER_PREFIX}{d}."));
            decoder.into_iter().chain([format!("unimodal_encoders.{i}.")])
        })
        .collect()
}

/// Narrow an all-f32 safetensors file to `precision`; `image_networks` (from
/// [`image_networks`]) matter only to `mixed4`.
pub fn narrow(f32_file: &[u8], precision: Precision, image_networks: &[String]) -> Result<Vec<u8>, ModelError> {
    if precision == Precision::F32 {
        return Ok(f32_file.to_vec());
    }
    let (tensors, metadata) = read_all(f32_file)?;
    let mut out = Vec::new();
    for t in tensors {
        if t.dtype != Dtype::F32 {
            out.push(t);
            continue;
        }
        let values = f32_values(&t.data);
        let storage = if t.shape.len() == 2 { precision.storage(&t.name, image_networks) } else { Storage::F16 };
        match storage {
            Storage::F32 => out.push(Owned { data: f32_bytes(values), ..t }),
            Storage::F16 => out.push(Owned { dtype: Dtype::F16, data: f16_bytes(&values), ..t }),
            Storage::Int8 => {
                let (quantised, scales) = quantise_columns(&values, t.shape[1]);
                out.push(Owned { name: format!("{}{SCALE_SUFFIX}", t.name), dtype: Dtype::F32, shape: vec![t.shape[1]], data: f32_bytes(scales) });
                out.push(Owned { name: t.name, dtype: Dtype::I8, shape: t.shape, data: quantised.iter().map(|&q| q as u8).collect() });
            }
            Storage::Int4 => {
                let (rows, columns) = (t.shape[0], t.shape[1]);
                let (packed, scales) = quantise_int4(&values, rows, columns);
                let groups = rows.div_ceil(INT4_GROUP);
                out.push(Owned { name: format!("{}{INT4_SCALE_SUFFIX}", t.name), dtype: Dtype::F16, shape: vec![groups, columns], data: f16_bytes(&scales) });
                out.push(Owned { name: t.name, dtype: Dtype::U8, shape: vec![rows, columns.div_ceil(2)], data: packed });
            }
        }
    }
    write_all(&out, metadata)
}

/// Symmetric int8 quantisation of a row-major matrix with `columns` columns, one scale each.
fn quantise_columns(values: &[f32], columns: usize) -> (Vec<i8>, Vec<f32>) {
    let mut scales = vec![0.0f32; columns];
    for (i, v) in values.iter().enumerate() {
        scales[i % columns] = scales[i % columns].max(v.abs() / 127.0);
    }
    let quantised = values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let s = scales[i % columns];
            if s == 0.0 { 0 } else { (v / s).round().clamp(-127.0, 127.0) as i8 }
        })
        .collect();
    (quantised, scales)
}

/// Refuse a tensor that holds NaN or an infinity, naming it: a model loaded from it would
/// compute nothing but NaN.
fn check_finite(name: &str, values: &[f32]) -> Result<(), ModelError> {
    match values.iter().position(|v| !v.is_finite()) {
        None => Ok(()),
        Some(i) => Err(ModelError::InvalidWeights(format!(
            "tensor `{name}` holds {} at index {i} of {}; the weights are corrupt (or were saved from a diverged run)",
            values[i],
            values.len()
        ))),
    }
}

/// Check the column scales of the int8 matrix `name`: each must be finite and non-negative,
/// and a zero scale (what the exporter writes for an all-zero column) may only go with a
/// column of zeros, since any other value would silently become 0.
fn check_scales(name: &str, quantised: &[u8], scales: &[f32]) -> Result<(), ModelError> {
    let scale_name = format!("{name}{SCALE_SUFFIX}");
    if let Some(j) = scales.iter().position(|s| !s.is_finite() || *s < 0.0) {
        return Err(ModelError::InvalidWeights(format!(
            "`{scale_name}` holds {} for column {j}; int8 scales must be finite and non-negative",
            scales[j]
        )));
    }
    let columns = scales.len();
    if let Some(i) = quantised.iter().enumerate().position(|(i, &q)| q != 0 && scales[i % columns] == 0.0) {
        let j = i % columns;
        return Err(ModelError::InvalidWeights(format!(
            "`{scale_name}` is 0 for column {j}, yet `{name}` holds the non-zero int8 value {} there (index {i}); \
             a zero scale goes only with an all-zero column",
            quantised[i] as i8
        )));
    }
    Ok(())
}

/// Widen a safetensors file of any of the precisions above to all-f32 tensors. A tensor that
/// holds NaN or an infinity, or an int8 scale that is not finite, negative, or 0 under
/// non-zero values, is refused, naming the tensor.
pub fn widen(bytes: Vec<u8>) -> Result<Vec<u8>, ModelError> {
    let (tensors, metadata) = read_all(&bytes)?;
    if tensors.iter().all(|t| t.dtype == Dtype::F32) {
        for t in &tensors {
            check_finite(&t.name, &f32_values(&t.data))?;
        }
        return Ok(bytes);
    }
    let scale_of = |name: &str| tensors.iter().find(|t| t.name == format!("{name}{SCALE_SUFFIX}"));
    let int4_scale_of = |name: &str| tensors.iter().find(|t| t.name == format!("{name}{INT4_SCALE_SUFFIX}"));
    let mut out = Vec::new();
    for t in &tensors {
        if t.name.ends_with(SCALE_SUFFIX) || t.name.ends_with(INT4_SCALE_SUFFIX) {
            continue;
        }
        if t.dtype == Dtype::U8 {
            let scale = int4_scale_of(&t.name).ok_or_else(|| {
                ModelError::InvalidWeights(format!("u8 tensor `{}` has no `{}{INT4_SCALE_SUFFIX}` (int4 scales)", t.name, t.name))
            })?;
            let (shape, values) = widen_int4(t, scale)?;
            check_finite(&t.name, &values)?;
            out.push(Owned { name: t.name.clone(), dtype: Dtype::F32, shape, data: f32_bytes(values) });
            continue;
        }
        let values: Vec<f32> = match t.dtype {
            Dtype::F32 => f32_values(&t.data),
            Dtype::F16 => f16_values(&t.data),
            Dtype::I8 => {
                let scale = scale_of(&t.name).ok_or_else(|| {
                    ModelError::InvalidWeights(format!("int8 tensor `{}` has no `{}{SCALE_SUFFIX}`", t.name, t.name))
                })?;
                // narrow writes int8 only for matrices; a scalar would have 0 columns.
                let &[_, columns] = t.shape.as_slice() else {
                    return Err(ModelError::InvalidWeights(format!(
                        "int8 tensor `{}` has shape {:?}, not a matrix [inputs, outputs]",
                        t.name, t.shape
                    )));
                };
                let scales = f32_values(&scale.data);
                if scale.dtype != Dtype::F32 || scales.len() != columns {
                    return Err(ModelError::InvalidWeights(format!(
                        "`{}{SCALE_SUFFIX}` must hold {columns} f32 scales",
                        t.name
                    )));
                }
                check_scales(&t.name, &t.data, &scales)?;
                t.data.iter().enumerate().map(|(i, &q)| q as i8 as f32 * scales[i % columns]).collect()
            }
            other => {
                return Err(ModelError::InvalidWeights(format!("tensor `{}` has unsupported dtype {other:?}", t.name)));
            }
        };
        check_finite(&t.name, &values)?;
        out.push(Owned { name: t.name.clone(), dtype: Dtype::F32, shape: t.shape.clone(), data: f32_bytes(values) });
    }
    write_all(&out, metadata)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(values: &[f32], shape: &[usize]) -> Vec<u8> {
        write_all(&[Owned { name: "w".into(), dtype: Dtype::F32, shape: shape.to_vec(), data: f32_bytes(values.iter().copied()) }], None).unwrap()
    }

    fn values_of(bytes: Vec<u8>) -> Vec<f32> {
        let (tensors, _) = read_all(&widen(bytes).unwrap()).unwrap();
        assert_eq!(tensors.len(), 1, "scales are folded back into their matrix");
        f32_values(&tensors[0].data)
    }

    #[test]
    fn int8_keeps_each_column_within_half_a_step() {
        let w = [0.5f32, -100.0, -0.25, 50.0, 0.0, 1.0];
        let back = values_of(narrow(&file(&w, &[3, 2]), Precision::Int8, &[]).unwrap());
        for (i, (a, b)) in w.iter().zip(&back).enumerate() {
            let step = if i % 2 == 0 { 0.5 / 127.0 } else { 100.0 / 127.0 };
            assert!((a - b).abs() <= step / 2.0 + 1e-6, "{a} vs {b}");
        }
        // A column of zeros has scale 0 and stays exactly zero.
        assert_eq!(values_of(narrow(&file(&[0.0; 4], &[2, 2]), Precision::Int8, &[]).unwrap()), vec![0.0; 4]);
    }

    #[test]
    fn f16_and_f32_round_trip() {
        let w = [1.0f32, -2.5, 0.1];
        assert_eq!(values_of(narrow(&file(&w, &[3]), Precision::F32, &[]).unwrap()), w.to_vec());
        let back = values_of(narrow(&file(&w, &[3]), Precision::F16, &[]).unwrap());
        assert!(back.iter().zip(&w).all(|(a, b)| (a - b).abs() < 1e-3));
    }

    #[test]
    fn mixed_keeps_the_decoders_in_f16_and_narrows_the_encoders() {
        let w = [0.3f32, -0.7, 0.1, 0.9];
        let tensor = |name: &str| Owned { name: name.into(), dtype: Dtype::F32, shape: vec![2, 2], data: f32_bytes(w) };
        let f32_file = write_all(&[tensor("decoders.0.logits.weight"), tensor("joint_encoder.head.mean.weight")], None).unwrap();
        let (narrowed, _) = read_all(&narrow(&f32_file, Precision::Mixed, &[]).unwrap()).unwrap();
        let dtype = |name: &str| narrowed.iter().find(|t| t.name == name).map(|t| t.dtype);
        assert_eq!(dtype("decoders.0.logits.weight"), Some(Dtype::F16));
        assert_eq!(dtype("joint_encoder.head.mean.weight"), Some(Dtype::I8));
        assert!(dtype("joint_encoder.head.mean.weight.int8_scale").is_some());
        assert_eq!("mixed".parse::<Precision>().unwrap(), Precision::Mixed);
    }

    #[test]
    fn int4_keeps_each_group_within_half_a_step() {
        // Two row groups (INT4_GROUP + 8 rows) of 3 columns, one large weight in the first.
        let (rows, columns) = (INT4_GROUP + 8, 3);
        let mut w: Vec<f32> = (0..rows * columns).map(|i| ((i * 37 % 11) as f32 - 5.0) / 50.0).collect();
        w[0] = 3.0; // row 0, column 0: coarsens only column 0's first group
        let back = values_of(narrow(&file(&w, &[rows, columns]), Precision::Int4, &[]).unwrap());
        for (i, (a, b)) in w.iter().zip(&back).enumerate() {
            let (row, column) = (i / columns, i % columns);
            let group = (row / INT4_GROUP) * INT4_GROUP..((row / INT4_GROUP + 1) * INT4_GROUP).min(rows);
            let max = group.map(|r| w[r * columns + column].abs()).fold(0.0f32, f32::max);
            let step = f16::from_f32(max / 7.0).to_f32();
            assert!((a - b).abs() <= step / 2.0 + 1e-6, "[{row}, {column}]: {a} vs {b} (step {step})");
        }
        // An odd number of columns packs into ceil(columns / 2) bytes a row.
        let (narrowed, _) = read_all(&narrow(&file(&w, &[rows, columns]), Precision::Int4, &[]).unwrap()).unwrap();
        let packed = narrowed.iter().find(|t| t.name == "w").unwrap();
        assert_eq!((packed.dtype, packed.shape.clone()), (Dtype::U8, vec![rows, 2]));
    }

    #[test]
    fn mixed4_keeps_the_image_networks_in_int8_and_the_rest_in_int4() {
        let w = [0.3f32, -0.7, 0.1, 0.9];
        let tensor = |name: &str| Owned { name: name.into(), dtype: Dtype::F32, shape: vec![2, 2], data: f32_bytes(w) };
        let names = ["decoders.0.logits.weight", "unimodal_encoders.0.head.mean.weight", "decoders.1.logits.weight", "joint_encoder.head.mean.weight"];
        let f32_file = write_all(&names.map(tensor), None).unwrap();
        // MNIST: modality 0 is the image, 1 the label.
        let images = image_networks(&crate::ModelConfig::mnist());
        assert_eq!(images, ["decoders.0.", "unimodal_encoders.0."]);
        let (narrowed, _) = read_all(&narrow(&f32_file, Precision::Mixed4, &images).unwrap()).unwrap();
        let dtype = |name: &str| narrowed.iter().find(|t| t.name == name).map(|t| t.dtype);
        assert_eq!(dtype("decoders.0.logits.weight"), Some(Dtype::I8));
        assert_eq!(dtype("unimodal_encoders.0.head.mean.weight"), Some(Dtype::I8));
        assert_eq!(dtype("decoders.1.logits.weight"), Some(Dtype::U8));
        assert_eq!(dtype("joint_encoder.head.mean.weight"), Some(Dtype::U8));
        assert_eq!(dtype("joint_encoder.head.mean.weight.int4_scale"), Some(Dtype::F16));
        assert_eq!("mixed4".parse::<Precision>().unwrap(), Precision::Mixed4);
    }

    fn int4_file(packed: &[u8], shape: &[usize], scales: &[f32], scale_shape: &[usize]) -> Vec<u8> {
        let q = Owned { name: "w".into(), dtype: Dtype::U8, shape: shape.to_vec(), data: packed.to_vec() };
        let s = Owned { name: format!("w{INT4_SCALE_SUFFIX}"), dtype: Dtype::F16, shape: scale_shape.to_vec(), data: f16_bytes(scales) };
        write_all(&[q, s], None).unwrap()
    }

    #[test]
    fn int4_tensors_that_do_not_fit_their_scales_are_refused() {
        // 2 x 2 entries: nibbles 8 + q; q = 1, -1 in row 0, 0, 7 in row 1.
        let packed = [0x79, 0xf8];
        assert_eq!(values_of(int4_file(&packed, &[2, 1], &[0.5, 0.25], &[1, 2])), vec![0.5, -0.25, 0.0, 1.75]);
        let err = widen(int4_file(&packed, &[2, 1], &[0.5, 0.25, 0.5, 0.25], &[2, 2])).unwrap_err().to_string();
        assert!(err.contains("does not fit its scales"), "{err}");
        let err = widen(int4_file(&packed, &[2, 1], &[0.0, 0.25], &[1, 2])).unwrap_err().to_string();
        assert!(err.contains("is 0 for rows 0.. of column 0") && err.contains("non-zero int4 value 1"), "{err}");
        let err = widen(int4_file(&packed, &[2, 1], &[f32::NAN, 0.25], &[1, 2])).unwrap_err().to_string();
        assert!(err.contains("holds NaN at 0"), "{err}");
        let err = widen(int4_file(&packed, &[2], &[0.5, 0.25], &[1, 2])).unwrap_err().to_string();
        assert!(err.contains("must be a u8 matrix"), "{err}");
        let q = Owned { name: "w".into(), dtype: Dtype::U8, shape: vec![1, 1], data: vec![0x88] };
        let err = widen(write_all(&[q], None).unwrap()).unwrap_err().to_string();
        assert!(err.contains("has no `w.int4_scale`"), "{err}");
    }

    fn int8_file(quantised: &[i8], scales: &[f32]) -> Vec<u8> {
        let q = Owned { name: "w".into(), dtype: Dtype::I8, shape: vec![2, 2], data: quantised.iter().map(|&q| q as u8).collect() };
        let s = Owned { name: format!("w{SCALE_SUFFIX}"), dtype: Dtype::F32, shape: vec![2], data: f32_bytes(scales.iter().copied()) };
        write_all(&[q, s], None).unwrap()
    }

    #[test]
    fn nan_and_infinite_weights_are_refused_naming_the_tensor() {
        let err = widen(file(&[1.0, f32::NAN, 3.0], &[3])).unwrap_err().to_string();
        assert!(err.contains("tensor `w` holds NaN at index 1 of 3"), "{err}");
        let err = widen(narrow(&file(&[1.0, 2.0, f32::INFINITY], &[3]), Precision::F16, &[]).unwrap()).unwrap_err().to_string();
        assert!(err.contains("tensor `w` holds inf at index 2 of 3"), "{err}");
        let err = widen(file(&[f32::NEG_INFINITY], &[1])).unwrap_err().to_string();
        assert!(err.contains("holds -inf"), "{err}");
    }

    #[test]
    fn int8_scales_that_are_zero_under_values_nan_or_negative_are_refused() {
        // A zero scale over an all-zero column is what the exporter writes, and loads.
        assert_eq!(values_of(int8_file(&[0, 5, 0, -3], &[0.0, 0.5])), vec![0.0, 2.5, 0.0, -1.5]);
        let err = widen(int8_file(&[1, 5, 0, -3], &[0.0, 0.5])).unwrap_err().to_string();
        assert!(err.contains("`w.int8_scale` is 0 for column 0") && err.contains("non-zero int8 value 1"), "{err}");
        let err = widen(int8_file(&[1, 5, 0, -3], &[0.1, f32::NAN])).unwrap_err().to_string();
        assert!(err.contains("`w.int8_scale` holds NaN for column 1"), "{err}");
        let err = widen(int8_file(&[1, 5, 0, -3], &[f32::INFINITY, 0.1])).unwrap_err().to_string();
        assert!(err.contains("holds inf for column 0"), "{err}");
        let err = widen(int8_file(&[1, 5, 0, -3], &[0.1, -0.1])).unwrap_err().to_string();
        assert!(err.contains("holds -0.1 for column 1") && err.contains("non-negative"), "{err}");
        // A scale so large that the widened value overflows is caught by the finite check.
        let err = widen(int8_file(&[127, 0, 0, 0], &[f32::MAX, 0.0])).unwrap_err().to_string();
        assert!(err.contains("tensor `w` holds inf"), "{err}");
    }

    #[test]
    fn a_header_length_beyond_the_file_is_refused_with_both_sizes() {
        let mut bytes = file(&[1.0, 2.0], &[2]);
        let claimed = bytes.len() as u64 + 100;
        bytes[..8].copy_from_slice(&claimed.to_le_bytes());
        let err = widen(bytes.clone()).unwrap_err().to_string();
        let follow = bytes.len() - 8;
        assert!(err.contains(&format!("header length says {claimed} bytes, but only {follow} follow it")), "{err}");
        let err = widen(bytes[..5].to_vec()).unwrap_err().to_string();
        assert!(err.contains("5 bytes, too short"), "{err}");
    }

    #[test]
    fn an_int8_tensor_that_is_not_a_matrix_is_refused() {
        // fuzz/corpus/weights/scalar-int8: a scalar int8 tensor with an empty scale vector
        // passed the scale count check, then widening divided by its 0 columns (a panic).
        let q = Owned { name: "w".into(), dtype: Dtype::I8, shape: vec![], data: vec![5] };
        let s = Owned { name: "w.int8_scale".into(), dtype: Dtype::F32, shape: vec![0], data: vec![] };
        let err = widen(write_all(&[q, s], None).unwrap()).unwrap_err().to_string();
        assert!(err.contains("int8 tensor `w` has shape [], not a matrix"), "{err}");
    }

    #[test]
    fn an_int8_matrix_without_its_scales_is_refused() {
        let q = Owned { name: "w".into(), dtype: Dtype::I8, shape: vec![2], data: vec![1, 2] };
        let err = widen(write_all(&[q], None).unwrap()).unwrap_err().to_string();
        assert!(err.contains("has no `w.int8_scale`"), "{err}");
    }
}
