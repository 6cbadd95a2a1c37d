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
