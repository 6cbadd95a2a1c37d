//! int4 storage: two signed 4-bit values a byte, one f16 scale per output unit and group of
//! `INT4_GROUP` rows (the layout is stated in `precision.rs`'s header). Narrowing a matrix to
//! it, and widening it back with every scale checked.

use half::f16;
use safetensors::Dtype;

use super::{INT4_GROUP, INT4_SCALE_SUFFIX, Owned, f16_values};
use crate::error::ModelError;

/// Symmetric int4 quantisation of a row-major `rows x columns` matrix, one scale per column
/// and group of `INT4_GROUP` rows: the packed nibbles and the scales (as stored, f16-exact).
pub(super) fn quantise_int4(values: &[f32], rows: usize, columns: usize) -> (Vec<u8>, Vec<f32>) {
    let mut scales = vec![0.0f32; rows.div_ceil(INT4_GROUP) * columns];
    for (i, v) in values.iter().enumerate() {
        let at = (i / columns) / INT4_GROUP * columns + i % columns;
        scales[at] = scales[at].max(v.abs() / 7.0);
    }
    // Quantise against the scale as it will be read back, so rounding the scale costs nothing.
    for s in &mut scales {
        *s = f16::from_f32(*s).to_f32();
    }
    let half = columns.div_ceil(2);
    let mut packed = vec![0u8; rows * half];
    for (i, v) in values.iter().enumerate() {
        let (row, column) = (i / columns, i % columns);
        let s = scales[row / INT4_GROUP * columns + column];
        let q = if s == 0.0 { 0 } else { (v / s).round().clamp(-7.0, 7.0) as i32 };
        let nibble = (q + 8) as u8;
        packed[row * half + column / 2] |= if column % 2 == 0 { nibble } else { nibble << 4 };
    }
    (packed, scales)
}

/// The f32 matrix of an int4 tensor and its group scales, checked: the scales' shape fits the
/// packed matrix, and each scale is finite, non-negative, and 0 only over zeros.
pub(super) fn widen_int4(t: &Owned, scale: &Owned) -> Result<(Vec<usize>, Vec<f32>), ModelError> {
    let scale_name = format!("{}{INT4_SCALE_SUFFIX}", t.name);
    let (&[rows, half], Dtype::F16, &[groups, columns]) = (t.shape.as_slice(), scale.dtype, scale.shape.as_slice()) else {
        return Err(ModelError::InvalidWeights(format!(
            "int4 tensor `{}` must be a u8 matrix [inputs, ceil(outputs / 2)] with f16 scales `{scale_name}` [groups, outputs]; \
             it has shape {:?} and scales {:?} of {:?}",
            t.name, t.shape, scale.shape, scale.dtype
        )));
    };
    if half != columns.div_ceil(2) || groups != rows.div_ceil(INT4_GROUP) {
        return Err(ModelError::InvalidWeights(format!(
            "int4 tensor `{}` [{rows}, {half}] does not fit its scales `{scale_name}` [{groups}, {columns}] \
             (expected [{}, {columns}] for {rows} rows of {INT4_GROUP} per scale)",
            t.name,
            rows.div_ceil(INT4_GROUP)
        )));
    }
    let scales = f16_values(&scale.data);
    if let Some(at) = scales.iter().position(|s| !s.is_finite() || *s < 0.0) {
        return Err(ModelError::InvalidWeights(format!(
            "`{scale_name}` holds {} at {at}; int4 scales must be finite and non-negative",
            scales[at]
        )));
    }
    let mut values = Vec::with_capacity(rows * columns);
    for row in 0..rows {
        for column in 0..columns {
            let byte = t.data[row * half + column / 2];
            let q = if column % 2 == 0 { byte & 0x0f } else { byte >> 4 } as i32 - 8;
            let s = scales[row / INT4_GROUP * columns + column];
            if s == 0.0 && q != 0 {
                return Err(ModelError::InvalidWeights(format!(
                    "`{scale_name}` is 0 for rows {}.. of column {column}, yet `{}` holds the non-zero int4 value {q} at [{row}, {column}]; \
                     a zero scale goes only with zeros",
                    row / INT4_GROUP * INT4_GROUP,
                    t.name
                )));
            }
            values.push(q as f32 * s);
        }
    }
    Ok((vec![rows, columns], values))
}
