//! The manifest (`Manifest::from_json`, lossy UTF-8 as `Manifest::read` does); when it parses,
//! `Manifest::load` builds its model from the tiny model's weights file, as a stranger's
//! manifest with a weights file it hashes would.
#![no_main]

use libfuzzer_sys::fuzz_target;

use jmvae::weights::Manifest;

fuzz_target!(|data: &[u8]| {
    let manifest = match Manifest::from_json(&String::from_utf8_lossy(data)) {
        Ok(manifest) => manifest,
        Err(err) => {
            jmvae_fuzz::message(err);
            return;
        }
    };
    let (_, weights) = jmvae_fuzz::tiny_model();
    let mut manifest = jmvae_fuzz::manifest_for(manifest.config, weights);
    manifest.weights.file = "w.safetensors".into();
    if let Err(err) = manifest.load(weights.clone(), &jmvae_trainer::commands::device()) {
        jmvae_fuzz::message(err);
    }
});
