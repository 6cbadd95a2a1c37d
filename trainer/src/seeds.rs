//! Every seed derived from a `--seed`: one named stream per purpose, each defined once here,
//! so that a new purpose takes a stream of its own instead of an offset that may collide. The
//! values are those every run and report so far was made with: changing one changes every
//! output that reads it (streams of different commands may share a value).

/// What a derived seed is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stream {
    /// Everything random in one training epoch (0-based): the data's draw, the order, flips
    /// and the noise; the same epoch of a resumed run gets the same generator.
    Epoch(usize),
    /// A JMVAE-GAN run's fresh discriminator, apart from the model, so that a GAN run's model
    /// starts as the plain run's.
    Discriminator,
    /// The fixed noise of the monitored split's one-sample ELBO, the same every epoch.
    MonitorElbo,
    /// The fixed noise of a refitted encoder's bound, the same every epoch.
    RefitBound,
    /// The importance samples of the q(z|x) proposal (the seed itself).
    ImageProposal,
    /// The importance samples of the q(z|x,w) proposal.
    JointProposal,
    /// The importance samples of the equal mixture of the two proposals.
    MixtureProposal,
    /// The prior samples of log p(w), and the CVAE's Bayes rule over its labels.
    LabelMarginal,
    /// The digits of the coherence curve on validation, which choices read.
    ValidationCoherence,
    /// The digits of the coherence curve on test, drawn apart from every choice's.
    TestCoherence,
    /// The samples of the temperature-selection grid, apart from the curve's.
    TemperatureSelection,
    /// The shuffle (and the digits' shifts) of one epoch (0-based) of a judge's training.
    JudgeEpoch(usize),
    /// The latents of cross-modal coherence: the same noise for every source modality.
    CrossCoherence,
}

/// The seed of `stream` for the command's or run's seed `base`.
pub fn seed_for(base: u64, stream: Stream) -> u64 {
    match stream {
        Stream::Epoch(epoch) => base.wrapping_mul(0x9E37_79B9).wrapping_add(epoch as u64 + 1),
        Stream::Discriminator => base ^ 0xD15C,
        Stream::MonitorElbo => base ^ 0xe1b0,
        Stream::RefitBound => base ^ 0x4ef1,
        Stream::ImageProposal => base,
        Stream::JointProposal => base.wrapping_add(1),
        Stream::MixtureProposal | Stream::LabelMarginal => base.wrapping_add(2),
        Stream::ValidationCoherence => base.wrapping_add(3),
        Stream::TestCoherence => base.wrapping_add(20_003),
        Stream::TemperatureSelection => base.wrapping_add(1000),
        Stream::JudgeEpoch(epoch) => base ^ ((epoch as u64 + 1) << 32),
        Stream::CrossCoherence => base.wrapping_add(30_003),
    }
}

/// The seed of the log p(x) that training's monitor estimates: fixed, whatever the run's
/// seed, so that runs compare.
pub const MONITOR_LOG_PX: u64 = 1;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_streams_keep_the_values_runs_were_made_with() {
        let base = 7;
        assert_eq!(seed_for(base, Stream::Epoch(0)), 7 * 0x9E37_79B9 + 1);
        assert_eq!(seed_for(base, Stream::Discriminator), 7 ^ 0xD15C);
        assert_eq!(seed_for(base, Stream::MonitorElbo), 7 ^ 0xe1b0);
        assert_eq!(seed_for(base, Stream::RefitBound), 7 ^ 0x4ef1);
        assert_eq!(seed_for(base, Stream::TestCoherence), 20_010);
        assert_eq!(seed_for(base, Stream::JudgeEpoch(1)), 7 ^ (2 << 32));
        assert_eq!(seed_for(base, Stream::CrossCoherence), 30_010);
    }
}
