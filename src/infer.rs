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
    let mut inputs: Inputs = vec![None; config.modalities.len()];
    for (name, observation) in given {
        let m = config.index_of(name)?;
        if inputs[m].is_some() {
            return Err(ModelError::InvalidInput(format!("modality `{name}` given twice")));
        }
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

/// Latent vectors from `q`: its mean when `samples` is 0, else `samples` draws seeded by
/// `seed` (q must hold one example).
pub fn latents(q: &DiagGaussian, samples: usize, seed: u64) -> Tensor<2> {
    if samples == 0 {
        return q.mean.clone();
    }
    let q = q.repeat_each(samples);
    let [rows, latent] = q.mean.dims();
    let eps = SeededRng::new(seed).normals(rows * latent);
    q.sample(Tensor::from_data(TensorData::new(eps, [rows, latent]), &q.mean.device()))
}

/// Every modality's distribution parameters (in [0, 1]) for each latent row.
pub fn decode_all(model: &Jmvae, z: Tensor<2>) -> Vec<Tensor<2>> {
    model
        .config
        .modalities
        .iter()
        .enumerate()
        .map(|(m, modality)| mean(modality, model.decode_logits(m, z.clone())))
        .collect()
}

/// Encode `given` with the matching encoder, draw latents, decode every modality.
pub fn generate(model: &Jmvae, given: &Inputs, samples: usize, seed: u64) -> Vec<Tensor<2>> {
    decode_all(model, latents(&model.posterior(given), samples, seed))
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
        let a = generate(&model, &given, 4, 7);
        let b = generate(&model, &given, 4, 7);
        let c = generate(&model, &given, 4, 8);
        assert_eq!(a[0].dims(), [4, 784]);
        assert_eq!(a[1].dims(), [4, 10]);
        assert_eq!(values(a[0].clone()), values(b[0].clone()));
        assert_ne!(values(a[0].clone()), values(c[0].clone()));
        assert!(values(a[0].clone()).iter().all(|p| (0.0..=1.0).contains(p)));
    }

    #[test]
    fn zero_samples_decodes_the_posterior_mean() {
        let model = model();
        let device = Device::default();
        let given = observe(&model.config, &[("image".into(), Observation::Values(vec![0.5; 784]))], &device).unwrap();
        let out = generate(&model, &given, 0, 0);
        assert_eq!(out[1].dims(), [1, 10]);
        let sum: f32 = values(out[1].clone()).iter().sum();
        assert!((sum - 1.0).abs() < 1e-5);
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
