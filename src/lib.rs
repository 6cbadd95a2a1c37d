//! # jmvae
//!
//! JMVAE (Suzuki, Nakayama & Matsuo, "Joint Multimodal Learning with Deep Generative Models",
//! 2016) on Burn. Every modality is generated independently from one shared latent z; a joint
//! encoder q(z|all) and one encoder q(z|m) per modality are trained together (JMVAE-kl), so any
//! modality can be generated from any other.
//!
//! This crate holds the model code shared by the native trainer (`trainer/`) and the browser
//! (`src/wasm.rs`, built into `pkg/`). It never names a backend: callers pass a Burn `Device`.

pub mod adversarial;
pub mod config;
pub mod discriminator;
pub mod error;
pub mod marginal_likelihood;
pub mod gaussian;
pub mod infer;
pub mod likelihood;
pub mod model;
pub mod network;
pub mod objective;
pub mod rng;
pub mod weights;

#[cfg(test)]
mod test_support;

#[cfg(target_family = "wasm")]
pub mod wasm;

pub use config::{ModalityConfig, ModalityKind, ModelConfig, NetworkConfig};
pub use error::ModelError;
pub use gaussian::DiagGaussian;
pub use model::{Inputs, Jmvae};
pub use objective::{Objective, Terms};
pub use weights::Precision;
pub use rng::SeededRng;
pub use weights::Manifest;
