//! How the importance-sampled log p(x) converges with the number of samples K, and how many
//! of the K samples actually carry its weight (the effective sample size).
//!
//! ```text
//! log w_k   = log p(x|z_k) + log p(z_k) - log q(z_k|·),  z_k ~ q(z|·)
//! log p̂_K  = logsumexp_{k<K} log w_k - log K
//! ESS_K     = (Σ_{k<K} w_k)² / Σ_{k<K} w_k² = exp(2 logsumexp(log w) - logsumexp(2 log w))
//! ```
//!
//! The samples of the largest K are drawn once and every smaller K reads their first K
//! (nested), so that the curve over K shows the estimator's bias, not fresh noise at each K.

use anyhow::{Result, bail};
use burn::tensor::Device;
use jmvae::marginal_likelihood::log_weights_mixture;
use jmvae::{Jmvae, SeededRng};
use serde::Serialize;

use super::{ROWS_PER_CALL, progress};
use crate::batch::chunks;
use crate::examples::Examples;

/// Samples of one example drawn at once: K = 5000 is taken 1000 at a time.
pub const SAMPLES_PER_CHUNK: usize = 1000;

/// Parse a K list such as `1,10,100,1000`: at least one K, each at least 1, increasing.
pub fn parse_ks(text: &str) -> Result<Vec<usize>, String> {
    let ks = text
        .split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(|t| t.parse::<usize>().map_err(|e| format!("`{t}` is not a number of samples ({e})")))
        .collect::<Result<Vec<_>, _>>()?;
    if ks.is_empty() {
        return Err("the K list is empty (give e.g. 1,10,100,1000)".into());
    }
    if ks.contains(&0) {
        return Err("K must be at least 1 (the list has 0)".into());
    }
    if let Some(w) = ks.windows(2).find(|w| w[1] <= w[0]) {
        return Err(format!("the K list must increase, but {} follows {}", w[1], w[0]));
    }
    Ok(ks)
}

/// log Σ exp of values pushed one at a time, in O(1) memory and without overflow.
#[derive(Clone, Copy, Debug)]
pub struct RunningLogSumExp {
    max: f64,
    /// Σ exp(v - max) over the values so far.
    scaled: f64,
}

impl Default for RunningLogSumExp {
    fn default() -> Self {
        Self { max: f64::NEG_INFINITY, scaled: 0.0 }
    }
}

impl RunningLogSumExp {
    /// Add one value.
    pub fn push(&mut self, v: f64) {
        if v > self.max {
            // Rescale what is summed so far to the new maximum, so no term ever exceeds 1.
            self.scaled = self.scaled * (self.max - v).exp() + 1.0;
            self.max = v;
        } else {
            self.scaled += (v - self.max).exp();
        }
    }

    /// log Σ exp of the values pushed (-∞ for none).
    pub fn value(&self) -> f64 {
        self.max + self.scaled.ln()
    }
}

/// ESS = (Σw)² / Σw² of the normalised weights exp(`log_weights`), computed from the logs.
#[cfg(test)] // The command streams its weights through `Nested`; this one-shot form is for tests.
pub fn ess(log_weights: &[f64]) -> f64 {
    let mut nested = Nested::new(&[log_weights.len()]);
    log_weights.iter().for_each(|&v| nested.push(v));
    nested.finish()[0].ess
}

/// The estimate and ESS of one example at one K.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AtK {
    /// log p̂_K = logsumexp of the first K log-weights - log K.
    pub log_px: f64,
    /// ESS of those K weights, in [1, K].
    pub ess: f64,
}

/// One example's running estimates, read off at each K of a list as its samples stream in.
#[derive(Clone, Debug)]
pub struct Nested {
    ks: Vec<usize>,
    seen: usize,
    log_sum: RunningLogSumExp,
    /// logsumexp of 2 log w, for Σw².
    log_sum_of_squares: RunningLogSumExp,
    at: Vec<AtK>,
}

impl Nested {
    /// Estimates to be read at each of `ks` (increasing).
    pub fn new(ks: &[usize]) -> Self {
        let none = RunningLogSumExp::default();
        Self { ks: ks.to_vec(), seen: 0, log_sum: none, log_sum_of_squares: none, at: Vec::with_capacity(ks.len()) }
    }

    /// Add the next sample's log-weight.
    pub fn push(&mut self, log_weight: f64) {
        self.log_sum.push(log_weight);
        self.log_sum_of_squares.push(2.0 * log_weight);
        self.seen += 1;
        if self.ks.get(self.at.len()) == Some(&self.seen) {
            let (lse, lse2) = (self.log_sum.value(), self.log_sum_of_squares.value());
            let k = self.seen as f64;
            // ESS ≥ 1 and ≤ K exactly; the clamp only removes rounding.
            let ess = (2.0 * lse - lse2).exp().clamp(1.0, k);
            self.at.push(AtK { log_px: lse - k.ln(), ess });
        }
    }

    /// The estimates at every K, once the largest K's samples are all in.
    pub fn finish(self) -> Vec<AtK> {
        assert_eq!(self.at.len(), self.ks.len(), "{} samples pushed, {:?} asked for", self.seen, self.ks);
        self.at
    }
}

/// The `q`-th quantile (0..=1) of `values`, linearly interpolated (numpy's default).
pub fn quantile(values: &[f64], q: f64) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let position = q * (sorted.len() - 1) as f64;
    let (low, high) = (position.floor() as usize, position.ceil() as usize);
    sorted[low] + (sorted[high] - sorted[low]) * (position - low as f64)
}

/// Mean and standard error of the mean (sample standard deviation / √n).
pub fn mean_and_standard_error(values: &[f64]) -> (f64, f64) {
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let variance = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0).max(1.0);
    (mean, (variance / n).sqrt())
}

/// One K of the curve, over the examples.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Point {
    /// Importance samples per example.
    pub k: usize,
    /// Mean over the examples of log p̂_K (nats).
    pub log_px: f64,
    /// Its standard error over the examples.
    pub standard_error: f64,
    /// Mean of log p̂_K - log p̂_Kmax per example (the same samples, so the difference is paired).
    pub below_largest_k: f64,
    /// Its standard error over the examples.
    pub below_largest_k_standard_error: f64,
    /// Median over the examples of the ESS.
    pub ess_median: f64,
    /// 10th percentile of the ESS.
    pub ess_p10: f64,
    /// 90th percentile of the ESS.
    pub ess_p90: f64,
    /// Median ESS / K: the fraction of the samples that count.
    pub ess_median_over_k: f64,
}

/// The curve over `ks` from every example's nested estimates (`per_example[i][j]`: example i at ks[j]).
pub fn summarise(ks: &[usize], per_example: &[Vec<AtK>]) -> Vec<Point> {
    let largest = ks.len() - 1;
    ks.iter()
        .enumerate()
        .map(|(j, &k)| {
            let log_px: Vec<f64> = per_example.iter().map(|e| e[j].log_px).collect();
            let below: Vec<f64> = per_example.iter().map(|e| e[j].log_px - e[largest].log_px).collect();
            let ess: Vec<f64> = per_example.iter().map(|e| e[j].ess).collect();
            let (mean, standard_error) = mean_and_standard_error(&log_px);
            let (below_largest_k, below_largest_k_standard_error) = mean_and_standard_error(&below);
            let ess_median = quantile(&ess, 0.5);
            Point {
                k,
                log_px: mean,
                standard_error,
                below_largest_k,
                below_largest_k_standard_error,
                ess_median,
                ess_p10: quantile(&ess, 0.1),
                ess_p90: quantile(&ess, 0.9),
                ess_median_over_k: ess_median / k as f64,
            }
        })
        .collect()
}

/// How the samples of a nested estimate are drawn.
#[derive(Clone, Copy, Debug)]
pub struct Draws<'a> {
    /// The K list, increasing; the largest K's samples are drawn and each K reads its first K.
    pub ks: &'a [usize],
    /// Samples drawn per example at a time, to bound memory (the draws depend on it).
    pub samples_per_chunk: usize,
    /// The seed of the noise.
    pub seed: u64,
}

/// Every example's nested estimates of log p(x_`target`) at each K of `draws`, with the
/// posterior of the `proposal` modalities, or an equal mixture of the posteriors of several
/// sets (`log_weights_mixture`; chunks of an even size keep its draws alternating).
pub fn nested_estimates(
    model: &Jmvae,
    split: &dyn Examples,
    proposal: &[&[&str]],
    target: &str,
    draws: Draws,
    device: &Device,
) -> Result<Vec<Vec<AtK>>> {
    let Draws { ks, samples_per_chunk, seed } = draws;
    let Some(&largest) = ks.last() else { bail!("no K to estimate at") };
    let m = model.config.index_of(target)?;
    let chunk = samples_per_chunk.clamp(1, largest);
    let mut rng = SeededRng::new(seed);
    let mut out = Vec::with_capacity(split.len());
    let names: Vec<String> = proposal.iter().map(|given| format!("q(z|{})", given.join(","))).collect();
    let bar = progress(split.len(), &names.join(" + "));
    for indices in chunks(split.len(), (ROWS_PER_CALL / chunk).max(1)) {
        let batch = split.inputs(&indices, device);
        let data = batch.for_model(&model.config)?;
        let qs = proposal.iter().map(|given| Ok(model.posterior(&batch.given(&model.config, given)?)?)).collect::<Result<Vec<_>>>()?;
        let mut nested = vec![Nested::new(ks); indices.len()];
        for start in (0..largest).step_by(chunk) {
            let samples = chunk.min(largest - start);
            let w = log_weights_mixture(model, &qs, &data, &[&[m]], samples, &mut rng)?.remove(0);
            let w = w.into_data().try_to_vec::<f32>()?;
            for (example, row) in nested.iter_mut().zip(w.chunks(samples)) {
                row.iter().for_each(|&v| example.push(v as f64));
            }
        }
        out.extend(nested.into_iter().map(Nested::finish));
        bar.inc(indices.len() as u64);
    }
    bar.finish_and_clear();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use burn::tensor::{Tensor, TensorData};
    use jmvae::ModelConfig;
    use jmvae::marginal_likelihood::log_marginal;

    /// The direct logsumexp, for reference.
    fn logsumexp(values: &[f64]) -> f64 {
        let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        max + values.iter().map(|v| (v - max).exp()).sum::<f64>().ln()
    }

    fn pseudo_log_weights(n: usize) -> Vec<f64> {
        let mut rng = SeededRng::new(3);
        rng.normals(n).into_iter().map(|v| -90.0 + 4.0 * v as f64).collect()
    }

    #[test]
    fn equal_weights_count_fully_and_one_dominant_weight_counts_once() {
        for shift in [0.0, -1.0e4, 700.0] {
            assert!((ess(&vec![shift; 250]) - 250.0).abs() < 1e-9, "shift {shift}");
            let mut one = vec![shift - 60.0; 1000];
            one[17] = shift;
            assert!((ess(&one) - 1.0).abs() < 1e-6, "shift {shift}: {}", ess(&one));
        }
        // Two equal weights and the rest negligible: two samples count.
        let mut two = vec![-500.0; 100];
        two[3] = 0.0;
        two[70] = 0.0;
        assert!((ess(&two) - 2.0).abs() < 1e-9);
        assert_eq!(ess(&[-123.0]), 1.0);
    }

    #[test]
    fn the_nested_estimate_at_k_is_the_logsumexp_of_the_first_k() {
        let ks = [1, 7, 100, 999, 1000];
        let values = pseudo_log_weights(1000);
        let mut nested = Nested::new(&ks);
        values.iter().for_each(|&v| nested.push(v));
        for (at, &k) in nested.finish().iter().zip(&ks) {
            let first = &values[..k];
            assert!((at.log_px - (logsumexp(first) - (k as f64).ln())).abs() < 1e-9, "K = {k}");
            let direct = (2.0 * logsumexp(first) - logsumexp(&first.iter().map(|v| 2.0 * v).collect::<Vec<_>>())).exp();
            assert!((at.ess - direct).abs() < 1e-9 * direct, "K = {k}");
            assert!((1.0..=k as f64).contains(&at.ess));
        }
    }

    #[test]
    fn running_logsumexp_neither_overflows_nor_underflows() {
        let mut lse = RunningLogSumExp::default();
        assert_eq!(lse.value(), f64::NEG_INFINITY);
        for v in [-1.0e5, 1000.0, 1000.0, -1.0e5] {
            lse.push(v);
        }
        assert!((lse.value() - (1000.0 + 2f64.ln())).abs() < 1e-12);
    }

    #[test]
    fn k_lists_are_checked() {
        assert_eq!(parse_ks("1,10, 100,1000,5000"), Ok(vec![1, 10, 100, 1000, 5000]));
        assert!(parse_ks("").unwrap_err().contains("empty"));
        assert!(parse_ks(",").unwrap_err().contains("empty"));
        assert!(parse_ks("0,10").unwrap_err().contains("at least 1"));
        assert!(parse_ks("10,10").unwrap_err().contains("must increase"));
        assert!(parse_ks("100,10").unwrap_err().contains("10 follows 100"));
        assert!(parse_ks("1,ten").unwrap_err().contains("`ten`"));
    }

    #[test]
    fn quantiles_standard_errors_and_the_curve() {
        let values = [4.0, 1.0, 3.0, 2.0, 5.0];
        assert_eq!(quantile(&values, 0.5), 3.0);
        assert_eq!(quantile(&values, 0.1), 1.4);
        assert_eq!(quantile(&values, 1.0), 5.0);
        let (mean, se) = mean_and_standard_error(&values);
        assert_eq!(mean, 3.0);
        assert!((se - (2.5f64 / 5.0).sqrt()).abs() < 1e-12);
        let per_example = vec![
            vec![AtK { log_px: -3.0, ess: 1.0 }, AtK { log_px: -1.0, ess: 4.0 }],
            vec![AtK { log_px: -5.0, ess: 1.0 }, AtK { log_px: -2.0, ess: 2.0 }],
        ];
        let curve = summarise(&[1, 10], &per_example);
        assert_eq!(curve[0].log_px, -4.0);
        assert_eq!(curve[0].below_largest_k, -2.5);
        assert_eq!(curve[1].below_largest_k, 0.0);
        assert_eq!(curve[1].ess_median, 3.0);
        assert_eq!(curve[1].ess_median_over_k, 0.3);
    }

    #[test]
    fn chunked_nested_estimates_agree_with_the_model_crates_estimator() {
        // Same seed, one chunk holding every sample: the draws are log_marginal's, so the
        // largest K must reproduce jmvae::marginal_likelihood to float precision.
        struct Digits(Vec<f32>);
        impl Examples for Digits {
            fn len(&self) -> usize {
                self.0.len() / 784
            }
            fn inputs(&self, indices: &[usize], device: &Device) -> crate::examples::Batch {
                let rows: Vec<f32> = indices.iter().flat_map(|&i| self.0[i * 784..(i + 1) * 784].to_vec()).collect();
                let labels: Vec<u8> = indices.iter().map(|&i| (i % 10) as u8).collect();
                let image = Tensor::from_data(TensorData::new(rows, [indices.len(), 784]), device);
                crate::examples::Batch::new(vec![("image", image), ("label", crate::batch::one_hot(&labels, device))])
            }
        }
        let device = Device::flex();
        let model = Jmvae::new(&ModelConfig::mnist(), &device).unwrap();
        let mut rng = SeededRng::new(5);
        let digits = Digits(rng.bernoulli(&vec![0.3; 3 * 784]));
        let ks = [1, 4, 16];
        let nested = nested_estimates(&model, &digits, &[&["image"]], "image", Draws { ks: &ks, samples_per_chunk: 16, seed: 9 }, &device).unwrap();
        let batch = digits.inputs(&[0, 1, 2], &device);
        let given = batch.given(&model.config, &["image"]).unwrap();
        let data = batch.for_model(&model.config).unwrap();
        let direct = log_marginal(&model, &given, &data, &[&[0]], 16, &mut SeededRng::new(9)).unwrap().remove(0);
        let direct = direct.into_data().try_to_vec::<f32>().unwrap();
        for (example, d) in nested.iter().zip(direct) {
            assert!((example[2].log_px - d as f64).abs() < 1e-3, "{} vs {d}", example[2].log_px);
            assert_eq!(example[0].ess, 1.0);
            assert!(example.iter().zip(ks).all(|(at, k)| (1.0..=k as f64).contains(&at.ess)));
        }
        // Chunks of 3 samples draw other noise but the same estimator: finite, and ESS in [1, K].
        let chunked = nested_estimates(&model, &digits, &[&["image", "label"]], "image", Draws { ks: &ks, samples_per_chunk: 3, seed: 9 }, &device).unwrap();
        assert_eq!(chunked.len(), 3);
        assert!(chunked.iter().flatten().all(|at| at.log_px.is_finite() && at.log_px < 0.0));
    }
}
