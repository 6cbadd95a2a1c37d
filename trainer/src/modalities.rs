//! The names of the modalities the trainer's datasets give their models, by which data,
//! models, metrics and flags find them (never by position).

/// The image: MNIST's binarised digit or CelebA's colour face.
pub const IMAGE: &str = "image";
/// MNIST's digit class, one-hot.
pub const LABEL: &str = "label";
/// CelebA's 40 binary attributes.
pub const ATTRIBUTES: &str = "attributes";
