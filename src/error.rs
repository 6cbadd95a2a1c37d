//! Errors that the model code reports to its callers (trainer, browser API).

/// Something a caller asked of the model that cannot be done, with the reason.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    /// A modality name that the model does not have.
    #[error("unknown modality `{name}` (this model has: {})", known.join(", "))]
    UnknownModality {
        /// The name that was asked for.
        name: String,
        /// The names the model knows.
        known: Vec<String>,
    },
    /// A model description that cannot be built.
    #[error("invalid model config: {0}")]
    InvalidConfig(String),
    /// An input of the wrong size or with values out of range.
    #[error("invalid input: {0}")]
    InvalidInput(String),
    /// Weights that do not match their manifest or the model.
    #[error("invalid weights: {0}")]
    InvalidWeights(String),
    /// A file that could not be read (native callers only).
    #[error("{0}")]
    File(String),
    /// A tensor could not be read back from the device.
    #[error("device error: {0}")]
    Device(String),
}
