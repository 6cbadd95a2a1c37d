//! The independent judges of coherence: classifiers trained on real data only, never on the
//! JMVAE's outputs, so that their verdict on generated samples is an outside opinion.

pub mod attributes;
pub mod digits;
