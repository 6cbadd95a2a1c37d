//! Inference shared by the trainer's `sample` command and the browser: encode what is given,
//! draw latents with a seeded generator, decode every modality.

use burn::tensor::{Device, Tensor, TensorData};

use crate::config::{ModalityKind, ModelConfig};
use crate::error::ModelError;
use crate::gaussian::DiagGaussian;
use crate::likelihood::mean;
use crate::model::{Inputs, Jmvae};
use crate::rng::SeededRng;

/// A value a caller gives for one modality of one example.
#[derive(Clone, Debug, PartialEq)]
pub enum Observation {
    /// The modality's values in [0, 1] (pixels, attribute probabilities, class probabilities).
    Values(Vec<f32>),
    /// A class index, for categorical modalities.
    Class(usize),
}

/// Turn named observations of one example into model inputs (`[1, size]` each), checking
/// names, lengths and ranges so that nonsense gets a message instead of garbage.
pub fn observe(
    config: &ModelConfig,
    given: &[(String, Observation)],
    device: &Device,
) -> Result<Inputs, ModelError> {
    if given.is_empty() {
        return Err(ModelError::InvalidInput("give at least one modality".into()));
    }
    let mut present = vec![false; config.modalities.len()];
    for (name, _) in given {
        let m = config.index_of(name)?;
        if present[m] {
            return Err(ModelError::InvalidInput(format!("modality `{name}` given twice")));
        }
        present[m] = true;
    }
    config.check_given(present)?;
    let mut inputs: Inputs = vec![None; config.modalities.len()];
    for (name, observation) in given {
        let m = config.index_of(name)?;
        let modality = &config.modalities[m];
        let values = match observation {
            Observation::Class(class) => {
                if modality.kind != ModalityKind::Categorical {
                    return Err(ModelError::InvalidInput(format!(
                        "`{name}` is not categorical: give its {} values, not a class",
                        modality.size()
                    )));
                }
                if *class >= modality.size() {
                    return Err(ModelError::InvalidInput(format!(
                        "class {class} is out of range for `{name}` (0..{})",
                        modality.size() - 1
                    )));
                }
                let mut onehot = vec![0.0; modality.size()];
                onehot[*class] = 1.0;
                onehot
            }
            Observation::Values(values) => {
                if values.len() != modality.size() {
                    return Err(ModelError::InvalidInput(format!(
                        "`{name}` needs {} values (shape {:?}), got {}",
                        modality.size(),
                        modality.shape,
                        values.len()
                    )));
                }
                if let Some(i) = values.iter().position(|v| !(0.0..=1.0).contains(v)) {
                    return Err(ModelError::InvalidInput(format!(
                        "`{name}` value {i} is {}, outside [0, 1]",
                        values[i]
                    )));
                }
                values.clone()
            }
        };
        inputs[m] = Some(Tensor::from_data(TensorData::new(values, [1, modality.size()]), device));
    }
    Ok(inputs)
}

/// The sampling temperature τ: latents are z = μ + τ·σ·ε, so τ = 1 samples q(z|given) itself
/// and τ = 0 decodes its mean every time.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "f32", into = "f32")]
pub struct Temperature(f32);

impl Temperature {
    /// The largest temperature accepted: beyond it samples leave the region any encoder covers.
    pub const MAX: f32 = 10.0;
    /// τ = 1: samples of q(z|given) as trained.
    pub const ONE: Temperature = Temperature(1.0);

    /// τ, refused with the allowed range when negative, NaN or above [`Temperature::MAX`].
    pub fn new(tau: f32) -> Result<Self, ModelError> {
        if !(0.0..=Self::MAX).contains(&tau) {
            // Infinity as JavaScript and JSON users write it, not Rust's `inf`.
            let shown = if tau.is_infinite() { format!("{}Infinity", if tau < 0.0 { "-" } else { "" }) } else { tau.to_string() };
            return Err(ModelError::InvalidInput(format!(
                "temperature {shown} is outside the allowed range 0 to {} (1 samples q(z|given), 0 decodes its mean)",
                Self::MAX
            )));
        }
        Ok(Self(tau))
    }

    /// The value of τ.
    pub fn value(self) -> f32 {
        self.0
    }
}

impl TryFrom<f32> for Temperature {
    type Error = ModelError;
    fn try_from(tau: f32) -> Result<Self, ModelError> {
        Self::new(tau)
    }
}

impl From<Temperature> for f32 {
    fn from(tau: Temperature) -> f32 {
        tau.0
    }
}

impl std::str::FromStr for Temperature {
    type Err = ModelError;
    fn from_str(text: &str) -> Result<Self, ModelError> {
        let tau: f32 = text
            .trim()
            .parse()
            .map_err(|_| ModelError::InvalidInput(format!("temperature `{text}` is not a number (allowed: 0 to {})", Self::MAX)))?;
        Self::new(tau)
    }
}

impl std::fmt::Display for Temperature {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// Latent vectors from `q`: its mean when `samples` is 0, else `samples` draws z = μ + τ·σ·ε
/// with ε seeded by `seed` (q must hold one example).
pub fn latents(q: &DiagGaussian, samples: usize, seed: u64, temperature: Temperature) -> Tensor<2> {
    if samples == 0 {
        return q.mean.clone();
    }
    let q = q.repeat_each(samples);
    let [rows, latent] = q.mean.dims();
    let eps = SeededRng::new(seed).noise(rows, latent, &q.mean.device());
    // τ = 1 multiplies by exactly 1, so those samples are bit-identical to plain q(z|given).
    q.sample(eps.mul_scalar(temperature.value()))
}

/// Every modality's distribution parameters (in [0, 1]) for each latent row. A CVAE decodes
/// z beside its conditions, taken from `given`, and returns each condition as it was given
/// (repeated to z's rows): it is an input of the model, not an output.
pub fn decode_all(model: &Jmvae, z: Tensor<2>, given: &Inputs) -> Result<Vec<Tensor<2>>, ModelError> {
    let [rows, _] = z.dims();
    let code = model.decoder_input(z, given)?;
    model
        .config
        .modalities
        .iter()
        .enumerate()
        .map(|(m, modality)| match &given[m] {
            Some(c) if model.config.is_condition(m) => Ok(crate::gaussian::repeat_rows(c.clone(), rows / c.dims()[0])),
            _ => Ok(mean(modality, model.decode_logits(m, code.clone())?)),
        })
        .collect()
}

/// Encode `given` with the matching encoder, draw latents at `temperature`, decode every modality.
pub fn generate(model: &Jmvae, given: &Inputs, samples: usize, seed: u64, temperature: Temperature) -> Result<Vec<Tensor<2>>, ModelError> {
    decode_all(model, latents(&model.posterior(given)?, samples, seed, temperature), given)
}

/// The model's own reading of what it generated: encode the generated modalities that were not
/// given (z = mean of q(z|generated)) and decode the given ones again. A digit generated from
/// label 3 is "read back as 3" when the returned label probabilities peak at 3. Returns one
/// entry per modality: `Some` for the given ones, `None` for the rest (or for all, when every
/// modality was given and nothing was generated, and for a CVAE, which has no p(w|z) to read
/// its conditions back with).
pub fn read_back(model: &Jmvae, given: &Inputs, generated: &[Tensor<2>]) -> Result<Vec<Option<Tensor<2>>>, ModelError> {
    if !model.config.conditions.is_empty() {
        return Ok(vec![None; given.len()]);
    }
    let from: Inputs = given
        .iter()
        .zip(generated)
        .map(|(g, out)| if g.is_some() { None } else { Some(out.clone()) })
        .collect();
    if from.iter().all(Option::is_none) {
        return Ok(vec![None; given.len()]);
    }
    let z = model.posterior(&from)?.mean;
    // Only the given modalities are decoded again: the generated ones are already known.
    given
        .iter()
        .zip(&model.config.modalities)
        .enumerate()
        .map(|(m, (g, _))| g.as_ref().map(|_| model.decode_logits(m, z.clone()).map(|logits| mean(&model.config.modalities[m], logits))).transpose())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model() -> Jmvae {
        let device = Device::default();
        device.seed(1);
        Jmvae::new(&ModelConfig::mnist(), &device).unwrap()
    }

    fn values(t: Tensor<2>) -> Vec<f32> {
        t.into_data().try_to_vec::<f32>().unwrap()
    }

    #[test]
    fn same_seed_same_digits_other_seed_other_digits() {
        let model = model();
        let device = Device::default();
        let given = observe(&model.config, &[("label".into(), Observation::Class(3))], &device).unwrap();
        let a = generate(&model, &given, 4, 7, Temperature::ONE).unwrap();
        let b = generate(&model, &given, 4, 7, Temperature::ONE).unwrap();
        let c = generate(&model, &given, 4, 8, Temperature::ONE).unwrap();
        assert_eq!(a[0].dims(), [4, 784]);
        assert_eq!(a[1].dims(), [4, 10]);
        assert_eq!(values(a[0].clone()), values(b[0].clone()));
        assert_ne!(values(a[0].clone()), values(c[0].clone()));
        assert!(values(a[0].clone()).iter().all(|p| (0.0..=1.0).contains(p)));
    }

    #[test]
    fn a_cvae_draws_images_from_a_label_and_refuses_an_image_alone() {
        let device = Device::default();
        device.seed(1);
        let model = Jmvae::new(&ModelConfig::mnist_cvae(), &device).unwrap();
        let given = observe(&model.config, &[("label".into(), Observation::Class(5))], &device).unwrap();
        let out = generate(&model, &given, 3, 7, Temperature::ONE).unwrap();
        assert_eq!(out[0].dims(), [3, 784]);
        // The label is given, not generated: it comes back as it went in, on every row.
        let label = values(out[1].clone());
        assert_eq!(label.iter().enumerate().filter(|(i, v)| **v == 1.0 && i % 10 == 5).count(), 3);
        assert_eq!(label.iter().sum::<f32>(), 3.0);
        // Another label, same seed: the same z from the prior, a different image.
        let other = observe(&model.config, &[("label".into(), Observation::Class(6))], &device).unwrap();
        assert_ne!(values(out[0].clone()), values(generate(&model, &other, 3, 7, Temperature::ONE).unwrap()[0].clone()));
        assert!(read_back(&model, &given, &out).unwrap().iter().all(Option::is_none));
        let image = [("image".to_string(), Observation::Values(vec![0.0; 784]))];
        let err = observe(&model.config, &image, &device).unwrap_err().to_string();
        assert!(err.contains("this is a CVAE") && err.contains("give `label` too"), "{err}");
    }

    #[test]
    fn zero_samples_decodes_the_posterior_mean() {
        let model = model();
        let device = Device::default();
        let given = observe(&model.config, &[("image".into(), Observation::Values(vec![0.5; 784]))], &device).unwrap();
        let out = generate(&model, &given, 0, 0, Temperature::ONE).unwrap();
        assert_eq!(out[1].dims(), [1, 10]);
        let sum: f32 = values(out[1].clone()).iter().sum();
        assert!((sum - 1.0).abs() < 1e-5);
    }

    #[test]
    fn temperature_scales_the_spread_around_the_mean() {
        let model = model();
        let device = Device::default();
        let given = observe(&model.config, &[("label".into(), Observation::Class(2))], &device).unwrap();
        let q = model.posterior(&given).unwrap();
        let mean = values(q.mean.clone());
        let spread = |tau: f32| {
            let z = values(latents(&q, 8, 3, Temperature::new(tau).unwrap()));
            z.chunks(mean.len()).map(|row| row.iter().zip(&mean).map(|(a, b)| (a - b).abs()).sum::<f32>()).sum::<f32>()
        };
        assert_eq!(spread(0.0), 0.0, "tau = 0 must give the mean every time");
        let (half, one) = (spread(0.5), spread(1.0));
        assert!((half / one - 0.5).abs() < 1e-3, "tau = 0.5 must halve the distance: {half} vs {one}");
        // Same seed and tau, same latents; tau = 1 is exactly the untempered sample.
        let eps = SeededRng::new(3).normals(8 * mean.len());
        let plain = q.repeat_each(8).sample(Tensor::from_data(TensorData::new(eps, [8, mean.len()]), &device));
        assert_eq!(values(latents(&q, 8, 3, Temperature::ONE)), values(plain));
    }

    #[test]
    fn bad_temperatures_name_the_value_and_the_range() {
        for (tau, shown) in [(-0.1, "-0.1"), (f32::NAN, "NaN"), (10.5, "10.5"), (f32::INFINITY, "Infinity")] {
            let err = Temperature::new(tau).unwrap_err().to_string();
            assert!(err.contains(&format!("temperature {shown} ")) && err.contains("0 to 10"), "{err}");
        }
        assert!("abc".parse::<Temperature>().unwrap_err().to_string().contains("`abc` is not a number"));
        assert_eq!("0.5".parse::<Temperature>().unwrap().value(), 0.5);
        assert!(serde_json::from_str::<Temperature>("-1").is_err());
    }

    #[test]
    fn read_back_encodes_what_was_generated_and_decodes_what_was_given() {
        let model = model();
        let device = Device::default();
        let given = observe(&model.config, &[("label".into(), Observation::Class(4))], &device).unwrap();
        let generated = generate(&model, &given, 5, 1, Temperature::ONE).unwrap();
        let read = read_back(&model, &given, &generated).unwrap();
        assert!(read[0].is_none());
        let labels = read[1].clone().unwrap();
        assert_eq!(labels.dims(), [5, 10]);
        // The same as encoding the generated images by hand.
        let by_hand = model.unimodal_encoder(0, generated[0].clone()).mean;
        let expected = mean(&model.config.modalities[1], model.decode_logits(1, by_hand).unwrap());
        assert_eq!(values(labels), values(expected));
    }

    #[test]
    fn nonsense_inputs_are_refused_with_a_reason() {
        let config = ModelConfig::mnist();
        let device = Device::default();
        let err = |given: Vec<(String, Observation)>| observe(&config, &given, &device).unwrap_err().to_string();
        assert!(err(vec![("audio".into(), Observation::Class(1))]).contains("unknown modality `audio`"));
        assert!(err(vec![("label".into(), Observation::Class(10))]).contains("out of range"));
        assert!(err(vec![("image".into(), Observation::Values(vec![0.0; 783]))]).contains("784 values"));
        assert!(err(vec![("image".into(), Observation::Values(vec![f32::NAN; 784]))]).contains("NaN"));
        assert!(err(vec![("image".into(), Observation::Class(1))]).contains("not categorical"));
        assert!(err(vec![]).contains("at least one"));
    }
}
