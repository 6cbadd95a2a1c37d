//! The seed corpus of the fuzz targets in `fuzz/` (see `docs/FUZZING.md`), made by the same
//! writers as the tests' fixtures. As a test, it checks that every seed still gets the verdict
//! it was made for, so that the seeds keep reaching past the first check of each parser; with
//! `JMVAE_FUZZ_SEEDS=<dir>` it also writes them, one folder per target, to `<dir>`
//! (`JMVAE_FUZZ_SEEDS=$PWD/fuzz/corpus cargo test --release -p jmvae-trainer fuzz_seeds`).

use std::io::Write;
use std::path::Path;

use flate2::Compression;
use flate2::write::GzEncoder;
use jmvae::weights::{Manifest, Precision, Provenance, Sampling, to_safetensors};
use jmvae::infer::Temperature;
use jmvae::{Jmvae, ModelConfig};

use crate::celeba::fuzzing;
use crate::idx::{encode_idx, parse_idx, read_idx};

/// One seed: its target, file name and bytes, and `None` if the parser accepts it, else a
/// piece of the message it must give.
struct Seed {
    target: &'static str,
    name: &'static str,
    bytes: Vec<u8>,
    refused_with: Option<&'static str>,
}

fn seed(target: &'static str, name: &'static str, bytes: impl Into<Vec<u8>>, refused_with: Option<&'static str>) -> Seed {
    Seed { target, name, bytes: bytes.into(), refused_with }
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut gz = GzEncoder::new(Vec::new(), Compression::default());
    gz.write_all(bytes).unwrap();
    gz.finish().unwrap()
}

fn tiny_config() -> ModelConfig {
    serde_json::from_str(include_str!("../../fuzz/tiny-config.json")).unwrap()
}

fn idx_seeds() -> Vec<Seed> {
    let images = encode_idx(&[2, 4, 4], &(0..32).collect::<Vec<u8>>());
    let labels = encode_idx(&[3], &[0, 9, 5]);
    let mut bad_type = labels.clone();
    bad_type[2] = 0x0d;
    let mut overflow = encode_idx(&[1, 1, 1], &[]);
    overflow[4..16].fill(0xff);
    let mut seeds = vec![
        seed("idx", "images", images.clone(), None),
        seed("idx", "labels", labels.clone(), None),
        seed("idx", "truncated", &images[..images.len() - 3], Some("found 29")),
        seed("idx", "bad-type", bad_type, Some("element type")),
        seed("idx", "rank-0", [0, 0, 8, 0], Some("rank 0")),
        seed("idx", "overflow", overflow, Some("overflow")),
    ];
    let mut truncated_gzip = gzip(&images);
    truncated_gzip.truncate(truncated_gzip.len() / 2);
    seeds.extend([
        seed("idx_gzip", "images.gz", gzip(&images), None),
        seed("idx_gzip", "labels.gz", gzip(&labels), None),
        seed("idx_gzip", "truncated.gz", truncated_gzip, Some("corrupt gzip")),
        seed("idx_gzip", "not-idx.gz", gzip(b"not an IDX file"), Some("magic")),
    ]);
    seeds
}

fn celeba_seeds(dir: &Path) -> Vec<Seed> {
    let attributes = fuzzing::ATTRIBUTES;
    let mut seeds = vec![
        seed("celeba_attributes", "valid", attributes, None),
        seed("celeba_attributes", "lf", attributes.replace("\r\n", "\n"), None),
        seed("celeba_attributes", "missing-column", attributes.replace("  1  1  1", "  1  1"), Some("expected 3")),
        seed("celeba_attributes", "bad-value", attributes.replace(" -1  1 -1", " -1  0 -1"), Some("not -1 or 1")),
        seed("celeba_attributes", "short", attributes.replacen('3', "4", 1), Some("announces 4 rows")),
        seed("celeba_partitions", "valid", fuzzing::PARTITIONS, None),
        seed("celeba_partitions", "absent-row", "000001.jpg 0\n000002.jpg 1\n", Some("is not listed")),
        seed("celeba_partitions", "bad-code", "000001.jpg 0\n000002.jpg 3\n000003.jpg 1\n", Some("not 0, 1 or 2")),
        seed("celeba_partitions", "three-fields", "000001.jpg 0 1\n", Some("expected `file-name partition`")),
    ];
    let cache = |name: &str, pixel| {
        let path = dir.join(name);
        fuzzing::write_valid_cache(&path, pixel).unwrap();
        std::fs::read(path).unwrap()
    };
    let one_face = cache("one-face", Some(128));
    let mut long_header = one_face.clone();
    long_header[8..16].copy_from_slice(&u64::MAX.to_le_bytes());
    let mut other_key = cache("no-face", None);
    let at = other_key.windows(6).position(|w| w == b"\"key\":").unwrap() + 7;
    other_key[at] = if other_key[at] == b'0' { b'1' } else { b'0' };
    seeds.extend([
        seed("celeba_cache", "one-face", one_face.clone(), None),
        seed("celeba_cache", "no-face", cache("no-face", None), None),
        seed("celeba_cache", "truncated", &one_face[..one_face.len() - 100], Some("truncated?")),
        seed("celeba_cache", "long-header", long_header, Some("exceeds the file")),
        seed("celeba_cache", "other-key", other_key, Some("does not match")),
        seed("celeba_cache", "bad-magic", b"JMVCELB0\0\0\0\0\0\0\0\0".to_vec(), Some("wrong magic")),
    ]);
    seeds
}

fn model_seeds() -> Vec<Seed> {
    let device = crate::commands::device();
    let config = tiny_config();
    let model = Jmvae::new(&config, &device).unwrap();
    let provenance = Provenance {
        name: "tiny".into(),
        dataset: "none".into(),
        sampling: Some(Sampling { temperature: Temperature::new(0.8).unwrap(), chosen_by: "seed".into() }),
        ..Provenance::default()
    };
    let (manifest, _) = Manifest::export(&model, Precision::Mixed, "w.safetensors", provenance).unwrap();
    let json = serde_json::to_string_pretty(&manifest).unwrap();
    let mut mlp_only = manifest.clone();
    for m in &mut mlp_only.config.modalities {
        m.encoder = jmvae::NetworkConfig::mlp(&[3, 2]);
        m.decoder = jmvae::NetworkConfig::mlp(&[2]);
    }
    let mut conv_64 = manifest.clone();
    conv_64.config.modalities[0].encoder = jmvae::NetworkConfig::conv(&[2; 64], &[4]);
    let mut seeds = vec![
        seed("manifest", "tiny", json.clone(), None),
        seed("manifest", "mlp-only", serde_json::to_string(&mlp_only).unwrap(), None),
        seed("manifest", "other-format", json.replace("jmvae-manifest/1", "jmvae-manifest/2"), Some("is not `jmvae-manifest/1`")),
        seed("manifest", "no-weights", json.replace("\"weights\"", "\"weightz\""), Some("missing field `weights`")),
        seed("manifest", "hot", json.replace("0.8", "11.0"), Some("temperature 11")),
        // Crashed `NetworkConfig::check` (a shift overflow); see the test in src/config.rs.
        seed("manifest", "conv-64", serde_json::to_string(&conv_64).unwrap(), Some("64 halvings")),
    ];
    let mut other = config.clone();
    other.latent = 3;
    let other = to_safetensors(&Jmvae::new(&other, &device).unwrap(), Precision::F16).unwrap();
    let f32_file = to_safetensors(&model, Precision::F32).unwrap();
    let mut long_header = f32_file.clone();
    long_header[..8].copy_from_slice(&(f32_file.len() as u64).to_le_bytes());
    seeds.extend([
        seed("weights", "f32", f32_file.clone(), None),
        seed("weights", "f16", to_safetensors(&model, Precision::F16).unwrap(), None),
        seed("weights", "int8", to_safetensors(&model, Precision::Int8).unwrap(), None),
        seed("weights", "mixed", to_safetensors(&model, Precision::Mixed).unwrap(), None),
        seed("weights", "int4", to_safetensors(&model, Precision::Int4).unwrap(), None),
        seed("weights", "mixed4", to_safetensors(&model, Precision::Mixed4).unwrap(), None),
        seed("weights", "int4-misfit", safetensors_file(&[("w", "U8", "[2,1]", &[0x79, 0xf8]), ("w.int4_scale", "F16", "[2,2]", &[0; 8])]), Some("does not fit its scales")),
        seed("weights", "other-config", other, Some("do not fit")),
        seed("weights", "long-header", long_header, Some("not a safetensors file")),
        // Crashed `precision::widen` (a division by 0 columns); see the test there.
        seed("weights", "scalar-int8", safetensors_file(&[("w", "I8", "[]", &[5]), ("w.int8_scale", "F32", "[0]", &[])]), Some("not a matrix")),
    ]);
    seeds
}

/// A safetensors file of `(name, dtype, shape, bytes)` tensors, written by hand so that it can
/// hold what the safetensors writer and `to_safetensors` never would.
fn safetensors_file(tensors: &[(&str, &str, &str, &[u8])]) -> Vec<u8> {
    let (mut entries, mut data) = (Vec::new(), Vec::new());
    for (name, dtype, shape, bytes) in tensors {
        let end = data.len() + bytes.len();
        entries.push(format!(r#""{name}":{{"dtype":"{dtype}","shape":{shape},"data_offsets":[{},{end}]}}"#, data.len()));
        data.extend_from_slice(bytes);
    }
    let mut header = format!("{{{}}}", entries.join(",")).into_bytes();
    header.resize(header.len().next_multiple_of(8), b' ');
    [(header.len() as u64).to_le_bytes().as_slice(), &header, &data].concat()
}

/// The verdict of `target` on `bytes`: `Ok` or its message with causes.
fn verdict(target: &str, bytes: &[u8], dir: &Path) -> Result<(), String> {
    let scratch = |name: &str| {
        let path = dir.join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    };
    let device = crate::commands::device();
    let result = match target {
        "idx" => parse_idx(bytes).map(|_| ()),
        "idx_gzip" => read_idx(&scratch("x-idx1-ubyte.gz")).map(|_| ()),
        "celeba_attributes" => fuzzing::attributes(bytes),
        "celeba_partitions" => fuzzing::partitions(&scratch("partitions.txt")),
        "celeba_cache" => fuzzing::cache(&scratch("cache.bin")),
        "manifest" => Manifest::from_json(&String::from_utf8_lossy(bytes)).map(|_| ()).map_err(Into::into),
        "weights" => {
            let mut manifest = serde_json::from_str::<Manifest>(&serde_json::to_string(&model_manifest()).unwrap()).unwrap();
            manifest.weights.bytes = bytes.len() as u64;
            manifest.weights.sha256 = jmvae::weights::sha256_hex(bytes);
            manifest.load(bytes.to_vec(), &device).map(|_| ()).map_err(Into::into)
        }
        other => panic!("no target {other}"),
    };
    result.map_err(|e: anyhow::Error| format!("{e:#}"))
}

/// A manifest of the tiny config (its weights fields are replaced per seed).
fn model_manifest() -> Manifest {
    let model = Jmvae::new(&tiny_config(), &crate::commands::device()).unwrap();
    Manifest::export(&model, Precision::F32, "w.safetensors", Provenance::default()).unwrap().0
}

#[test]
fn fuzz_seeds_get_their_verdicts() {
    let dir = tempfile::tempdir().unwrap();
    let seeds: Vec<Seed> = idx_seeds().into_iter().chain(celeba_seeds(dir.path())).chain(model_seeds()).collect();
    for s in &seeds {
        match (verdict(s.target, &s.bytes, dir.path()), s.refused_with) {
            (Ok(()), None) => {}
            (Err(e), Some(part)) => assert!(e.contains(part), "{}/{}: `{e}` lacks `{part}`", s.target, s.name),
            (result, expected) => panic!("{}/{}: {result:?}, expected {expected:?}", s.target, s.name),
        }
    }
    if let Some(out) = std::env::var_os("JMVAE_FUZZ_SEEDS") {
        for s in &seeds {
            let folder = Path::new(&out).join(s.target);
            std::fs::create_dir_all(&folder).unwrap();
            std::fs::write(folder.join(s.name), &s.bytes).unwrap();
        }
    }
}
