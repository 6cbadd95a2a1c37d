//! Data augmentation for training faces: left-right mirrors, which leave every CelebA
//! attribute true (none of the 40 names a side).

use burn::tensor::{Tensor, TensorData};
use jmvae::SeededRng;

/// Mirror left to right the rows of `images` (`[batch, c * h * w]`, channels first) that
/// `rng` picks, each with probability 1/2.
pub fn flip_some(images: Tensor<2>, shape: &[usize], rng: &mut SeededRng) -> Tensor<2> {
    let [batch, size] = images.dims();
    let picked: Vec<f32> = (0..batch).map(|_| (rng.next_u64() >> 63) as f32).collect();
    let mask = Tensor::<2>::from_data(TensorData::new(picked, [batch, 1]), &images.device());
    let mirrored = images.clone().reshape([batch, shape[0], shape[1], shape[2]]).flip([3]).reshape([batch, size]);
    images * mask.clone().neg().add_scalar(1.0) + mirrored * mask
}

#[cfg(test)]
mod tests {
    use super::*;
    use burn::tensor::Device;

    #[test]
    fn a_picked_row_is_mirrored_and_the_others_are_untouched() {
        let device = Device::default();
        // Two rows of one channel, 1 x 3: [1, 2, 3] and [4, 5, 6], 64 times over, so that
        // both outcomes occur.
        let rows: Vec<f32> = (0..64).flat_map(|i| [1.0, 2.0, 3.0].map(|v| v + 3.0 * (i % 2) as f32)).collect();
        let images = Tensor::<2>::from_data(TensorData::new(rows.clone(), [64, 3]), &device);
        let out = flip_some(images, &[1, 1, 3], &mut SeededRng::new(1)).into_data().try_to_vec::<f32>().unwrap();
        let mut mirrored = 0;
        for (got, was) in out.chunks(3).zip(rows.chunks(3)) {
            let reversed: Vec<f32> = was.iter().rev().copied().collect();
            assert!(got == was || got == reversed.as_slice(), "{got:?} from {was:?}");
            mirrored += usize::from(got != was);
        }
        assert!((16..=48).contains(&mirrored), "{mirrored} of 64 mirrored");
    }
}
