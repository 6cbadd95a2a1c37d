//! The CelebA partition file (`list_eval_partition.txt`), then each partition's rows of a
//! fixed attribute file picked with it.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let path = jmvae_fuzz::scratch_file("list_eval_partition.txt", data);
    if let Err(err) = jmvae_trainer::celeba::fuzzing::partitions(&path) {
        jmvae_fuzz::message(err);
    }
});
