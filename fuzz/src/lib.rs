//! What the fuzz targets share: a scratch file per process, for the parsers that read a path,
//! and the tiny model the weights targets load into.

use std::path::PathBuf;
use std::sync::OnceLock;

use jmvae::weights::{Manifest, Precision, Provenance};
use jmvae::{Jmvae, ModelConfig};

/// The tiny model of the weights targets (`fuzz/tiny-config.json`): a 1x4x4 image with a
/// convolution encoder and a deconvolution decoder, and a 3-class label.
pub fn tiny_config() -> ModelConfig {
    serde_json::from_str(include_str!("../tiny-config.json")).expect("tiny-config.json is a model config")
}

/// Write `bytes` to this process's scratch file called `name` and return its path, so that a
/// parser that reads a path sees exactly these bytes. The files live in `jmvae-fuzz/` under
/// `/dev/shm` where it exists (ten times the executions of a disk), else the temporary
/// directory; each process overwrites its own few files, named by its id.
pub fn scratch_file(name: &str, bytes: &[u8]) -> PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    let dir = DIR.get_or_init(|| {
        let shm = std::path::Path::new("/dev/shm");
        let root = if shm.is_dir() { shm.to_path_buf() } else { std::env::temp_dir() };
        let dir = root.join("jmvae-fuzz");
        std::fs::create_dir_all(&dir).expect("cannot create the scratch directory");
        dir
    });
    let path = dir.join(format!("{}-{name}", std::process::id()));
    std::fs::write(&path, bytes).expect("cannot write the scratch file");
    path
}

/// The manifest that describes `bytes` as the weights of `config`: the right size and sha256,
/// so that [`Manifest::load`] goes on to parse them.
pub fn manifest_for(config: ModelConfig, bytes: &[u8]) -> Manifest {
    let mut manifest = tiny_model().0.clone();
    manifest.config = config;
    manifest.weights.bytes = bytes.len() as u64;
    manifest.weights.sha256 = jmvae::weights::sha256_hex(bytes);
    manifest
}

/// The tiny model's f32 weights file and its manifest, made once.
pub fn tiny_model() -> &'static (Manifest, Vec<u8>) {
    static MODEL: OnceLock<(Manifest, Vec<u8>)> = OnceLock::new();
    MODEL.get_or_init(|| {
        let model = Jmvae::new(&tiny_config(), &jmvae_trainer::commands::device()).expect("the tiny model builds");
        Manifest::export(&model, Precision::F32, "w.safetensors", Provenance::default()).expect("the tiny model exports")
    })
}

/// Format an error with its causes, as the CLI prints it, so that building the message is
/// fuzzed too.
pub fn message(err: impl std::fmt::Display) -> usize {
    format!("{err:#}").len()
}
