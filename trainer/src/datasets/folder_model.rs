//! The model a folder dataset trains by default, following its data: the MNIST reference's
//! fully connected networks for small grey images, the faces' convolutional networks for
//! colour or larger ones; every modality built from those two models' own.

use jmvae::{ModalityConfig, ModalityKind, ModelConfig, NetworkConfig};

use super::folder_recipe::{Likelihood, Network};
use crate::folder::{Kind, Modality};

/// The largest side of grey images that the fully connected networks take.
const MLP_MAX_SIDE: usize = 32;

/// The default model and the choices behind it, in words.
pub struct Choice {
    /// The networks.
    pub config: ModelConfig,
    /// What the images' likelihood is and why.
    pub likelihood: String,
    /// Which networks and why.
    pub network: String,
}

/// What the flags override in the choice made from the images: `--likelihood`, `--network`, `--latent`.
#[derive(Clone, Copy, Debug, Default)]
pub struct Overrides {
    /// The images' likelihood.
    pub likelihood: Option<Likelihood>,
    /// The images' networks.
    pub network: Option<Network>,
    /// The latent's width.
    pub latent: Option<usize>,
}

/// The model for `modalities`, with what `overrides` sets instead of the images' own choice.
pub fn choose(modalities: &[Modality], overrides: Overrides) -> Choice {
    let Overrides { likelihood, network, latent } = overrides;
    let images: Vec<(usize, usize)> = modalities.iter().filter_map(|m| if let Kind::Image { channels, side } = m.kind { Some((channels, side)) } else { None }).collect();
    let grey = images.iter().all(|&(c, _)| c == 1);
    let side = images.first().map_or(0, |&(_, s)| s);
    let small = network.map_or(grey && side <= MLP_MAX_SIDE, |n| n == Network::Mlp);
    let base = if small { ModelConfig::mnist() } else { ModelConfig::celeba(Vec::new()) };
    let chosen = likelihood.unwrap_or(if grey { Likelihood::Bernoulli } else { Likelihood::Gaussian });
    let z = latent.unwrap_or(base.latent);
    let config = ModelConfig { modalities: modalities.iter().map(|m| modality(&base, m, chosen, small)).collect(), latent: z, ..base };
    let likelihood = match (likelihood, chosen) {
        (Some(_), _) => format!("{} (set by --likelihood, or as the run recorded)", describe(chosen)),
        (None, Likelihood::Bernoulli) => format!("{} (the images are grey; --likelihood gaussian to change)", describe(chosen)),
        (None, Likelihood::Gaussian) => format!("{} (the images are colour; --likelihood bernoulli to change)", describe(chosen)),
    };
    let why = match network {
        Some(_) => "set by --network, or as the run recorded".to_string(),
        None if small => format!("the images are grey and at most {MLP_MAX_SIDE} pixels; --network conv to change"),
        None => format!("the images are {}; --network mlp to change", if grey { "larger than 32 pixels" } else { "colour" }),
    };
    let network = if small {
        format!("the MNIST reference's fully connected networks (512-512 encoders and decoders, a 512 joint layer, z = {z}): {why}")
    } else {
        format!("the faces' convolutional networks ({} convolutions, 256 dense; 256-256 for the other modalities, a 256 joint layer, z = {z}): {why}", halvings(side))
    };
    Choice { config, likelihood, network }
}

/// The likelihood in words.
fn describe(likelihood: Likelihood) -> &'static str {
    match likelihood {
        Likelihood::Bernoulli => "Bernoulli, the intensities re-binarised every epoch (MNIST's)",
        Likelihood::Gaussian => "Gaussian with σ = 0.2 around the intensities (the faces')",
    }
}

/// How many stride-2 convolutions divide `side` (at most the faces' four).
fn halvings(side: usize) -> usize {
    (side.trailing_zeros() as usize).min(4)
}

/// One modality of the model, from the base model's image or annotation networks.
fn modality(base: &ModelConfig, data: &Modality, likelihood: Likelihood, small: bool) -> ModalityConfig {
    let template = |m: usize| ModalityConfig { name: data.name.clone(), ..base.modalities[m].clone() };
    match &data.kind {
        Kind::Image { channels, side } if small => {
            let image = template(0);
            let sigma = if likelihood == Likelihood::Gaussian { base_sigma() } else { image.sigma };
            let shape = if *channels == 1 { vec![*side, *side] } else { vec![*channels, *side, *side] };
            ModalityConfig { kind: likelihood.kind(), shape, sigma, ..image }
        }
        Kind::Image { channels, side } => {
            let mut image = ModalityConfig { kind: likelihood.kind(), shape: vec![*channels, *side, *side], ..template(0) };
            let n = halvings(*side);
            if n == 0 {
                // An odd side cannot be halved: the image is read and written by dense layers.
                let mlp = &ModelConfig::mnist().modalities[0];
                (image.branch, image.encoder, image.decoder) = (mlp.branch.clone(), mlp.encoder.clone(), mlp.decoder.clone());
            } else {
                image.branch = NetworkConfig::conv(&[32, 32, 64, 64][..n], &[256]);
                image.encoder = image.branch.clone();
                image.decoder = NetworkConfig::deconv(&[256], &[64, 64, 32, 32][4 - n..]);
            }
            image
        }
        Kind::Categorical(classes) => {
            ModalityConfig { kind: ModalityKind::Categorical, shape: vec![classes.len()], labels: classes.clone(), ..template(1) }
        }
        Kind::Attributes(names) => {
            ModalityConfig { kind: ModalityKind::BinaryAttributes, shape: vec![names.len()], labels: names.clone(), ..template(1) }
        }
    }
}

/// The faces' σ, for grey images given a Gaussian likelihood.
fn base_sigma() -> f32 {
    ModelConfig::celeba(Vec::new()).modalities[0].sigma
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(channels: usize, side: usize) -> Vec<Modality> {
        vec![
            Modality { name: "image".into(), kind: Kind::Image { channels, side } },
            Modality { name: "label".into(), kind: Kind::Categorical(vec!["a".into(), "b".into()]) },
            Modality { name: "attributes".into(), kind: Kind::Attributes(vec!["x".into()]) },
        ]
    }

    #[test]
    fn small_grey_images_get_the_mnist_networks_and_colour_ones_the_faces() {
        let grey = choose(&data(1, 28), Overrides::default()).config;
        grey.validate().unwrap();
        assert_eq!((grey.modalities[0].kind, grey.modalities[0].shape.clone()), (ModalityKind::BinaryImage, vec![28, 28]));
        assert_eq!(grey.modalities[0].encoder, ModelConfig::mnist().modalities[0].encoder);
        let colour = choose(&data(3, 64), Overrides::default()).config;
        colour.validate().unwrap();
        assert_eq!(colour.modalities[0], ModalityConfig { name: "image".into(), ..ModelConfig::celeba(Vec::new()).modalities[0].clone() });
        assert_eq!(colour.modalities[1].kind, ModalityKind::Categorical);
        for side in [24, 33, 48, 40] {
            choose(&data(3, side), Overrides::default()).config.validate().unwrap();
        }
        let gaussian = choose(&data(1, 28), Overrides { likelihood: Some(Likelihood::Gaussian), ..Overrides::default() }).config;
        assert_eq!(gaussian.modalities[0].kind, ModalityKind::ColourImage);
    }

    #[test]
    fn the_network_and_latent_flags_override_the_choice() {
        let conv = choose(&data(1, 28), Overrides { network: Some(Network::Conv), latent: Some(16), ..Overrides::default() });
        conv.config.validate().unwrap();
        assert_ne!(conv.config.modalities[0].encoder, ModelConfig::mnist().modalities[0].encoder, "convolutions, not the MLP");
        assert_eq!(conv.config.latent, 16);
        assert!(conv.network.contains("convolutional") && conv.network.contains("z = 16") && conv.network.contains("--network"), "{}", conv.network);
        let mlp = choose(&data(3, 16), Overrides { network: Some(Network::Mlp), ..Overrides::default() });
        mlp.config.validate().unwrap();
        assert_eq!(mlp.config.modalities[0].shape, vec![3, 16, 16]);
        assert_eq!(mlp.config.modalities[0].encoder, ModelConfig::mnist().modalities[0].encoder);
    }
}
