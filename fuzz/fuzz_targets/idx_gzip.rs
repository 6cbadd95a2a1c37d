//! The IDX reader on a gzip file (`train-images-idx3-ubyte.gz`): `idx::read_idx`, which
//! gunzips, then parses.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let path = jmvae_fuzz::scratch_file("t10k-images-idx3-ubyte.gz", data);
    if let Err(err) = jmvae_trainer::idx::read_idx(&path) {
        jmvae_fuzz::message(err);
    }
});
