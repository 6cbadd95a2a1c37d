//! Encoder widths: how wide q(z|w), q(z|x) and q(z|x,w) are on a split, over every latent
//! dimension and over the active units.

use anyhow::Result;
use burn::tensor::Device;
use jmvae::Jmvae;
use serde::Serialize;

use crate::batch::chunks;
use crate::examples::Examples;
use crate::modalities::{IMAGE, LABEL};

/// Mean σ of each encoder on a split: how wide q(z|w), q(z|x) and q(z|x,w) are, over all
/// latent dimensions and over the active ones only (the unused ones stay at the prior's σ = 1
/// whatever the encoder, and would hide what happens where the model puts its information).
#[derive(Clone, Debug, Serialize)]
pub struct EncoderWidths {
    /// Mean σ of q(z|w) over examples and latent dimensions.
    pub label: f64,
    /// Mean σ of q(z|x).
    pub image: f64,
    /// Mean σ of q(z|x,w).
    pub joint: f64,
    /// Active units (Burda et al., 2016): dimensions whose q(z|x,w) mean varies across the
    /// split with a variance above 0.01.
    pub active_units: usize,
    /// Mean σ of q(z|w) over the active units.
    pub label_active: f64,
    /// Mean σ of q(z|x) over the active units.
    pub image_active: f64,
    /// Mean σ of q(z|x,w) over the active units.
    pub joint_active: f64,
}

/// Mean σ of q(z|w), q(z|x) and q(z|x,w) over `split` (binarised images and their labels),
/// over every latent dimension and over the active units.
pub fn encoder_widths(model: &Jmvae, split: &dyn Examples, device: &Device) -> Result<EncoderWidths> {
    let latent = model.config.latent;
    // Per encoder and dimension: the sum of σ; per dimension: sums of the joint mean and its square.
    let mut sigma = [vec![0.0f64; latent], vec![0.0f64; latent], vec![0.0f64; latent]];
    let (mut mean_sum, mut mean_square) = (vec![0.0f64; latent], vec![0.0f64; latent]);
    for indices in chunks(split.len(), 1000) {
        let batch = split.inputs(&indices, device);
        let joint = model.posterior(&batch.all_given(&model.config)?)?;
        let encoders = [model.posterior(&batch.given(&model.config, &[LABEL])?)?, model.posterior(&batch.given(&model.config, &[IMAGE])?)?];
        for (sums, q) in sigma.iter_mut().zip(encoders.iter().chain([&joint])) {
            let per_dim = q.std().sum_dim(0).into_data().try_to_vec::<f32>().expect("f32");
            sums.iter_mut().zip(per_dim).for_each(|(s, v)| *s += f64::from(v));
        }
        let means = joint.mean.into_data().try_to_vec::<f32>().expect("f32");
        for row in means.chunks(latent) {
            for (d, &m) in row.iter().enumerate() {
                mean_sum[d] += f64::from(m);
                mean_square[d] += f64::from(m) * f64::from(m);
            }
        }
    }
    let count = split.len().max(1) as f64;
    let active: Vec<usize> = (0..latent).filter(|&d| mean_square[d] / count - (mean_sum[d] / count).powi(2) > 0.01).collect();
    let over = |sums: &[f64], dims: &[usize]| dims.iter().map(|&d| sums[d]).sum::<f64>() / (count * dims.len().max(1) as f64);
    let every: Vec<usize> = (0..latent).collect();
    Ok(EncoderWidths {
        label: over(&sigma[0], &every),
        image: over(&sigma[1], &every),
        joint: over(&sigma[2], &every),
        active_units: active.len(),
        label_active: over(&sigma[0], &active),
        image_active: over(&sigma[1], &active),
        joint_active: over(&sigma[2], &active),
    })
}

