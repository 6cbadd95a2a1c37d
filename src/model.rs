//! JMVAE: a joint encoder q(z|all), one encoder q(z|m) per modality, one decoder p(m|z) each.
//! The same networks make the paper's CVAE baseline when the config names conditions: then
//! only q(z|all) encodes, and each decoder p(m|z,c) reads z beside the conditions c.

use burn::module::Module;
use burn::nn::{Linear, LinearConfig};
use burn::tensor::{Device, Tensor};

use crate::config::{ModalityConfig, ModelConfig, NetworkConfig};
use crate::error::ModelError;
use crate::gaussian::DiagGaussian;
use crate::network::{GaussianHead, Mlp, Upsampler};

/// One tensor `[batch, size]` per modality, in the config's order; `None` where not observed.
pub type Inputs = Vec<Option<Tensor<2>>>;

/// q(z|x_1..x_N): one branch per modality, concatenated, a shared trunk, a Gaussian head.
#[derive(Module, Debug)]
pub struct JointEncoder {
    branches: Vec<Mlp>,
    trunk: Mlp,
    head: GaussianHead,
}

/// q(z|m) for a single modality.
#[derive(Module, Debug)]
pub struct UnimodalEncoder {
    trunk: Mlp,
    head: GaussianHead,
}

/// p(m|z): a ReLU stack and a linear layer to the modality's logits; for images decoded by
/// transposed convolutions, that layer projects to the first feature map instead and the
/// upsampler turns it into logits.
#[derive(Module, Debug)]
pub struct Decoder {
    trunk: Mlp,
    logits: Linear,
    upsampler: Vec<Upsampler>,
}

/// The whole model, for any number of modalities.
#[derive(Module, Debug)]
pub struct Jmvae {
    /// q(z|all modalities).
    pub joint_encoder: JointEncoder,
    /// q(z|m), one per modality in config order; empty for JMVAE-zero and the VAE.
    pub unimodal_encoders: Vec<UnimodalEncoder>,
    /// p(m|z), one per generated modality (all but a CVAE's conditions) in config order.
    pub decoders: Vec<Decoder>,
    /// The description the networks were built from.
    #[module(skip)]
    pub config: ModelConfig,
}

impl JointEncoder {
    fn new(config: &ModelConfig, device: &Device) -> Self {
        let branches: Vec<Mlp> = config.modalities.iter().map(|m| Mlp::new(&m.shape, &m.branch, device)).collect();
        let concatenated: usize = config.modalities.iter().map(|m| m.branch.output_size(&m.shape)).sum();
        let trunk = Mlp::new(&[concatenated], &config.joint, device);
        let head = GaussianHead::new(config.joint.output_size(&[concatenated]), config.latent, device);
        Self { branches, trunk, head }
    }

    fn forward(&self, inputs: Vec<Tensor<2>>) -> DiagGaussian {
        let features = self.branches.iter().zip(inputs).map(|(b, x)| b.forward(x)).collect();
        self.head.forward(self.trunk.forward(Tensor::cat(features, 1)))
    }
}

impl UnimodalEncoder {
    fn new(modality: &ModalityConfig, latent: usize, device: &Device) -> Self {
        let trunk = Mlp::new(&modality.shape, &modality.encoder, device);
        let head = GaussianHead::new(modality.encoder.output_size(&modality.shape), latent, device);
        Self { trunk, head }
    }

    fn forward(&self, x: Tensor<2>) -> DiagGaussian {
        self.head.forward(self.trunk.forward(x))
    }
}

impl Decoder {
    /// A decoder reading `input` values per row: z, and a CVAE's conditions after it.
    fn new(modality: &ModalityConfig, input: usize, device: &Device) -> Self {
        let trunk = Mlp::new(&[input], &NetworkConfig::mlp(modality.decoder.hidden()), device);
        let upsampler: Vec<Upsampler> = match &modality.decoder {
            NetworkConfig::Deconv { channels, .. } => vec![Upsampler::new(channels, &modality.shape, device)],
            _ => Vec::new(),
        };
        let projected = upsampler.first().map_or(modality.size(), Upsampler::seed_size);
        let logits = LinearConfig::new(modality.decoder.output_size(&[input]), projected).init(device);
        Self { trunk, logits, upsampler }
    }

    fn forward(&self, z: Tensor<2>) -> Tensor<2> {
        let h = self.logits.forward(self.trunk.forward(z));
        self.upsampler.iter().fold(h, |h, upsampler| upsampler.forward(h))
    }
}

impl ModelConfig {
    /// Fresh networks for this config on `device`, as Burn's configs build their modules.
    pub fn init(&self, device: &Device) -> Result<Jmvae, ModelError> {
        Jmvae::new(self, device)
    }

    /// The inputs with only the named modalities given, in this config's order; a name the
    /// config does not have is refused.
    pub fn given<'a>(&self, named: impl IntoIterator<Item = (&'a str, Tensor<2>)>) -> Result<Inputs, ModelError> {
        let mut inputs: Inputs = vec![None; self.modalities.len()];
        for (name, x) in named {
            inputs[self.index_of(name)?] = Some(x);
        }
        Ok(inputs)
    }
}

impl Jmvae {
    /// Fresh networks for `config`, initialised from the device's generator.
    pub fn new(config: &ModelConfig, device: &Device) -> Result<Self, ModelError> {
        config.validate()?;
        let unimodal_encoders = if config.unimodal_encoders {
            config.modalities.iter().map(|m| UnimodalEncoder::new(m, config.latent, device)).collect()
        } else {
            Vec::new()
        };
        Ok(Self {
            joint_encoder: JointEncoder::new(config, device),
            unimodal_encoders,
            decoders: config.generated().into_iter().map(|m| Decoder::new(&config.modalities[m], config.decoder_input_size(), device)).collect(),
            config: config.clone(),
        })
    }

    /// q(z|x_1..x_N); a missing modality is fed as zeros (the JMVAE-zero convention).
    pub fn joint_encoder(&self, inputs: &Inputs) -> DiagGaussian {
        let present = inputs.iter().flatten().next().expect("the joint encoder needs an input");
        let [batch, _] = present.dims();
        let device = present.device();
        let filled = inputs
            .iter()
            .zip(&self.config.modalities)
            .map(|(x, m)| x.clone().unwrap_or_else(|| Tensor::zeros([batch, m.size()], &device)))
            .collect();
        self.joint_encoder.forward(filled)
    }

    /// q(z|x_m) for modality `m` (requires unimodal encoders).
    pub fn unimodal_encoder(&self, m: usize, x: Tensor<2>) -> DiagGaussian {
        self.unimodal_encoders[m].forward(x)
    }

    /// The logits of p(x_m|z) for modality `m`: `[batch, size_m]`. `code` is z itself, or for
    /// a CVAE z beside its conditions ([`Jmvae::decoder_input`]). A CVAE's condition has no
    /// decoder: asking for one is an error.
    pub fn decode_logits(&self, m: usize, code: Tensor<2>) -> Result<Tensor<2>, ModelError> {
        let Some(d) = self.config.generated().iter().position(|&g| g == m) else {
            let name = self.config.modalities.get(m).map_or("?", |modality| modality.name.as_str());
            return Err(ModelError::InvalidInput(format!("`{name}` is a condition of this CVAE: it is given, not decoded")));
        };
        Ok(self.decoders[d].forward(code))
    }

    /// What the decoders read: z itself for JMVAE; for a CVAE, z beside the values of its
    /// conditions taken from `given`, each row repeated to z's rows (one example's condition
    /// serves all its samples). A condition that is not given is an error.
    pub fn decoder_input(&self, z: Tensor<2>, given: &Inputs) -> Result<Tensor<2>, ModelError> {
        if self.config.conditions.is_empty() {
            return Ok(z);
        }
        let [rows, _] = z.dims();
        let mut parts = vec![z];
        for m in (0..given.len()).filter(|&m| self.config.is_condition(m)) {
            let Some(c) = given[m].clone() else {
                return Err(ModelError::InvalidInput(format!("the CVAE's condition `{}` is not given", self.config.modalities[m].name)));
            };
            let [n, _] = c.dims();
            parts.push(crate::gaussian::repeat_rows(c, rows / n));
        }
        Ok(Tensor::cat(parts, 1))
    }

    /// Whether this model can encode `given`: a CVAE needs its conditions with anything it
    /// generates, since it has no encoder of an image alone and no p(w|z) to infer w with.
    pub fn check_given(&self, given: &Inputs) -> Result<(), ModelError> {
        self.config.check_given(given.iter().map(Option::is_some))
    }

    /// The encoder for whatever subset of modalities is observed: all of them -> the joint
    /// encoder; one -> its unimodal encoder; several -> the product of their unimodal experts.
    /// Without unimodal encoders (JMVAE-zero, VAE) the joint encoder sees zeros for the rest.
    /// A CVAE given only its conditions samples its prior N(0, I). Nothing observed, or a
    /// generated modality without a CVAE's conditions ([`Jmvae::check_given`]), is an error.
    pub fn posterior(&self, inputs: &Inputs) -> Result<DiagGaussian, ModelError> {
        self.check_given(inputs)?;
        let observed: Vec<usize> = (0..inputs.len()).filter(|&m| inputs[m].is_some()).collect();
        let Some(first) = observed.first().and_then(|&m| inputs[m].as_ref()) else {
            return Err(ModelError::InvalidInput("nothing is given: give at least one modality to encode".into()));
        };
        if !self.config.conditions.is_empty() && observed.iter().all(|&m| self.config.is_condition(m)) {
            let zeros = Tensor::zeros([first.dims()[0], self.config.latent], &first.device());
            return Ok(DiagGaussian::new(zeros.clone(), zeros));
        }
        if observed.len() == self.config.modalities.len() || self.unimodal_encoders.is_empty() {
            return Ok(self.joint_encoder(inputs));
        }
        let mut experts: Vec<DiagGaussian> = observed.iter().filter_map(|&m| Some(self.unimodal_encoder(m, inputs[m].clone()?))).collect();
        Ok(if experts.len() == 1 { experts.remove(0) } else { DiagGaussian::product(&experts) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::ModalityKind;

    fn three_modalities() -> ModelConfig {
        let mut config = ModelConfig::mnist();
        config.modalities.push(ModalityConfig {
            name: "attributes".into(),
            kind: ModalityKind::BinaryAttributes,
            shape: vec![3],
            labels: vec!["a".into(), "b".into(), "c".into()],
            branch: NetworkConfig::mlp(&[8]),
            encoder: NetworkConfig::mlp(&[8]),
            decoder: NetworkConfig::mlp(&[8]),
            sigma: 0.1,
        });
        config
    }

    #[test]
    fn shapes_hold_for_one_two_and_three_modalities() {
        let device = Device::default();
        for config in [ModelConfig::mnist_vae(), ModelConfig::mnist(), three_modalities()] {
            let model = Jmvae::new(&config, &device).unwrap();
            let inputs: Inputs = config
                .modalities
                .iter()
                .map(|m| Some(Tensor::ones([5, m.size()], &device)))
                .collect();
            let q = model.joint_encoder(&inputs);
            assert_eq!(q.mean.dims(), [5, 64]);
            assert_eq!(q.log_var.dims(), [5, 64]);
            for (m, modality) in config.modalities.iter().enumerate() {
                assert_eq!(model.decode_logits(m, q.mean.clone()).unwrap().dims(), [5, modality.size()]);
            }
            let n = config.modalities.len();
            assert_eq!(model.unimodal_encoders.len(), if n == 1 { 0 } else { n });
            if n == 3 {
                let subset: Inputs = vec![inputs[0].clone(), None, inputs[2].clone()];
                assert_eq!(model.posterior(&subset).unwrap().mean.dims(), [5, 64]);
            }
        }
    }

    #[test]
    fn convolutional_networks_keep_flat_shapes_and_their_parameter_count() {
        let device = Device::default();
        let config = ModelConfig::celeba((0..40).map(|i| format!("a{i}")).collect());
        let model = Jmvae::new(&config, &device).unwrap();
        let image = Tensor::ones([2, 3 * 64 * 64], &device);
        let attributes = Tensor::zeros([2, 40], &device);
        let joint = model.joint_encoder(&vec![Some(image.clone()), Some(attributes)]);
        assert_eq!(joint.mean.dims(), [2, 64]);
        assert_eq!(model.unimodal_encoder(0, image).mean.dims(), [2, 64]);
        assert_eq!(model.decode_logits(0, joint.mean.clone()).unwrap().dims(), [2, 3 * 64 * 64]);
        assert_eq!(model.decode_logits(1, joint.mean).unwrap().dims(), [2, 40]);

        let linear = |i: usize, o: usize| i * o + o;
        let conv = |i: usize, o: usize| i * o * 16 + o;
        let convs = conv(3, 32) + conv(32, 32) + conv(32, 64) + conv(64, 64);
        let image_encoder = convs + linear(1024, 256);
        let joint = image_encoder + linear(40, 256) + linear(512, 256) + 2 * linear(256, 64);
        let uni_x = image_encoder + 2 * linear(256, 64);
        let uni_w = linear(40, 256) + linear(256, 256) + 2 * linear(256, 64);
        let dec_x = linear(64, 256) + linear(256, 1024) + conv(64, 64) + conv(64, 32) + conv(32, 32) + conv(32, 3);
        let dec_w = linear(64, 256) + linear(256, 256) + linear(256, 40);
        assert_eq!(model.num_params(), joint + uni_x + uni_w + dec_x + dec_w);
    }

    #[test]
    fn the_upsampler_decodes_each_row_on_its_own() {
        // A reshape in the wrong order would mix examples; decoding a batch must equal
        // decoding its rows one by one.
        let device = Device::default();
        let model = Jmvae::new(&ModelConfig::celeba(vec!["a".into()]), &device).unwrap();
        let z = Tensor::<2>::random([3, 64], burn::tensor::Distribution::Normal(0.0, 1.0), &device);
        let batch = model.decode_logits(0, z.clone()).unwrap().into_data().try_to_vec::<f32>().unwrap();
        for row in 0..3 {
            let one = model.decode_logits(0, z.clone().slice([row..row + 1])).unwrap().into_data().try_to_vec::<f32>().unwrap();
            let part = &batch[row * one.len()..(row + 1) * one.len()];
            assert!(one.iter().zip(part).all(|(a, b)| (a - b).abs() < 1e-4));
        }
    }

    #[test]
    fn jmvae_zero_feeds_missing_modalities_as_zeros() {
        let device = Device::default();
        let mut config = ModelConfig::mnist();
        config.unimodal_encoders = false;
        let model = Jmvae::new(&config, &device).unwrap();
        let image = Tensor::ones([2, 784], &device);
        let with_zeros = model.joint_encoder(&vec![Some(image.clone()), Some(Tensor::zeros([2, 10], &device))]);
        let missing = model.posterior(&vec![Some(image), None]).unwrap();
        let a = with_zeros.mean.into_data().try_to_vec::<f32>().unwrap();
        let b = missing.mean.into_data().try_to_vec::<f32>().unwrap();
        assert_eq!(a, b);
    }

    #[test]
    fn a_cvae_decodes_the_image_from_z_beside_the_label_and_samples_its_prior_from_a_label() {
        let device = Device::default();
        let model = Jmvae::new(&ModelConfig::mnist_cvae(), &device).unwrap();
        assert_eq!((model.decoders.len(), model.unimodal_encoders.len()), (1, 0));
        let linear = |i: usize, o: usize| i * o + o;
        let joint = linear(784, 512) + linear(10, 512) + linear(1024, 512) + 2 * linear(512, 64);
        let dec_x = linear(64 + 10, 512) + linear(512, 512) + linear(512, 784);
        assert_eq!(model.num_params(), joint + dec_x);

        let label = Tensor::<2>::eye(10, &device).slice([2..4]);
        let given: Inputs = vec![None, Some(label.clone())];
        let prior = model.posterior(&given).unwrap();
        assert_eq!(prior.mean.clone().abs().sum().into_scalar::<f32>(), 0.0);
        assert_eq!(prior.log_var.dims(), [2, 64]);
        // Three samples per example: each label row is repeated to its three z rows.
        let code = model.decoder_input(Tensor::zeros([6, 64], &device), &given).unwrap().into_data().try_to_vec::<f32>().unwrap();
        let label_of = |row: usize| code[row * 74 + 64..(row + 1) * 74].iter().position(|&v| v == 1.0);
        assert_eq!((0..6).map(label_of).collect::<Vec<_>>(), [Some(2), Some(2), Some(2), Some(3), Some(3), Some(3)]);
        assert_eq!(model.decode_logits(0, model.decoder_input(prior.mean, &given).unwrap()).unwrap().dims(), [2, 784]);

        let image_only: Inputs = vec![Some(Tensor::zeros([2, 784], &device)), None];
        let err = model.check_given(&image_only).unwrap_err().to_string();
        assert!(err.contains("cannot infer `label` from `image`"), "{err}");
        model.check_given(&given).unwrap();
        // Asked anyway, each refuses with an error rather than feed the joint encoder a zero
        // label or panic: the posterior, the decoder's input without the condition, and a
        // decoder of the condition itself.
        let refused = model.posterior(&image_only).unwrap_err().to_string();
        assert!(refused.contains("this is a CVAE"), "{refused}");
        let missing = model.decoder_input(Tensor::zeros([2, 64], &device), &vec![None, None]).unwrap_err().to_string();
        assert!(missing.contains("condition `label` is not given"), "{missing}");
        let decoded = model.decode_logits(1, Tensor::zeros([2, 74], &device)).unwrap_err().to_string();
        assert!(decoded.contains("`label` is a condition of this CVAE"), "{decoded}");
        let nothing = model.posterior(&vec![None, None]).unwrap_err().to_string();
        assert!(nothing.contains("nothing is given"), "{nothing}");
    }

    #[test]
    fn mnist_parameter_count_matches_the_reference_architecture() {
        let model = Jmvae::new(&ModelConfig::mnist(), &Device::default()).unwrap();
        let linear = |i: usize, o: usize| i * o + o;
        let joint = linear(784, 512) + linear(10, 512) + linear(1024, 512) + 2 * linear(512, 64);
        let uni_x = linear(784, 512) + linear(512, 512) + 2 * linear(512, 64);
        let uni_w = linear(10, 512) + linear(512, 512) + 2 * linear(512, 64);
        let dec_x = linear(64, 512) + linear(512, 512) + linear(512, 784);
        let dec_w = linear(64, 512) + linear(512, 512) + linear(512, 10);
        assert_eq!(model.num_params(), joint + uni_x + uni_w + dec_x + dec_w);
    }
}
