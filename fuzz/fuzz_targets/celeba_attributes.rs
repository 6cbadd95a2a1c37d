//! The CelebA attribute file (`list_attr_celeba.txt`): the row count, the names, the -1/1 rows.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(err) = jmvae_trainer::celeba::fuzzing::attributes(data) {
        jmvae_fuzz::message(err);
    }
});
