//! The names of the modalities the trainer's datasets give their models, by which data,
//! models, metrics and flags find them (never by position), and which of them are images.

use jmvae::{ModalityKind, ModelConfig};

/// The image: MNIST's binarised digit or CelebA's colour face.
pub const IMAGE: &str = "image";
/// MNIST's digit class, one-hot.
pub const LABEL: &str = "label";
/// CelebA's 40 binary attributes.
pub const ATTRIBUTES: &str = "attributes";

/// Whether a modality of `kind` is an image (grey or colour, whatever its likelihood).
pub fn is_image(kind: &ModalityKind) -> bool {
    matches!(kind, ModalityKind::BinaryImage | ModalityKind::ColourImage)
}

/// The image modalities of `config`, in its order, for messages: "`image`, `fashion`".
pub fn image_names(config: &ModelConfig) -> String {
    let names: Vec<String> = config.modalities.iter().filter(|m| is_image(&m.kind)).map(|m| format!("`{}`", m.name)).collect();
    names.join(", ")
}
