//! The weights loader on a file the manifest describes (right size and sha256), for the tiny
//! model of `fuzz/tiny-config.json`: `Manifest::load`, i.e. the safetensors header, the
//! widening of f16 / int8 (with its scales) to f32, then every tensor's dtype, shape and count
//! against the config.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let manifest = jmvae_fuzz::manifest_for(jmvae_fuzz::tiny_config(), data);
    if let Err(err) = manifest.load(data.to_vec(), &jmvae_trainer::commands::device()) {
        jmvae_fuzz::message(err);
    }
});
