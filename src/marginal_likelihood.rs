//! Importance-sampled estimates of marginal likelihoods, the paper's evaluation quantities.
//!
//! ```text
//! log p(x_T) ≈ log (1/K) Σ_k  Π_{m∈T} p(x_m|z_k) p(z_k) / q(z_k|proposal),  z_k ~ q(z|proposal)
//! log p(w)   ≈ log (1/N) Σ_n  p(w|z_n),                                  z_n ~ p(z)
//! ```

use burn::tensor::{Tensor, TensorData};

use crate::error::ModelError;
use crate::gaussian::{DiagGaussian, log_prior, repeat_rows};
use crate::likelihood::log_likelihood;
use crate::model::{Inputs, Jmvae};
use crate::rng::SeededRng;

/// log Σ exp along dimension 1, stable: `[rows, cols] -> [rows, 1]`.
pub fn logsumexp(x: Tensor<2>) -> Tensor<2> {
    let max = x.clone().max_dim(1).detach();
    (x - max.clone()).exp().sum_dim(1).log() + max
}

/// log p(x_m for m in T) per example, `[batch]`, for each target set T of `target_sets`, with
/// `k` samples from the posterior that `model.posterior` gives for `proposal` (e.g. only the
/// image, or every modality). The sets share the samples, so log p(x) and log p(x, w) under
/// the same proposal cost one pass through the decoders.
pub fn log_marginal(
    model: &Jmvae,
    proposal: &Inputs,
    data: &[Tensor<2>],
    target_sets: &[&[usize]],
    k: usize,
    rng: &mut SeededRng,
) -> Result<Vec<Tensor<1>>, ModelError> {
    let q = model.posterior(proposal)?;
    Ok(log_weights(model, &q, data, target_sets, k, rng)?
        .into_iter()
        .map(|log_weight| (logsumexp(log_weight) - (k as f64).ln()).squeeze_dim(1))
        .collect())
}

/// The importance log-weights log w_k = Σ_{m∈T} log p(x_m|z_k) + log p(z_k) − log q(z_k), for
/// `k` draws z_k ~ `q` per example (a row of `q`), for each target set T: `[batch, k]` each.
/// `log_marginal` is their logsumexp; a report of the estimator's convergence reads them.
/// For a CVAE (its conditions fixed to their values in `data`) the targets are conditional:
/// its log p(x|w) is the set of its generated modalities, proposed from q(z|x,w).
pub fn log_weights(
    model: &Jmvae,
    q: &DiagGaussian,
    data: &[Tensor<2>],
    target_sets: &[&[usize]],
    k: usize,
    rng: &mut SeededRng,
) -> Result<Vec<Tensor<2>>, ModelError> {
    log_weights_mixture(model, std::slice::from_ref(q), data, target_sets, k, rng)
}

/// [`log_weights`] with an equal mixture of the proposals `qs` (each a posterior of the same
/// rows): the s-th of an example's `k` draws comes from component s mod n, and every weight
/// divides by the whole mixture's density Σ_j q_j(z) / n (the deterministic-mixture estimator
/// of multiple importance sampling). The mean weight is unbiased for p(x) whenever every
/// component gave as many draws (k a multiple of n), and consistent as k grows otherwise. A
/// mixture of q(z|x) and q(z|x,w) keeps a weight bounded wherever either encoder covers the
/// posterior. One component draws exactly as [`log_weights`] always has.
pub fn log_weights_mixture(
    model: &Jmvae,
    qs: &[DiagGaussian],
    data: &[Tensor<2>],
    target_sets: &[&[usize]],
    k: usize,
    rng: &mut SeededRng,
) -> Result<Vec<Tensor<2>>, ModelError> {
    let qs: Vec<DiagGaussian> = qs.iter().map(|q| q.repeat_each(k)).collect();
    let [rows, latent] = qs[0].mean.dims();
    let device = qs[0].mean.device();
    let (z, log_q) = if let [q] = qs.as_slice() {
        let z = q.sample(rng.noise(rows, latent, &device));
        (z.clone(), q.log_prob(z))
    } else {
        let n = qs.len();
        let z = qs
            .iter()
            .enumerate()
            .map(|(j, q)| {
                let picked: Vec<f32> = (0..rows).map(|r| f32::from(u8::from(r % k % n == j))).collect();
                q.sample(rng.noise(rows, latent, &device)) * Tensor::<2>::from_data(TensorData::new(picked, [rows, 1]), &device)
            })
            .reduce(|a, b| a + b)
            .expect("at least one proposal");
        let each: Vec<Tensor<2>> = qs.iter().map(|q| q.log_prob(z.clone())).collect();
        (z, logsumexp(Tensor::cat(each, 1)) - (n as f64).ln())
    };
    let log_prior_ratio = log_prior(z.clone()) - log_q;
    // A CVAE's decoders read its conditions beside z, so its targets give log p(x|w).
    let code = model.decoder_input(z, &data.iter().cloned().map(Some).collect())?;
    let log_likelihoods: Vec<Option<Tensor<2>>> = (0..data.len())
        .map(|m| {
            let wanted = target_sets.iter().any(|t| t.contains(&m));
            wanted.then(|| Ok(log_likelihood(&model.config.modalities[m], model.decode_logits(m, code.clone())?, repeat_rows(data[m].clone(), k)))).transpose()
        })
        .collect::<Result<_, ModelError>>()?;
    Ok(target_sets
        .iter()
        .map(|targets| {
            let log_weight = targets.iter().fold(log_prior_ratio.clone(), |w, &m| {
                w + log_likelihoods[m].clone().expect("computed for every target")
            });
            log_weight.reshape([rows / k, k])
        })
        .collect())
}

/// log p(x_m) per row of `values` (`[batch, size_m]`), with `n` samples from the prior shared
/// by every row: cheap when the rows are few distinct values such as the ten one-hot labels.
pub fn log_marginal_from_prior(
    model: &Jmvae,
    m: usize,
    values: Tensor<2>,
    n: usize,
    rng: &mut SeededRng,
) -> Result<Tensor<1>, ModelError> {
    let [batch, _] = values.dims();
    let z = rng.noise(n, model.config.latent, &values.device());
    let logits = model.decode_logits(m, z)?;
    let [_, size] = logits.dims();
    // Pair every row with every prior sample: row i, sample j -> index i * n + j.
    let x = repeat_rows(values, n);
    let logits = logits.unsqueeze_dim::<3>(0).repeat_dim(0, batch).reshape([batch * n, size]);
    let per = log_likelihood(&model.config.modalities[m], logits, x).reshape([batch, n]);
    Ok((logsumexp(per) - (n as f64).ln()).squeeze_dim(1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::ModelConfig;
    use burn::tensor::Device;

    #[test]
    fn logsumexp_is_stable_and_correct() {
        let device = Device::default();
        let x = Tensor::<2>::from_data(TensorData::new(vec![1000.0f32, 1000.0, -5.0, 0.0], [2, 2]), &device);
        let out = logsumexp(x).into_data().try_to_vec::<f32>().unwrap();
        assert!((out[0] - (1000.0 + 2f32.ln())).abs() < 1e-3);
        assert!((out[1] - (0.0f32.exp() + (-5.0f32).exp()).ln()).abs() < 1e-5);
    }

    #[test]
    fn importance_sampling_bounds_and_shapes() {
        // With more samples the estimate of log p(x, w) can only tighten the one-sample ELBO
        // on average; here we check shapes and that both estimators give finite values.
        let device = Device::default();
        let model = Jmvae::new(&ModelConfig::mnist(), &device).unwrap();
        let image = Tensor::<2>::ones([4, 784], &device).mul_scalar(0.0);
        let label = Tensor::<2>::from_data(TensorData::new([[1.0f32, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]; 4].concat(), [4, 10]), &device);
        let data = [image.clone(), label.clone()];
        let mut rng = SeededRng::new(0);
        let mut joint = log_marginal(&model, &vec![Some(image.clone()), Some(label.clone())], &data, &[&[0, 1], &[0]], 7, &mut rng).unwrap();
        assert_eq!(joint.len(), 2);
        let image_only = log_marginal(&model, &vec![Some(image), None], &data, &[&[0]], 7, &mut rng).unwrap().remove(0);
        let prior_w = log_marginal_from_prior(&model, 1, label, 50, &mut rng).unwrap();
        // log p(x, w) <= log p(x) for a categorical w, estimated with the same samples.
        let gap = (joint[1].clone() - joint[0].clone()).into_data().try_to_vec::<f32>().unwrap();
        assert!(gap.iter().all(|g| *g >= -1e-4), "{gap:?}");
        for t in [joint.remove(0), image_only, prior_w] {
            assert_eq!(t.dims(), [4]);
            assert!(t.into_data().try_to_vec::<f32>().unwrap().iter().all(|v| v.is_finite() && *v < 0.0));
        }
    }

    #[test]
    fn a_mixture_proposal_divides_by_the_whole_mixture_and_stays_unbiased() {
        use crate::test_support::Zeros;
        use burn::module::Module;
        // A zero decoder: p(x|z) = 2^-784 whatever z, so w = 2^-784 p(z) / q_mix(z).
        let device = Device::default();
        let model = Jmvae::new(&ModelConfig::mnist_vae(), &device).unwrap().map(&mut Zeros);
        let data = [Tensor::<2>::zeros([1, 784], &device)];
        let constant = -784.0 * 2f64.ln();
        let prior = DiagGaussian::new(Tensor::zeros([1, 64], &device), Tensor::zeros([1, 64], &device));
        // Both components the prior: every weight is exactly the constant.
        let w = log_weights_mixture(&model, &[prior.clone(), prior.clone()], &data, &[&[0]], 8, &mut SeededRng::new(3)).unwrap().remove(0);
        assert!(w.into_data().iter::<f32>().all(|v| (v as f64 - constant).abs() < 1e-2));
        // The prior and a shifted copy: p(z) / q_mix(z) <= 2 and its mean over the draws is 1.
        let shifted = DiagGaussian::new(Tensor::ones([1, 64], &device).mul_scalar(0.3), Tensor::zeros([1, 64], &device));
        let k = 4000;
        let w = log_weights_mixture(&model, &[prior, shifted], &data, &[&[0]], k, &mut SeededRng::new(4)).unwrap().remove(0);
        let ratios: Vec<f64> = w.into_data().iter::<f32>().map(|v| (v as f64 - constant).exp()).collect();
        assert!(ratios.iter().all(|r| *r <= 2.0 + 1e-3), "a ratio above 2");
        let mean = ratios.iter().sum::<f64>() / k as f64;
        assert!((mean - 1.0).abs() < 0.05, "mean ratio {mean}");
    }

    #[test]
    fn prior_estimate_of_a_uniform_label_decoder_is_log_one_tenth() {
        use crate::test_support::Zeros;
        use burn::module::Module;
        let device = Device::default();
        let model = Jmvae::new(&ModelConfig::mnist(), &device).unwrap().map(&mut Zeros);
        let eye = Tensor::<2>::eye(10, &device);
        let out = log_marginal_from_prior(&model, 1, eye, 20, &mut SeededRng::new(1)).unwrap();
        for v in out.into_data().try_to_vec::<f32>().unwrap() {
            assert!((v - 0.1f32.ln()).abs() < 1e-5);
        }
    }
}
