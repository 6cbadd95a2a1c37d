//! The CelebA cache file: magic, header length, JSON header, faces; then its checks against
//! the images a load found (`read_cache`, `check_cache`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let path = jmvae_fuzz::scratch_file("celeba-train.bin", data);
    if let Err(err) = jmvae_trainer::celeba::fuzzing::cache(&path) {
        jmvae_fuzz::message(err);
    }
});
