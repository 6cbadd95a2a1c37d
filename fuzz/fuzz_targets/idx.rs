//! The IDX parser (MNIST's images and labels), on raw bytes: `idx::parse_idx`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(err) = jmvae_trainer::idx::parse_idx(data) {
        jmvae_fuzz::message(err);
    }
});
