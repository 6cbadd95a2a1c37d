//! A small seeded random generator shared by the trainer and the browser.
//!
//! Sampling noise is drawn here, on the host, instead of from a backend's global RNG, so the
//! same weights, inputs and seed give the same outputs natively, on WebGPU and on the CPU
//! fallback. The transcendental functions come from `libm` so that the noise is bit-identical
//! on every target.

use burn::tensor::{Device, Tensor, TensorData};

/// SplitMix64 seeding followed by xoshiro256++ (Blackman & Vigna): fast, portable, seedable.
#[derive(Clone, Debug)]
pub struct SeededRng {
    state: [u64; 4],
}

impl SeededRng {
    /// A generator whose whole stream is fixed by `seed`.
    pub fn new(seed: u64) -> Self {
        let mut x = seed;
        let mut next = || {
            x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = x;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        };
        Self { state: [next(), next(), next(), next()] }
    }

    /// The next 64 uniformly distributed bits.
    pub fn next_u64(&mut self) -> u64 {
        let s = &mut self.state;
        let result = s[0].wrapping_add(s[3]).rotate_left(23).wrapping_add(s[0]);
        let t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(45);
        result
    }

    /// A uniform draw from [0, 1) with 53 bits of precision.
    pub fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// A uniform integer in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        // Multiply-shift is unbiased enough for shuffling datasets of any practical size.
        ((self.next_u64() as u128 * n as u128) >> 64) as usize
    }

    /// `count` independent standard normal draws (Box–Muller).
    pub fn normals(&mut self, count: usize) -> Vec<f32> {
        let mut out = Vec::with_capacity(count + 1);
        while out.len() < count {
            let u1 = 1.0 - self.uniform(); // in (0, 1], so the log is finite
            let u2 = self.uniform();
            let radius = libm::sqrt(-2.0 * libm::log(u1));
            let angle = 2.0 * core::f64::consts::PI * u2;
            out.push((radius * libm::cos(angle)) as f32);
            out.push((radius * libm::sin(angle)) as f32);
        }
        out.truncate(count);
        out
    }

    /// `rows x cols` standard normals as a tensor on `device`: the noise ε of every
    /// reparameterised sample, drawn on the host so that every backend sees the same values.
    pub fn noise(&mut self, rows: usize, cols: usize, device: &Device) -> Tensor<2> {
        Tensor::from_data(TensorData::new(self.normals(rows * cols), [rows, cols]), device)
    }

    /// Binarise intensities in [0, 1]: each value becomes 1 with that probability.
    pub fn bernoulli(&mut self, probabilities: &[f32]) -> Vec<f32> {
        probabilities
            .iter()
            .map(|&p| if self.uniform() < p as f64 { 1.0 } else { 0.0 })
            .collect()
    }

    /// Shuffle a slice in place (Fisher–Yates).
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            items.swap(i, self.below(i + 1));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_gives_the_same_stream_and_other_seeds_do_not() {
        let a = SeededRng::new(7).normals(100);
        assert_eq!(a, SeededRng::new(7).normals(100));
        assert_ne!(a, SeededRng::new(8).normals(100));
    }

    #[test]
    fn normals_have_zero_mean_and_unit_variance() {
        let xs = SeededRng::new(1).normals(200_000);
        let n = xs.len() as f64;
        let mean = xs.iter().map(|&x| x as f64).sum::<f64>() / n;
        let var = xs.iter().map(|&x| (x as f64 - mean).powi(2)).sum::<f64>() / n;
        assert!(mean.abs() < 0.01, "mean {mean}");
        assert!((var - 1.0).abs() < 0.01, "variance {var}");
    }

    #[test]
    fn bernoulli_follows_its_probabilities() {
        let mut rng = SeededRng::new(3);
        let ones: f32 = rng.bernoulli(&vec![0.25; 100_000]).iter().sum();
        assert!((ones / 100_000.0 - 0.25).abs() < 0.01);
        assert_eq!(rng.bernoulli(&[0.0, 1.0]), vec![0.0, 1.0]);
    }

    #[test]
    fn shuffle_is_a_permutation() {
        let mut v: Vec<usize> = (0..1000).collect();
        SeededRng::new(5).shuffle(&mut v);
        assert_ne!(v, (0..1000).collect::<Vec<_>>());
        v.sort();
        assert_eq!(v, (0..1000).collect::<Vec<_>>());
    }
}
