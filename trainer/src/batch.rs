//! Turning host data into the per-modality tensors the model takes.

use burn::tensor::{Device, Tensor, TensorData};

use crate::mnist::{CLASSES, PIXELS, Split};

/// One-hot rows for `labels`: `[len, 10]`.
pub fn one_hot(labels: &[u8], device: &Device) -> Tensor<2> {
    let mut values = vec![0.0f32; labels.len() * CLASSES];
    for (i, &l) in labels.iter().enumerate() {
        values[i * CLASSES + l as usize] = 1.0;
    }
    Tensor::from_data(TensorData::new(values, [labels.len(), CLASSES]), device)
}

/// The images of `indices` as `[len, 784]`.
pub fn images(split: &Split, indices: &[usize], device: &Device) -> Tensor<2> {
    let mut values = Vec::with_capacity(indices.len() * PIXELS);
    for &i in indices {
        values.extend_from_slice(split.image(i));
    }
    Tensor::from_data(TensorData::new(values, [indices.len(), PIXELS]), device)
}

/// Consecutive index ranges of at most `size` covering `0..len`.
pub fn chunks(len: usize, size: usize) -> impl Iterator<Item = Vec<usize>> {
    (0..len).step_by(size.max(1)).map(move |start| (start..(start + size).min(len)).collect())
}
