//! The bad-input table of `docs/RELIABILITY.md`, row by row: each test gives the `jmvae`
//! binary one damaged input (data, CelebA, weights, a run directory, a full disk, a diverging
//! loss), asserts the message the user sees, and asserts that nothing on disk was overwritten:
//! the files the command would write stay absent, and every file that was there is unchanged.
//! A test's name is the table's last column.

#[allow(dead_code)]
mod common;

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use image::{Rgb, RgbImage};
use jmvae::weights::sha256_hex;
use serde_json::Value;

use common::{idx, s, write_mnist};

// ---------------------------------------------------------------------------------------------
// Helpers

/// Run `jmvae` with `args` and the environment `env`; return (success, stderr).
fn run_env(args: &[&str], env: &[(&str, &str)]) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_jmvae")).args(args).envs(env.iter().copied()).output().expect("jmvae runs");
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(!stderr.contains("panicked"), "jmvae {args:?} panicked:\n{stderr}");
    (out.status.success(), stderr)
}

/// Run `jmvae`, require success, return stderr.
fn ok(args: &[&str]) -> String {
    let (success, stderr) = run_env(args, &[]);
    assert!(success, "jmvae {args:?} failed:\n{stderr}");
    stderr
}

/// Run `jmvae` with `env`, require failure with an `error:` line containing every `expected`.
fn refused_env(args: &[&str], env: &[(&str, &str)], expected: &[&str]) -> String {
    let (success, stderr) = run_env(args, env);
    assert!(!success, "jmvae {args:?} should fail:\n{stderr}");
    let error = stderr.lines().find(|l| l.starts_with("error: ")).unwrap_or_else(|| panic!("no error line in:\n{stderr}"));
    for e in expected {
        assert!(error.contains(e), "jmvae {args:?}: expected `{e}` in:\n{error}");
    }
    error.to_string()
}

fn refused(args: &[&str], expected: &[&str]) -> String {
    refused_env(args, &[], expected)
}

/// Every file under `dir` and its bytes, to show that a refused command changed nothing.
fn files(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    if !dir.exists() {
        return out;
    }
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(files(&path));
        } else {
            out.insert(path.clone(), std::fs::read(&path).unwrap());
        }
    }
    out
}

/// Assert that `dir` holds exactly the files of `before`, byte for byte.
fn unchanged(dir: &Path, before: &BTreeMap<PathBuf, Vec<u8>>) {
    let after = files(dir);
    let names = |m: &BTreeMap<PathBuf, Vec<u8>>| m.keys().cloned().collect::<Vec<_>>();
    assert_eq!(names(&after), names(before), "files under `{}` appeared or vanished", dir.display());
    for (path, bytes) in before {
        assert!(after[path] == *bytes, "`{}` was changed", path.display());
    }
}

/// A temporary directory with a tiny MNIST in `mnist/`.
struct Digits {
    dir: tempfile::TempDir,
}

impl Digits {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        write_mnist(&dir.path().join("mnist"), 20);
        Digits { dir }
    }
    fn root(&self) -> &Path {
        self.dir.path()
    }
    fn data(&self) -> PathBuf {
        self.root().join("mnist")
    }
    fn run(&self) -> PathBuf {
        self.root().join("run")
    }
    /// `train` of the tiny MNIST into `run/`, with `extra` flags.
    fn train_args(&self, extra: &[&str]) -> Vec<String> {
        let (data, run) = (self.data(), self.run());
        let base = ["train", "--data", s(&data), "--out", s(&run), "--batch", "10", "--eval-every", "0"];
        base.iter().chain(extra).map(|a| a.to_string()).collect()
    }
    /// Train `epochs` epochs (a new run, or resumed).
    fn train(&self, extra: &[&str]) {
        let args = self.train_args(extra);
        ok(&args.iter().map(String::as_str).collect::<Vec<_>>());
    }
    /// Refuse to train; nothing may appear anywhere under the root, nor change.
    fn train_refused(&self, extra: &[&str], expected: &[&str]) -> String {
        let before = files(self.root());
        let args = self.train_args(extra);
        let error = refused(&args.iter().map(String::as_str).collect::<Vec<_>>(), expected);
        unchanged(self.root(), &before);
        error
    }
    /// A trained run exported at `precision` to `models/m.json`; returns the manifest's path.
    fn exported(&self, precision: &str) -> PathBuf {
        if !self.run().exists() {
            self.train(&["--epochs", "1"]);
        }
        let manifest = self.root().join(format!("models-{precision}/m.json"));
        ok(&["export", "--run", s(&self.run()), "--precision", precision, "--out", s(&manifest)]);
        manifest
    }
}

fn args_of(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

// ---------------------------------------------------------------------------------------------
// MNIST data

#[test]
fn mnist_truncated_gzip() {
    let d = Digits::new();
    let raw = d.data().join("train-images-idx3-ubyte");
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&std::fs::read(&raw).unwrap()).unwrap();
    let gz = gz.finish().unwrap();
    std::fs::remove_file(&raw).unwrap();
    std::fs::write(d.data().join("train-images-idx3-ubyte.gz"), &gz[..gz.len() / 2]).unwrap();
    d.train_refused(&[], &["cannot read `", "train-images-idx3-ubyte.gz` (corrupt gzip?)"]);
}

#[test]
fn mnist_wrong_idx_magic() {
    let d = Digits::new();
    let path = d.data().join("train-labels-idx1-ubyte");
    let mut bytes = std::fs::read(&path).unwrap();
    bytes[..4].copy_from_slice(b"PK\x03\x04");
    std::fs::write(&path, bytes).unwrap();
    d.train_refused(&[], &["train-labels-idx1-ubyte` is not a valid IDX file", "bad magic number [50, 4b, 03, 04]"]);
}

#[test]
fn mnist_wrong_element_type() {
    let d = Digits::new();
    let path = d.data().join("train-images-idx3-ubyte");
    let mut bytes = std::fs::read(&path).unwrap();
    bytes[2] = 0x0d;
    std::fs::write(&path, bytes).unwrap();
    d.train_refused(&[], &["train-images-idx3-ubyte` is not a valid IDX file", "element type 0x0d is not unsigned bytes"]);
}

#[test]
fn mnist_dimension_product_overflows() {
    let d = Digits::new();
    let path = d.data().join("train-images-idx3-ubyte");
    std::fs::write(&path, idx(&[u32::MAX as usize, u32::MAX as usize, u32::MAX as usize], &[0; 16])).unwrap();
    d.train_refused(&[], &["train-images-idx3-ubyte` is not a valid IDX file", "dimensions [4294967295, 4294967295, 4294967295] overflow"]);
}

#[test]
fn mnist_truncated_idx_body() {
    let d = Digits::new();
    let path = d.data().join("t10k-images-idx3-ubyte");
    let bytes = std::fs::read(&path).unwrap();
    std::fs::write(&path, &bytes[..bytes.len() - 100]).unwrap();
    d.train_refused(&[], &["t10k-images-idx3-ubyte`", "need 15680 bytes of data, found 15580 (truncated?)"]);
}

#[test]
fn mnist_image_label_count_mismatch() {
    let d = Digits::new();
    std::fs::write(d.data().join("train-labels-idx1-ubyte"), idx(&[19], &[1; 19])).unwrap();
    d.train_refused(&[], &["train-images-idx3-ubyte` has 20 images but `", "train-labels-idx1-ubyte` has 19 labels"]);
}

#[test]
fn mnist_label_11() {
    let d = Digits::new();
    let mut labels = vec![3u8; 20];
    labels[7] = 11;
    std::fs::write(d.data().join("t10k-labels-idx1-ubyte"), idx(&[20], &labels)).unwrap();
    d.train_refused(&[], &["t10k-labels-idx1-ubyte`: label 11 at index 7 is not a digit"]);
}

#[test]
fn mnist_images_not_28x28() {
    let d = Digits::new();
    std::fs::write(d.data().join("train-images-idx3-ubyte"), idx(&[20, 28, 27], &[0; 20 * 28 * 27])).unwrap();
    d.train_refused(&[], &["train-images-idx3-ubyte` holds images of shape [20, 28, 27], expected [n, 28, 28]"]);
}

#[test]
fn mnist_empty_split() {
    let d = Digits::new();
    std::fs::write(d.data().join("t10k-images-idx3-ubyte"), idx(&[0, 28, 28], &[])).unwrap();
    std::fs::write(d.data().join("t10k-labels-idx1-ubyte"), idx(&[0], &[])).unwrap();
    d.train_refused(&[], &["t10k-images-idx3-ubyte` holds no images"]);
}

#[test]
fn mnist_missing_file() {
    let d = Digits::new();
    std::fs::remove_file(d.data().join("t10k-labels-idx1-ubyte")).unwrap();
    d.train_refused(&[], &["t10k-labels-idx1-ubyte.gz` is missing (expected the standard MNIST file names)"]);
}

#[test]
fn mnist_missing_directory() {
    let d = Digits::new();
    let before = files(d.root());
    let nowhere = d.root().join("nowhere");
    refused(&["train", "--data", s(&nowhere), "--out", s(&d.run())], &["nowhere` does not exist (pass --data DIR)"]);
    unchanged(d.root(), &before);
}

// ---------------------------------------------------------------------------------------------
// CelebA

/// The 40 attribute names of CelebA.
const CELEBA_ATTRIBUTES: &str = "5_o_Clock_Shadow Arched_Eyebrows Attractive Bags_Under_Eyes Bald Bangs Big_Lips Big_Nose \
Black_Hair Blond_Hair Blurry Brown_Hair Bushy_Eyebrows Chubby Double_Chin Eyeglasses Goatee Gray_Hair Heavy_Makeup \
High_Cheekbones Male Mouth_Slightly_Open Mustache Narrow_Eyes No_Beard Oval_Face Pale_Skin Pointy_Nose Receding_Hairline \
Rosy_Cheeks Sideburns Smiling Straight_Hair Wavy_Hair Wearing_Earrings Wearing_Hat Wearing_Lipstick Wearing_Necklace \
Wearing_Necktie Young";

/// A tiny CelebA-layout directory: `n` faces with 40 attributes, every fourth in the test
/// partition, the rest in training.
struct Faces {
    dir: tempfile::TempDir,
}

impl Faces {
    fn new(n: usize) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("celeba");
        let images = data.join("img_align_celeba");
        std::fs::create_dir_all(&images).unwrap();
        let mut attr = format!("{n}\n{CELEBA_ATTRIBUTES}\n");
        let mut partition = String::new();
        for i in 1..=n {
            let name = format!("{i:06}.jpg");
            let values: Vec<&str> = (0..40).map(|a| if (i + a) % 3 == 0 { " 1" } else { "-1" }).collect();
            attr.push_str(&format!("{name} {}\n", values.join(" ")));
            partition.push_str(&format!("{name} {}\n", if i % 4 == 0 { 2 } else { 0 }));
            let shade = (i * 20 % 200) as u8;
            RgbImage::from_pixel(89, 109, Rgb([shade, 120, 200 - shade])).save(images.join(&name)).unwrap();
        }
        std::fs::write(data.join("list_attr_celeba.txt"), attr).unwrap();
        std::fs::write(data.join("list_eval_partition.txt"), partition).unwrap();
        Faces { dir }
    }
    fn root(&self) -> &Path {
        self.dir.path()
    }
    fn data(&self) -> PathBuf {
        self.root().join("celeba")
    }
    fn file(&self, name: &str) -> PathBuf {
        self.data().join(name)
    }
    fn image(&self, i: usize) -> PathBuf {
        self.data().join(format!("img_align_celeba/{i:06}.jpg"))
    }
    fn train_args(&self) -> Vec<String> {
        let (cache, run) = (self.root().join("cache"), self.root().join("run"));
        ["train", "--dataset", "celeba", "--data", s(&self.data()), "--cache", s(&cache), "--out", s(&run),
         "--epochs", "1", "--batch", "4", "--eval-every", "0"]
            .iter()
            .map(|a| a.to_string())
            .collect()
    }
    /// Refuse to train; nothing may appear or change anywhere under the root.
    fn train_refused(&self, expected: &[&str]) -> String {
        let before = files(self.root());
        let error = refused(&args_of(&self.train_args()), expected);
        unchanged(self.root(), &before);
        error
    }
    /// Train; the dataset itself must not change. Returns stderr.
    fn train_ok(&self) -> String {
        let before = files(&self.data());
        let out = ok(&args_of(&self.train_args()));
        unchanged(&self.data(), &before);
        out
    }
    /// Replace `from` by `to` in the attribute file, once.
    fn edit_attributes(&self, from: &str, to: &str) {
        let path = self.file("list_attr_celeba.txt");
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains(from), "{from}");
        std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
    }
}

#[test]
fn celeba_attribute_row_with_39_columns() {
    let f = Faces::new(8);
    let path = f.file("list_attr_celeba.txt");
    let text = std::fs::read_to_string(&path).unwrap();
    // Drop the last value of the second row: 39 values under 40 names.
    let lines: Vec<String> = text
        .lines()
        .enumerate()
        .map(|(i, l)| if i == 3 { l.rsplit_once(' ').unwrap().0.to_string() } else { l.to_string() })
        .collect();
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    f.train_refused(&["list_attr_celeba.txt` line 4: 39 values after `000002.jpg`, expected 40 (one per attribute)"]);
}

#[test]
fn celeba_header_with_39_names() {
    let f = Faces::new(8);
    f.edit_attributes(" Young\n", "\n");
    f.train_refused(&["list_attr_celeba.txt` line 3: 40 values after `000001.jpg`, expected 39 (one per attribute)"]);
}

#[test]
fn celeba_row_naming_an_absent_image() {
    let f = Faces::new(8);
    std::fs::remove_file(f.image(3)).unwrap();
    let out = f.train_ok();
    assert!(out.contains("CelebA train: 5 of 6 rows have an image (1 absent, 0 unreadable)"), "{out}");
}

#[test]
fn celeba_every_image_absent() {
    let f = Faces::new(8);
    std::fs::remove_dir_all(f.data().join("img_align_celeba")).unwrap();
    std::fs::create_dir(f.data().join("img_align_celeba")).unwrap();
    f.train_refused(&["none of the 6 train rows of `", "list_attr_celeba.txt` has an image in `"]);
}

#[test]
fn celeba_non_jpeg_named_jpg() {
    let f = Faces::new(8);
    std::fs::write(f.image(2), "<html>404 Not Found</html>\n").unwrap();
    let out = f.train_ok();
    assert!(out.contains("warning: skipping unreadable image `") && out.contains("000002.jpg`: "), "{out}");
    assert!(out.contains("CelebA train: 5 of 6 rows have an image (0 absent, 1 unreadable)"), "{out}");
}

#[test]
fn celeba_zero_byte_jpeg() {
    let f = Faces::new(8);
    std::fs::write(f.image(5), b"").unwrap();
    let out = f.train_ok();
    assert!(out.contains("warning: skipping unreadable image `") && out.contains("000005.jpg`: "), "{out}");
    assert!(out.contains("(0 absent, 1 unreadable)"), "{out}");
}

#[test]
fn celeba_truncated_jpeg() {
    let f = Faces::new(8);
    let bytes = std::fs::read(f.image(1)).unwrap();
    std::fs::write(f.image(1), &bytes[..bytes.len() / 3]).unwrap();
    let out = f.train_ok();
    assert!(out.contains("warning: skipping unreadable image `") && out.contains("000001.jpg`: "), "{out}");
    assert!(out.contains("(0 absent, 1 unreadable)"), "{out}");
}

#[test]
fn celeba_value_other_than_minus_one_or_one() {
    let f = Faces::new(8);
    f.edit_attributes("000003.jpg  1", "000003.jpg  2");
    f.train_refused(&["list_attr_celeba.txt` line 5: value `2` of 5_o_Clock_Shadow for `000003.jpg` is not -1 or 1"]);
}

#[test]
fn celeba_row_count_not_a_number() {
    let f = Faces::new(8);
    f.edit_attributes("8\n", "eight\n");
    f.train_refused(&["list_attr_celeba.txt` line 1: the row count `eight` is not a number"]);
}

#[test]
fn celeba_row_count_disagrees_with_the_rows() {
    let f = Faces::new(8);
    f.edit_attributes("8\n", "9\n");
    f.train_refused(&["list_attr_celeba.txt` line 1 announces 9 rows but the file has 8 (truncated?)"]);
}

#[test]
fn celeba_attribute_file_not_utf8() {
    let f = Faces::new(8);
    let path = f.file("list_attr_celeba.txt");
    let mut bytes = std::fs::read(&path).unwrap();
    bytes[5] = 0xff;
    std::fs::write(&path, bytes).unwrap();
    f.train_refused(&["list_attr_celeba.txt` is not UTF-8 text"]);
}

#[test]
fn celeba_partition_code_3() {
    let f = Faces::new(8);
    let path = f.file("list_eval_partition.txt");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replacen("000002.jpg 0", "000002.jpg 3", 1)).unwrap();
    f.train_refused(&["list_eval_partition.txt` line 2: partition `3` of `000002.jpg` is not 0, 1 or 2"]);
}

#[test]
fn celeba_row_missing_from_the_partition_file() {
    let f = Faces::new(8);
    let path = f.file("list_eval_partition.txt");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replacen("000006.jpg 0\n", "", 1)).unwrap();
    f.train_refused(&["list_attr_celeba.txt` line 8: `000006.jpg` is not listed in `", "list_eval_partition.txt`"]);
}

#[test]
fn celeba_missing_partition_file() {
    let f = Faces::new(8);
    std::fs::remove_file(f.file("list_eval_partition.txt")).unwrap();
    f.train_refused(&["cannot read the CelebA partition file `", "list_eval_partition.txt`"]);
}

#[test]
fn celeba_missing_image_directory() {
    let f = Faces::new(8);
    std::fs::remove_dir_all(f.data().join("img_align_celeba")).unwrap();
    f.train_refused(&["the CelebA image directory `", "img_align_celeba` does not exist"]);
}

#[test]
fn celeba_corrupt_cache_file() {
    let f = Faces::new(8);
    f.train_ok();
    let cache = f.root().join("cache");
    let file = std::fs::read_dir(&cache)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.file_name().unwrap().to_string_lossy().starts_with("celeba-train-"))
        .unwrap();
    let good = std::fs::read(&file).unwrap();
    std::fs::write(&file, &good[..good.len() - 1000]).unwrap();
    std::fs::remove_dir_all(f.root().join("run")).unwrap();
    let out = f.train_ok();
    assert!(out.contains("warning: ignoring the CelebA cache `") && out.contains("(truncated?)"), "{out}");
    // The cache is the one file rewritten, by design: rebuilt whole, the same bytes as before.
    assert_eq!(std::fs::read(&file).unwrap(), good);
}

// ---------------------------------------------------------------------------------------------
// Weights

/// The safetensors header of `bytes` as JSON, and where the data starts.
fn header(bytes: &[u8]) -> (Value, usize) {
    let n = u64::from_le_bytes(bytes[..8].try_into().unwrap()) as usize;
    (serde_json::from_slice(&bytes[8..8 + n]).unwrap(), 8 + n)
}

/// Write `bytes` as the weights of `manifest` and make the manifest's size and sha256 agree,
/// so the damage reaches the parser rather than the hash check.
fn rewrite_weights(manifest: &Path, bytes: &[u8]) {
    let mut m: Value = serde_json::from_slice(&std::fs::read(manifest).unwrap()).unwrap();
    m["weights"]["bytes"] = bytes.len().into();
    m["weights"]["sha256"] = sha256_hex(bytes).into();
    std::fs::write(manifest.with_extension("safetensors"), bytes).unwrap();
    std::fs::write(manifest, serde_json::to_vec_pretty(&m).unwrap()).unwrap();
}

/// Replace the header of a safetensors file, keeping its data.
fn with_header(bytes: &[u8], header: &Value) -> Vec<u8> {
    let start = self::header(bytes).1;
    let mut text = serde_json::to_vec(header).unwrap();
    text.resize(text.len().next_multiple_of(8), b' ');
    let mut out = (text.len() as u64).to_le_bytes().to_vec();
    out.extend_from_slice(&text);
    out.extend_from_slice(&bytes[start..]);
    out
}

/// Overwrite `value` at element `index` of tensor `name` (of `width` bytes an element).
fn poke(bytes: &mut [u8], name: &str, index: usize, value: &[u8]) {
    let (h, start) = header(bytes);
    let offset = start + h[name]["data_offsets"][0].as_u64().unwrap() as usize + index * value.len();
    bytes[offset..offset + value.len()].copy_from_slice(value);
}

/// Sampling from `manifest` is refused with `expected`; nothing is written or changed.
fn sample_refused(d: &Digits, manifest: &Path, expected: &[&str]) -> String {
    let before = files(d.root());
    let out = d.root().join("samples.json");
    let error = refused(&["sample", "--manifest", s(manifest), "--label", "3", "--json", s(&out)], expected);
    unchanged(d.root(), &before);
    error
}

const LOGITS: &str = "decoders.0.logits.weight";

#[test]
fn weights_tensor_of_the_wrong_shape() {
    let d = Digits::new();
    let m = d.exported("f32");
    let bytes = std::fs::read(m.with_extension("safetensors")).unwrap();
    let (mut h, _) = header(&bytes);
    h[LOGITS]["shape"] = serde_json::json!([784, 512]);
    rewrite_weights(&m, &with_header(&bytes, &h));
    sample_refused(&d, &m, &["m.safetensors`: invalid weights: the weights do not fit this model's config (1 problem: \
                             tensor `decoders.0.logits.weight` has shape [784, 512], the config needs [512, 784])"]);
}

#[test]
fn weights_nan() {
    let d = Digits::new();
    let m = d.exported("f32");
    let mut bytes = std::fs::read(m.with_extension("safetensors")).unwrap();
    poke(&mut bytes, LOGITS, 2, &f32::NAN.to_le_bytes());
    rewrite_weights(&m, &bytes);
    sample_refused(&d, &m, &["m.safetensors`: invalid weights: tensor `decoders.0.logits.weight` holds NaN at index 2 of 401408"]);
}

#[test]
fn weights_infinite_f16() {
    let d = Digits::new();
    let m = d.exported("f16");
    let mut bytes = std::fs::read(m.with_extension("safetensors")).unwrap();
    poke(&mut bytes, "decoders.1.logits.bias", 9, &half_inf());
    rewrite_weights(&m, &bytes);
    sample_refused(&d, &m, &["invalid weights: tensor `decoders.1.logits.bias` holds inf at index 9 of 10"]);
}

/// f16 +infinity, little-endian.
fn half_inf() -> [u8; 2] {
    0x7c00u16.to_le_bytes()
}

#[test]
fn weights_manifest_missing_a_field() {
    let d = Digits::new();
    let m = d.exported("f32");
    let mut json: Value = serde_json::from_slice(&std::fs::read(&m).unwrap()).unwrap();
    json["weights"].as_object_mut().unwrap().remove("sha256");
    std::fs::write(&m, serde_json::to_vec_pretty(&json).unwrap()).unwrap();
    sample_refused(&d, &m, &["m.json`: invalid weights: the manifest is not valid: missing field `sha256`"]);
}

#[test]
fn weights_manifest_of_another_format() {
    let d = Digits::new();
    let m = d.exported("f32");
    let text = std::fs::read_to_string(&m).unwrap().replace("jmvae-manifest/1", "jmvae-manifest/9");
    std::fs::write(&m, text).unwrap();
    sample_refused(&d, &m, &["manifest format `jmvae-manifest/9` is not `jmvae-manifest/1`"]);
}

#[test]
fn weights_header_length_larger_than_the_file() {
    let d = Digits::new();
    let m = d.exported("f32");
    let mut bytes = std::fs::read(m.with_extension("safetensors")).unwrap();
    let claimed = bytes.len() as u64 * 2;
    bytes[..8].copy_from_slice(&claimed.to_le_bytes());
    rewrite_weights(&m, &bytes);
    let follow = bytes.len() - 8;
    sample_refused(&d, &m, &[&format!("not a safetensors file: its header length says {claimed} bytes, but only {follow} follow it")]);
}

#[test]
fn weights_for_another_config() {
    let d = Digits::new();
    let m = d.exported("f32");
    let mut json: Value = serde_json::from_slice(&std::fs::read(&m).unwrap()).unwrap();
    json["config"]["latent"] = 8.into();
    std::fs::write(&m, serde_json::to_vec_pretty(&json).unwrap()).unwrap();
    sample_refused(&d, &m, &["the weights do not fit this model's config (14 problems: tensor `", "has shape [512, 64], the config needs [512, 8]"]);
}

#[test]
fn weights_unexpected_tensor() {
    let d = Digits::new();
    let m = d.exported("f32");
    let bytes = std::fs::read(m.with_extension("safetensors")).unwrap();
    let (mut h, start) = header(&bytes);
    // 4 more bytes of data at the end, named as a tensor that the model does not have.
    let end = (bytes.len() - start) as u64;
    h["extra.weight"] = serde_json::json!({"dtype": "F32", "shape": [1], "data_offsets": [end, end + 4]});
    let mut extended = with_header(&bytes, &h);
    extended.extend_from_slice(&1.0f32.to_le_bytes());
    rewrite_weights(&m, &extended);
    sample_refused(&d, &m, &["the weights do not fit this model's config (1 problem: unexpected tensor `extra.weight`)"]);
}

#[test]
fn weights_int8_scale_of_zero() {
    let d = Digits::new();
    let m = d.exported("int8");
    let mut bytes = std::fs::read(m.with_extension("safetensors")).unwrap();
    poke(&mut bytes, &format!("{LOGITS}.int8_scale"), 4, &0.0f32.to_le_bytes());
    rewrite_weights(&m, &bytes);
    sample_refused(&d, &m, &["`decoders.0.logits.weight.int8_scale` is 0 for column 4, yet `decoders.0.logits.weight` holds the non-zero int8 value"]);
}

#[test]
fn weights_int8_scale_nan() {
    let d = Digits::new();
    let m = d.exported("int8");
    let mut bytes = std::fs::read(m.with_extension("safetensors")).unwrap();
    poke(&mut bytes, "joint_encoder.head.mean.weight.int8_scale", 0, &f32::NAN.to_le_bytes());
    rewrite_weights(&m, &bytes);
    sample_refused(&d, &m, &["`joint_encoder.head.mean.weight.int8_scale` holds NaN for column 0; int8 scales must be finite and non-negative"]);
}

#[test]
fn weights_sha256_mismatch() {
    let d = Digits::new();
    let m = d.exported("f16");
    let path = m.with_extension("safetensors");
    let mut bytes = std::fs::read(&path).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    std::fs::write(&path, bytes).unwrap();
    sample_refused(&d, &m, &["`m.safetensors` has sha256 ", "(corrupt or from another model?)"]);
}

#[test]
fn weights_truncated_download() {
    let d = Digits::new();
    let m = d.exported("f16");
    let path = m.with_extension("safetensors");
    let bytes = std::fs::read(&path).unwrap();
    std::fs::write(&path, &bytes[..1000]).unwrap();
    sample_refused(&d, &m, &[&format!("`m.safetensors` has 1000 bytes, the manifest says {} (truncated or replaced?)", bytes.len())]);
}

#[test]
fn weights_file_missing() {
    let d = Digits::new();
    let m = d.exported("f16");
    std::fs::remove_file(m.with_extension("safetensors")).unwrap();
    sample_refused(&d, &m, &["cannot read the weights `", "m.safetensors`"]);
}

#[test]
fn weights_nan_given_to_train_init() {
    let d = Digits::new();
    let m = d.exported("f32");
    let mut bytes = std::fs::read(m.with_extension("safetensors")).unwrap();
    poke(&mut bytes, LOGITS, 0, &f32::NEG_INFINITY.to_le_bytes());
    rewrite_weights(&m, &bytes);
    let before = files(d.root());
    let tuned = d.root().join("tuned");
    refused(&["train", "--data", s(&d.data()), "--out", s(&tuned), "--init", s(&m)],
            &["--init `", "holds -inf at index 0"]);
    unchanged(d.root(), &before);
}

// ---------------------------------------------------------------------------------------------
// Run directories

/// A trained run of `epochs` epochs, and a snapshot of everything under the root.
fn trained(epochs: &str) -> (Digits, BTreeMap<PathBuf, Vec<u8>>) {
    let d = Digits::new();
    d.train(&["--epochs", epochs]);
    let before = files(d.root());
    (d, before)
}

#[test]
fn run_from_a_newer_format() {
    let (d, _) = trained("1");
    let path = d.run().join("run.json");
    let mut json: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    assert_eq!(json["format"], 1, "new runs record their format");
    json["format"] = 2.into();
    json["config"]["something_new"] = "from the future".into();
    std::fs::write(&path, serde_json::to_vec_pretty(&json).unwrap()).unwrap();
    let before = files(d.root());
    let expected = ["run.json` is run format 2, written by a newer jmvae; this one reads run formats up to 1. Upgrade jmvae"];
    d.train_refused(&["--epochs", "2", "--resume"], &expected);
    let out = d.root().join("m.json");
    refused(&["export", "--run", s(&d.run()), "--out", s(&out)], &expected);
    refused(&["eval", "--run", s(&d.run()), "--data", s(&d.data()), "-k", "1", "--out", s(&d.root().join("e.json"))], &expected);
    unchanged(d.root(), &before);
}

#[test]
fn run_from_before_the_format_field_still_resumes() {
    let (d, _) = trained("1");
    let path = d.run().join("run.json");
    let mut json: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    json.as_object_mut().unwrap().remove("format");
    std::fs::write(&path, serde_json::to_vec_pretty(&json).unwrap()).unwrap();
    d.train(&["--epochs", "2", "--resume"]);
    assert_eq!(std::fs::read_to_string(d.run().join("latest")).unwrap(), "checkpoint-0002");
}

#[test]
fn run_checkpoint_missing_its_optimizer_file() {
    let (d, _) = trained("1");
    std::fs::remove_file(d.run().join("checkpoint-0001/optimizer.bpk")).unwrap();
    d.train_refused(&["--epochs", "2", "--resume"], &["checkpoint-0001/optimizer.bpk` is missing, so `", "cannot be resumed exactly"]);
    // Its model still exports.
    ok(&["export", "--run", s(&d.run()), "--out", s(&d.root().join("m.json"))]);
}

#[test]
fn run_checkpoint_with_a_truncated_model() {
    let (d, _) = trained("1");
    let path = d.run().join("checkpoint-0001/model.bpk");
    let bytes = std::fs::read(&path).unwrap();
    std::fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
    d.train_refused(&["--epochs", "2", "--resume"], &["cannot read `", "checkpoint-0001/model.bpk`"]);
}

#[test]
fn run_latest_names_a_missing_checkpoint() {
    let (d, _) = trained("1");
    std::fs::write(d.run().join("latest"), "checkpoint-0007").unwrap();
    d.train_refused(&["--epochs", "2", "--resume"], &["latest` names `", "checkpoint-0007`, which is not a complete checkpoint"]);
}

#[test]
fn run_json_corrupt() {
    let (d, _) = trained("1");
    let path = d.run().join("run.json");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, &text[..text.len() / 2]).unwrap();
    d.train_refused(&["--epochs", "2", "--resume"], &["run.json` is not a valid run file"]);
}

#[test]
fn run_state_json_corrupt() {
    let (d, _) = trained("1");
    std::fs::write(d.run().join("checkpoint-0001/state.json"), "{\"epoch\": \"one\"}").unwrap();
    d.train_refused(&["--epochs", "2", "--resume"], &["checkpoint-0001/state.json` is corrupt"]);
}

#[test]
fn run_resumed_with_other_settings() {
    let (d, _) = trained("1");
    d.train_refused(&["--epochs", "2", "--resume", "--lr", "0.01"], &["--resume with settings that differ from `", "run.json`; use the original flags"]);
}

#[test]
fn run_started_again_without_resume() {
    let (d, _) = trained("1");
    d.train_refused(&["--epochs", "2"], &["already holds a run; pass --resume to continue it or choose another --out"]);
}

#[test]
#[cfg_attr(not(feature = "fault-injection"), ignore = "needs the fault hooks: cargo test --features fault-injection, as scripts/test.sh runs it")]
fn run_full_disk_during_a_checkpoint_write() {
    let (d, before) = trained("1");
    // The resumed process writes metrics.jsonl (its lines up to the checkpoint, unchanged),
    // then the checkpoint's model.bpk: the disk is full from that write on.
    let args = d.train_args(&["--epochs", "3", "--resume"]);
    refused_env(&args_of(&args), &[("JMVAE_FAULT_WRITE_FAIL_AFTER", "1")], &[
        "checkpoint `checkpoint-0002` of `",
        "was not saved; the run keeps its last complete checkpoint `",
        "checkpoint-0001`; once the cause below is fixed (a full disk?), continue with --resume: cannot write `",
        "checkpoint-0002.tmp/model.bpk`: No space left on device (os error 28)",
    ]);
    unchanged(d.root(), &before);
    // With space again, the run continues from epoch 1.
    let out = ok(&args_of(&args));
    assert!(out.contains("after epoch 1"), "{out}");
    assert_eq!(metric_epochs(&d.run()), [1, 2, 3]);
}

#[test]
#[cfg_attr(not(feature = "fault-injection"), ignore = "needs the fault hooks: cargo test --features fault-injection, as scripts/test.sh runs it")]
fn run_full_disk_while_naming_the_new_checkpoint() {
    let (d, before) = trained("1");
    // metrics.jsonl, model.bpk, optimizer.bpk, state.json, the metrics line: then `latest` fails.
    let args = d.train_args(&["--epochs", "3", "--resume"]);
    refused_env(&args_of(&args), &[("JMVAE_FAULT_WRITE_FAIL_AFTER", "5")], &[
        "checkpoint `checkpoint-0002` of `",
        "the run keeps its last complete checkpoint `",
        "latest`: No space left on device (os error 28)",
    ]);
    // `latest` and checkpoint-0001 are untouched; the epoch's metrics line, written before
    // `latest`, is dropped by the resume, so that no epoch appears twice.
    for (path, bytes) in &before {
        if !path.ends_with("metrics.jsonl") {
            assert!(std::fs::read(path).unwrap() == *bytes, "`{}` was changed", path.display());
        }
    }
    assert_eq!(std::fs::read_to_string(d.run().join("latest")).unwrap(), "checkpoint-0001");
    let out = ok(&args_of(&args));
    assert!(out.contains("after epoch 1"), "{out}");
    assert_eq!(metric_epochs(&d.run()), [1, 2, 3]);
}

#[test]
#[cfg_attr(not(feature = "fault-injection"), ignore = "needs the fault hooks: cargo test --features fault-injection, as scripts/test.sh runs it")]
fn run_full_disk_when_creating_the_run() {
    let d = Digits::new();
    let before = files(d.root());
    let args = d.train_args(&["--epochs", "1"]);
    refused_env(&args_of(&args), &[("JMVAE_FAULT_WRITE_FAIL_AFTER", "0")],
                &["cannot write `", "run/run.json`: No space left on device (os error 28)"]);
    // Only the empty run directory is left; no run.json, no temporary file.
    let after = files(d.root());
    assert_eq!(after.len(), before.len(), "{:?}", after.keys().collect::<Vec<_>>());
    ok(&args_of(&args));
}

#[test]
#[cfg_attr(not(feature = "fault-injection"), ignore = "needs the fault hooks: cargo test --features fault-injection, as scripts/test.sh runs it")]
fn training_loss_becomes_nan() {
    let (d, before) = trained("2");
    // Two epochs of two steps each: step 5 is the second step of epoch 3.
    let args = d.train_args(&["--epochs", "4", "--resume"]);
    refused_env(&args_of(&args), &[("JMVAE_FAULT_NAN_LOSS_AT_STEP", "5")], &[
        "training stopped: the loss became NaN at epoch 3 step 1; `",
        "run` keeps its last good checkpoint (epoch 2); start a new run with a lower --lr or a --warmup",
    ]);
    unchanged(d.root(), &before);
    let out = d.root().join("m.json");
    ok(&["export", "--run", s(&d.run()), "--out", s(&out)]);
}

#[test]
fn training_diverges_with_a_huge_learning_rate() {
    let d = Digits::new();
    let args = d.train_args(&["--epochs", "3", "--lr", "1e30"]);
    let (success, stderr) = run_env(&args_of(&args), &[]);
    assert!(!success, "{stderr}");
    assert!(stderr.contains("error: training stopped: the loss became ") && stderr.contains(" at epoch 1 step 1; `")
        && stderr.contains("run` has no checkpoint yet; start a new run with a lower --lr or a --warmup"), "{stderr}");
    // No checkpoint of diverged weights is ever written; the run holds its settings only.
    let left: Vec<String> = std::fs::read_dir(d.run()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    assert_eq!(left, ["run.json"]);
}

#[test]
fn training_diverges_in_the_last_step_of_an_epoch() {
    // One step an epoch: the loss of epoch 1's only step is finite, the weights after it are not.
    let d = Digits::new();
    let (data, run) = (d.data(), d.run());
    let args = ["train", "--data", s(&data), "--out", s(&run), "--batch", "20", "--eval-every", "0", "--epochs", "3", "--lr", "1e30"];
    refused(&args, &[
        "training stopped: after epoch 1 the test ELBO is ",
        ", so the weights diverged; `",
        "run` has no checkpoint yet; start a new run with a lower --lr or a --warmup",
    ]);
    let left: Vec<String> = std::fs::read_dir(d.run()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    assert_eq!(left, ["run.json"], "no checkpoint of diverged weights");
}

/// The epochs of a run's metrics log, in order.
fn metric_epochs(run: &Path) -> Vec<u64> {
    std::fs::read_to_string(run.join("metrics.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap()["epoch"].as_u64().unwrap())
        .collect()
}
