//! Running the `jmvae` binary from the end-to-end tests, and the tiny MNIST they train on.

// Each test binary uses a part of this module.
#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output};

/// Run `jmvae` with `args`.
pub fn jmvae<S: AsRef<std::ffi::OsStr> + std::fmt::Debug>(args: &[S]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_jmvae")).args(args).output().expect("the jmvae binary runs")
}

/// Run `jmvae`, require success, and return its stdout and stderr together.
pub fn ok<S: AsRef<std::ffi::OsStr> + std::fmt::Debug>(args: &[S]) -> String {
    let out = jmvae(args);
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(out.status.success(), "jmvae {args:?} failed:\n{stderr}");
    String::from_utf8_lossy(&out.stdout).to_string() + &stderr
}

/// Run `jmvae`, require failure with `expected` in its error output.
pub fn fails<S: AsRef<std::ffi::OsStr> + std::fmt::Debug>(args: &[S], expected: &str) {
    let out = jmvae(args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "jmvae {args:?} should fail");
    assert!(stderr.contains(expected), "jmvae {args:?}: expected `{expected}` in:\n{stderr}");
}

/// A path as the `&str` argument the CLI takes.
pub fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// An IDX file of unsigned bytes with dimensions `dims`.
pub fn idx(dims: &[usize], data: &[u8]) -> Vec<u8> {
    let mut out = vec![0, 0, 8, dims.len() as u8];
    for &d in dims {
        out.extend_from_slice(&(d as u32).to_be_bytes());
    }
    out.extend_from_slice(data);
    out
}

/// A tiny MNIST-layout directory of `n` training and `n` test digits: each a bright bar whose
/// row depends on the label.
pub fn write_mnist(dir: &Path, n: usize) {
    std::fs::create_dir_all(dir).unwrap();
    for prefix in ["train", "t10k"] {
        let labels: Vec<u8> = (0..n).map(|i| (i % 10) as u8).collect();
        let mut images = vec![0u8; n * 784];
        for (i, &l) in labels.iter().enumerate() {
            let row = 4 + 2 * l as usize;
            images[i * 784 + row * 28..i * 784 + row * 28 + 28].fill(255);
        }
        std::fs::write(dir.join(format!("{prefix}-images-idx3-ubyte")), idx(&[n, 28, 28], &images)).unwrap();
        std::fs::write(dir.join(format!("{prefix}-labels-idx1-ubyte")), idx(&[n], &labels)).unwrap();
    }
}

/// Write a `width x height` PNG at `path` (its folders created): grey, or colour when `rgb`;
/// `ink(x, y)` gives each pixel's level (for colour, the red and blue channels; green is 128).
pub fn write_png(path: &Path, width: u32, height: u32, rgb: bool, ink: impl Fn(u32, u32) -> u8) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    if rgb {
        image::RgbImage::from_fn(width, height, |x, y| image::Rgb([ink(x, y), 128, 255 - ink(x, y)])).save(path).unwrap();
    } else {
        image::GrayImage::from_fn(width, height, |x, y| image::Luma([ink(x, y)])).save(path).unwrap();
    }
}

/// A class-folder dataset in `dir`: `per_class` 28x28 grey images in a folder per class of
/// `classes`, each class a bright bar at its own row.
pub fn write_class_folders(dir: &Path, classes: &[&str], per_class: usize) {
    for (c, class) in classes.iter().enumerate() {
        for i in 0..per_class {
            let row = 3 + 6 * c as u32 + (i % 2) as u32;
            write_png(&dir.join(class).join(format!("{i}.png")), 28, 28, false, |_, y| if y == row { 255 } else { 0 });
        }
    }
}

/// A `metadata.csv` dataset in `dir` of `n` 16x16 colour images with two attribute columns
/// (`smiling` 0/1 and `glasses` -1/1, drawn as the image's colour and a bar) and a categorical
/// column `kind`; the images in `img/`.
pub fn write_metadata(dir: &Path, n: usize) {
    let mut csv = String::from("file_name,smiling,glasses,kind\n");
    for i in 0..n {
        let (smiling, glasses) = (i % 2, (i / 2) % 2);
        let name = format!("img/{i}.png");
        write_png(&dir.join(&name), 16, 16, true, |_, y| if smiling == 1 { 220 } else if glasses == 1 && y == 4 { 255 } else { 30 });
        csv.push_str(&format!("{name},{smiling},{},{}\n", if glasses == 1 { 1 } else { -1 }, ["coat", "shoe", "bag"][i % 3]));
    }
    std::fs::write(dir.join("metadata.csv"), csv).unwrap();
}
