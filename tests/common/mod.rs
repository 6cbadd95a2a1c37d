//! Running the `jmvae` binary from the end-to-end tests.

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
