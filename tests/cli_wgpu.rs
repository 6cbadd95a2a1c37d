//! `jmvae train --device wgpu` against the CPU: only in a build with `--features wgpu`, on a
//! machine with an adapter (here: lavapipe, `apt-get install mesa-vulkan-drivers`):
//!
//!     cargo test --release -p jmvae-trainer --features wgpu --test cli_wgpu
//!
//! From the same weights (an exported manifest, since each backend seeds its own initial
//! weights) and the same host noise and shuffle, an epoch on wgpu must give the CPU's losses
//! within a relative 1e-3 (f32 sums in another order over 50 steps), and a run started on wgpu
//! resumes on the CPU.
#![cfg(feature = "wgpu")]

mod common;

use common::{ok, s, write_mnist};

/// The per-epoch training losses of a run.
fn losses(run: &std::path::Path) -> Vec<f64> {
    std::fs::read_to_string(run.join("metrics.jsonl"))
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str::<serde_json::Value>(line).unwrap()["train_loss"].as_f64().unwrap())
        .collect()
}

#[test]
fn an_epoch_on_wgpu_gives_the_cpu_losses_and_resumes_on_the_cpu() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("mnist");
    write_mnist(&data, 200);
    let start = dir.path().join("start");
    let base = ["--data", s(&data), "--batch", "20", "--eval-every", "0", "--seed", "3"];
    ok(&[&["train", "--out", s(&start), "--epochs", "1"][..], &base].concat());
    let init = dir.path().join("init.json");
    ok(&["export", "--run", s(&start), "--precision", "f32", "--out", s(&init)]);

    let (cpu, gpu) = (dir.path().join("cpu"), dir.path().join("gpu"));
    ok(&[&["train", "--out", s(&cpu), "--epochs", "1", "--init", s(&init), "--device", "cpu"][..], &base].concat());
    ok(&[&["train", "--out", s(&gpu), "--epochs", "1", "--init", s(&init), "--device", "wgpu"][..], &base].concat());
    let (a, b) = (losses(&cpu)[0], losses(&gpu)[0]);
    assert!(((a - b) / a).abs() < 1e-3, "cpu loss {a}, wgpu loss {b}");

    // The wgpu run's checkpoint resumes on the CPU.
    ok(&[&["train", "--out", s(&gpu), "--epochs", "2", "--init", s(&init), "--device", "cpu", "--resume"][..], &base].concat());
    assert_eq!(losses(&gpu).len(), 2);
}
