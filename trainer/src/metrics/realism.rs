//! How real generated faces look, measured without downloaded networks.
//!
//! - A Fréchet distance between generated and real faces, computed on the penultimate
//!   features of the project's own attribute classifier (`judges::attributes`). It is FID's
//!   formula, not FID: FID reads Inception-v3 features, which cannot be downloaded here, so
//!   these values are comparable with each other only.
//! - The sharpness ratio: the mean variance of the Laplacian of generated faces over that of
//!   real faces (1 is as sharp as real faces; a blurry decoder scores well below).

use anyhow::Result;
use burn::tensor::Device;
use jmvae::Jmvae;
use jmvae::infer::{Temperature, generate};
use nalgebra::{DMatrix, DVector};
use serde::Serialize;

use crate::batch::chunks;
use crate::examples::Examples;
use crate::judges::attributes::{AttributeClassifier, FEATURES};
use crate::modalities::{ATTRIBUTES, IMAGE};

/// Realism of the faces generated from a split's attribute vectors, against its real faces.
#[derive(Clone, Debug, Serialize)]
pub struct Realism {
    /// Fréchet distance between the classifier features of generated and real faces.
    pub frechet_classifier_features: f64,
    /// Mean variance of the Laplacian of the generated faces (grey levels in [0, 1]).
    pub laplacian_variance_generated: f64,
    /// The same for the real faces.
    pub laplacian_variance_real: f64,
    /// Generated over real: the sharpness ratio.
    pub sharpness_ratio: f64,
    /// The temperature faces were generated at.
    pub temperature: f32,
    /// Faces of each kind.
    pub examples: usize,
}

/// One face per example of `split`, generated from its attributes at `temperature`, set
/// against the split's real faces.
pub fn realism(model: &Jmvae, judge: &AttributeClassifier, split: &dyn Examples, temperature: Temperature, seed: u64, device: &Device) -> Result<Realism> {
    let image = model.config.index_of(IMAGE)?;
    let shape = &model.config.modalities[image].shape;
    let (mut real_features, mut fake_features) = (Vec::new(), Vec::new());
    let (mut real_sharpness, mut fake_sharpness) = (0.0, 0.0);
    for (chunk, indices) in chunks(split.len(), 200).into_iter().enumerate() {
        let batch = split.inputs(&indices, device);
        let real = batch.get(IMAGE)?;
        let given = batch.given(&model.config, &[ATTRIBUTES])?;
        let fake = generate(model, &given, 1, seed + chunk as u64, temperature)?.swap_remove(image);
        for (images, features, sharpness) in [(real, &mut real_features, &mut real_sharpness), (fake, &mut fake_features, &mut fake_sharpness)] {
            features.extend(judge.features(images.clone()).into_data().try_to_vec::<f32>()?);
            let pixels = images.into_data().try_to_vec::<f32>()?;
            *sharpness += pixels.chunks(pixels.len() / indices.len()).map(|face| laplacian_variance(face, shape)).sum::<f64>();
        }
    }
    let n = split.len();
    let (real, fake) = (real_sharpness / n as f64, fake_sharpness / n as f64);
    Ok(Realism {
        frechet_classifier_features: frechet_distance(&fake_features, &real_features, FEATURES),
        laplacian_variance_generated: fake,
        laplacian_variance_real: real,
        sharpness_ratio: fake / real,
        temperature: temperature.value(),
        examples: n,
    })
}

/// The variance over interior pixels of the 4-neighbour Laplacian of a `[3, h, w]` face's
/// grey levels (ITU-R 601 luma), the usual measure of focus.
pub fn laplacian_variance(face: &[f32], shape: &[usize]) -> f64 {
    let (h, w) = (shape[1], shape[2]);
    let plane = h * w;
    let grey: Vec<f64> = (0..plane).map(|i| 0.299 * face[i] as f64 + 0.587 * face[plane + i] as f64 + 0.114 * face[2 * plane + i] as f64).collect();
    let laplacian: Vec<f64> = (1..h - 1)
        .flat_map(|y| (1..w - 1).map(move |x| (y, x)))
        .map(|(y, x)| grey[(y - 1) * w + x] + grey[(y + 1) * w + x] + grey[y * w + x - 1] + grey[y * w + x + 1] - 4.0 * grey[y * w + x])
        .collect();
    let mean = laplacian.iter().sum::<f64>() / laplacian.len() as f64;
    laplacian.iter().map(|l| (l - mean).powi(2)).sum::<f64>() / laplacian.len() as f64
}

/// ‖μ_a − μ_b‖² + tr C_a + tr C_b − 2 tr (C_a C_b)^½ between the rows (`width` features each)
/// of `a` and `b`, the Fréchet distance of the Gaussians fitted to them.
///
/// With X and Y the centred rows over √(n − 1), C_a = XᵀX and C_b = YᵀY, and the eigenvalues
/// of C_a C_b are the squared singular values of X Yᵀ; with X = Q_a R_a and Y = Q_b R_b (thin
/// QR), those are the singular values of R_a R_bᵀ. So tr (C_a C_b)^½ is the sum of the singular
/// values of a `width` x `width` matrix: no matrix square root, which is unstable on the
/// rank-deficient covariances of ReLU features (dead units), and f64 throughout.
pub fn frechet_distance(a: &[f32], b: &[f32], width: usize) -> f64 {
    let (mean_a, x) = centred(a, width);
    let (mean_b, y) = centred(b, width);
    let gap = (mean_a - mean_b).norm_squared();
    let traces = x.norm_squared() + y.norm_squared();
    let cross = (triangle(x) * triangle(y).transpose()).singular_values().sum();
    (gap + traces - 2.0 * cross).max(0.0)
}

/// R of the thin QR of `x` (`width` x `width`, zero-padded when there are fewer rows).
fn triangle(x: DMatrix<f64>) -> DMatrix<f64> {
    let width = x.ncols();
    let x = if x.nrows() < width { x.resize_vertically(width, 0.0) } else { x };
    x.qr().r()
}

/// The column means of the rows of `rows`, and the rows minus them over √(n − 1).
fn centred(rows: &[f32], width: usize) -> (DVector<f64>, DMatrix<f64>) {
    let n = rows.len() / width;
    let x = DMatrix::from_row_iterator(n, width, rows.iter().map(|v| *v as f64));
    let mean = DVector::from_iterator(width, x.column_iter().map(|c| c.mean()));
    let scale = 1.0 / ((n.max(2) - 1) as f64).sqrt();
    (mean.clone(), DMatrix::from_fn(n, width, |i, j| (x[(i, j)] - mean[j]) * scale))
}

#[cfg(test)]
mod tests {
    use super::*;
    use jmvae::SeededRng;

    fn normals(n: usize, width: usize, scale: &[f32], shift: &[f32], seed: u64) -> Vec<f32> {
        let z = SeededRng::new(seed).normals(n * width);
        z.chunks(width).flat_map(|r| r.iter().enumerate().map(|(j, v)| v * scale[j] + shift[j]).collect::<Vec<_>>()).collect()
    }

    #[test]
    fn the_distance_of_a_sample_to_itself_is_zero() {
        let a = normals(300, 4, &[1.0, 2.0, 0.5, 1.0], &[0.0; 4], 1);
        assert!(frechet_distance(&a, &a, 4) < 1e-3);
    }

    #[test]
    fn gaussians_with_known_moments_have_the_closed_form_distance() {
        // Independent coordinates: d = Σ (μ_a − μ_b)² + (σ_a − σ_b)², here 9 + 1 + 0 + 0 = 10.
        let a = normals(20_000, 2, &[1.0, 1.0], &[0.0, 0.0], 2);
        let b = normals(20_000, 2, &[1.0, 2.0], &[3.0, 0.0], 3);
        let d = frechet_distance(&a, &b, 2);
        assert!((d - 10.0).abs() < 0.3, "{d}");
    }

    #[test]
    fn dead_features_and_fewer_rows_than_features_leave_the_distance_exact() {
        // A feature that is always 0 (a dead ReLU) makes both covariances singular; shifting
        // every row by s then moves the distance by exactly ‖s‖² = 0.25 + 4 = 4.25.
        let a: Vec<f32> = normals(50, 3, &[1.0, 0.0, 2.0], &[0.0; 3], 4);
        let b: Vec<f32> = a.chunks(3).flat_map(|r| [r[0] + 0.5, r[1], r[2] - 2.0]).collect();
        assert!((frechet_distance(&a, &b, 3) - 4.25).abs() < 1e-4);
        // Fewer faces than features: still zero against itself.
        let few = normals(5, 8, &[1.0; 8], &[0.0; 8], 5);
        assert!(frechet_distance(&few, &few, 8) < 1e-4);
    }

    #[test]
    fn a_flat_face_has_no_laplacian_and_a_checkerboard_a_large_one() {
        let shape = [3, 8, 8];
        assert_eq!(laplacian_variance(&[0.5; 192], &shape), 0.0);
        // A grey checkerboard of 0 and 1: the Laplacian alternates ±4, so its variance is 16.
        let board: Vec<f32> = (0..3).flat_map(|_| (0..64).map(|i| ((i / 8 + i % 8) % 2) as f32)).collect();
        assert!((laplacian_variance(&board, &shape) - 16.0).abs() < 1e-9);
        // Smoothing lowers it.
        let blurred: Vec<f32> = board.iter().map(|v| 0.25 + 0.5 * v).collect();
        assert!((laplacian_variance(&blurred, &shape) - 4.0).abs() < 1e-9);
    }
}
