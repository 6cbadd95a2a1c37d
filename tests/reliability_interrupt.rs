//! Interrupted training, as a test: `jmvae train` is killed with SIGKILL again and again, at
//! random moments and at every stage of a checkpoint write, and resumed each time. In the end
//! every checkpoint on disk loads, each resume started from the last complete checkpoint, the
//! metrics log has each epoch once, in order, and the weights, the best checkpoint and every
//! metric equal those of an uninterrupted run with the same seed, exactly.
//!
//! The stages are reached through the test-only hook `JMVAE_FAULT_CHECKPOINT_PAUSE_MS`
//! (`trainer/src/atomic.rs`), which announces each stage on stderr and pauses there.
#![cfg(unix)]

mod common;

use std::io::{BufRead, BufReader};
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

use burn::module::Module;
use burn::optim::AdamConfig;
use burn::store::ModuleRecord;
use burn::tensor::Device;
use jmvae::{Jmvae, ModelConfig};
use serde_json::Value;

use common::idx;

/// Epochs of the run; enough that the kills below never let it finish early.
const EPOCHS: usize = 60;
/// SIGKILLs, at least 20 of which must land (half of them inside checkpoint writes).
const KILLS: usize = 24;
/// The stages of a checkpoint write that the pause hook announces, in order.
const STAGES: [&str; 6] = ["model", "optimizer", "state", "rename", "latest", "cleanup"];

/// A tiny MNIST: `n` training and 20 test digits, each a bright bar whose row is the label.
fn write_mnist(dir: &Path, n: usize) {
    std::fs::create_dir_all(dir).unwrap();
    for (prefix, n) in [("train", n), ("t10k", 20)] {
        let labels: Vec<u8> = (0..n).map(|i| ((i * 7) % 10) as u8).collect();
        let mut images = vec![0u8; n * 784];
        for (i, &l) in labels.iter().enumerate() {
            let row = 4 + 2 * l as usize;
            images[i * 784 + row * 28..i * 784 + row * 28 + 28].fill(255);
            images[i * 784 + (i % 784)] = 128;
        }
        std::fs::write(dir.join(format!("{prefix}-images-idx3-ubyte")), idx(&[n, 28, 28], &images)).unwrap();
        std::fs::write(dir.join(format!("{prefix}-labels-idx1-ubyte")), idx(&[n], &labels)).unwrap();
    }
}

/// The flags of the run: 40 training digits in batches of 10, the last 10 of 50 held out for
/// validation, so that `best/` is written (every third epoch a score) and killed too.
fn train_args(data: &Path, run: &Path) -> Vec<String> {
    let args = ["train", "--data", data.to_str().unwrap(), "--out", run.to_str().unwrap(), "--epochs", &EPOCHS.to_string(),
                "--batch", "10", "--validation", "10", "--eval-every", "3", "--eval-k", "2", "--seed", "3"];
    let mut args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    if run.join("run.json").exists() {
        args.push("--resume".into());
    }
    args
}

/// A running `jmvae train` and its stderr, line by line.
struct Training {
    child: Child,
    lines: Receiver<String>,
    seen: Vec<String>,
}

impl Training {
    fn start(data: &Path, run: &Path, pause: bool) -> Self {
        let mut command = Command::new(env!("CARGO_BIN_EXE_jmvae"));
        command.args(train_args(data, run)).stdout(Stdio::null()).stderr(Stdio::piped());
        if pause {
            command.env("JMVAE_FAULT_CHECKPOINT_PAUSE_MS", "40");
        }
        let mut child = command.spawn().expect("jmvae runs");
        let stderr = child.stderr.take().unwrap();
        let (send, lines) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if send.send(line).is_err() {
                    break;
                }
            }
        });
        Training { child, lines, seen: Vec::new() }
    }

    /// Wait for a line equal to `wanted`; false if the process ended first.
    fn wait_for(&mut self, wanted: impl Fn(&str) -> bool) -> bool {
        loop {
            match self.lines.recv_timeout(Duration::from_secs(60)) {
                Ok(line) => {
                    let hit = wanted(&line);
                    self.seen.push(line);
                    if hit {
                        return true;
                    }
                }
                Err(RecvTimeoutError::Disconnected) => return false,
                Err(RecvTimeoutError::Timeout) => panic!("no progress in 60 s:\n{}", self.seen.join("\n")),
            }
        }
    }

    /// SIGKILL it; true if the signal killed it (false: it had already exited, successfully).
    fn kill(mut self) -> (bool, Vec<String>) {
        let _ = self.child.kill();
        let status = self.child.wait().unwrap();
        self.seen.extend(self.lines.iter());
        let killed = status.signal() == Some(9);
        assert!(killed || status.success(), "jmvae train failed ({status}):\n{}", self.seen.join("\n"));
        (killed, self.seen)
    }

    fn finish(mut self) -> Vec<String> {
        let status = self.child.wait().unwrap();
        self.seen.extend(self.lines.iter());
        assert!(status.success(), "jmvae train failed ({status}):\n{}", self.seen.join("\n"));
        self.seen
    }
}

/// A small deterministic generator for the kill times (xorshift64*).
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) % n
    }
}

/// The model config of the run in `run`.
fn config(run: &Path) -> ModelConfig {
    let settings: Value = serde_json::from_slice(&std::fs::read(run.join("run.json")).unwrap()).unwrap();
    serde_json::from_value(settings["config"].clone()).unwrap()
}

/// Load a checkpoint directory as a resume would: its state, model and (when `optimizer`)
/// Adam state. Returns its epoch.
fn load_checkpoint(dir: &Path, config: &ModelConfig, optimizer: bool) -> u64 {
    let device = Device::flex();
    let state: Value = serde_json::from_slice(&std::fs::read(dir.join("state.json")).unwrap())
        .unwrap_or_else(|e| panic!("`{}/state.json`: {e}", dir.display()));
    let record = ModuleRecord::load(dir.join("model.bpk")).unwrap_or_else(|e| panic!("`{}/model.bpk`: {e}", dir.display()));
    Jmvae::new(config, &device)
        .unwrap()
        .try_load_record(record.cast_to_module_dtype())
        .unwrap_or_else(|e| panic!("`{}/model.bpk`: {e}", dir.display()));
    if optimizer {
        AdamConfig::new().init().load(dir.join("optimizer.bpk")).unwrap_or_else(|e| panic!("`{}/optimizer.bpk`: {e}", dir.display()));
    }
    state["epoch"].as_u64().unwrap()
}

/// The directories that are checkpoints (`checkpoint-NNNN`, no scratch suffix) and the scratch ones.
fn checkpoint_dirs(run: &Path) -> (Vec<PathBuf>, Vec<PathBuf>) {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(run)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with("checkpoint-"))
        .collect();
    dirs.sort();
    dirs.into_iter().partition(|p| !p.file_name().unwrap().to_string_lossy().contains('.'))
}

/// Every checkpoint on disk loads, each holds the epoch of its name, and `latest` names one of
/// them. Returns the epoch of `latest`, if any.
fn check_checkpoints(run: &Path) -> Option<u64> {
    if !run.join("run.json").exists() {
        return None;
    }
    let config = config(run);
    let (complete, _scratch) = checkpoint_dirs(run);
    for dir in &complete {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let epoch = load_checkpoint(dir, &config, true);
        assert_eq!(name, format!("checkpoint-{epoch:04}"), "a checkpoint holds the epoch of its name");
    }
    // The best checkpoint as readers find it: `best/`, or `best.old/` if killed between the two.
    for best in ["best", "best.old"] {
        if run.join(best).join("state.json").exists() {
            load_checkpoint(&run.join(best), &config, false);
            break;
        }
    }
    let latest = std::fs::read_to_string(run.join("latest")).ok()?;
    let dir = run.join(latest.trim());
    assert!(complete.contains(&dir), "`latest` names `{latest}`, which is not a complete checkpoint");
    Some(latest.trim().trim_start_matches("checkpoint-").parse().unwrap())
}

/// The metrics log's records; each line must be whole JSON.
fn metrics(run: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(run.join("metrics.jsonl")).unwrap();
    assert!(text.ends_with('\n'), "the log ends with a whole line");
    text.lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("bad metrics line `{l}`: {e}"))).collect()
}

/// A record without its timings, which differ from run to run.
fn without_timings(mut record: Value) -> Value {
    let object = record.as_object_mut().unwrap();
    object.remove("seconds");
    object.remove("samples_per_second");
    record
}

/// The f32 safetensors export of a run's checkpoint `which`.
fn exported(run: &Path, which: &str, out: &Path) -> Vec<u8> {
    let manifest = out.join(format!("{which}.json"));
    let result = Command::new(env!("CARGO_BIN_EXE_jmvae"))
        .args(["export", "--run", run.to_str().unwrap(), "--checkpoint", which, "--precision", "f32", "--name", "x",
               "--out", manifest.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(result.status.success(), "{}", String::from_utf8_lossy(&result.stderr));
    std::fs::read(manifest.with_extension("safetensors")).unwrap()
}

#[test]
#[cfg_attr(not(feature = "fault-injection"), ignore = "needs the fault hooks: cargo test --features fault-injection, as scripts/test.sh runs it")]
fn sigkill_at_random_moments_and_inside_checkpoint_writes_then_resume_equals_an_uninterrupted_run() {
    let started = Instant::now();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("mnist");
    write_mnist(&data, 50);

    // The uninterrupted run, timed, to size the random kill times in epochs.
    let reference = dir.path().join("reference");
    let t = Instant::now();
    Training::start(&data, &reference, false).finish();
    let epoch_ms = (t.elapsed().as_millis() as u64 / EPOCHS as u64).max(1);

    let run = dir.path().join("run");
    let mut rng = Rng(0x5EED_0F_C0FFEE);
    let (mut killed, mut inside_checkpoint_writes) = (0, 0);
    let mut latest: Option<u64> = None;
    for i in 0..KILLS {
        let stage = (i % 2 == 0).then(|| STAGES[(i / 2) % STAGES.len()]);
        let mut training = Training::start(&data, &run, stage.is_some());
        match stage {
            // Wait until the first checkpoint of this process reaches `stage`, then kill
            // it there (it pauses 40 ms at each stage).
            Some(stage) => {
                let suffix = format!(" {stage}");
                assert!(training.wait_for(|l| l.starts_with("fault: checkpoint-") && l.ends_with(&suffix)), "{stage} never came");
            }
            // Anywhere from start-up to two and a half epochs in.
            None => std::thread::sleep(Duration::from_millis(rng.below(epoch_ms * 5 / 2 + 50))),
        }
        let (was_killed, lines) = training.kill();
        assert!(was_killed, "kill {i}: the run finished before it; raise EPOCHS");
        killed += 1;
        // Each process resumed from the last complete checkpoint its predecessor left.
        if let Some(line) = lines.iter().find(|l| l.starts_with("resuming ")) {
            let expected = latest.expect("a resume without a checkpoint");
            assert!(line.ends_with(&format!("after epoch {expected}")), "kill {i}: `{line}`, expected epoch {expected}");
        }
        let (_, scratch) = checkpoint_dirs(&run);
        if stage.is_some() || !scratch.is_empty() {
            inside_checkpoint_writes += 1;
        }
        let now = check_checkpoints(&run);
        assert!(now >= latest, "kill {i}: `latest` went back from {latest:?} to {now:?}");
        latest = now;
    }
    assert!(killed >= 20 && inside_checkpoint_writes >= KILLS / 2, "{killed} kills, {inside_checkpoint_writes} in checkpoint writes");

    // The last sitting runs to the end.
    let lines = Training::start(&data, &run, false).finish();
    let expected = format!("after epoch {}", latest.expect("some checkpoint after all those kills"));
    assert!(lines.iter().any(|l| l.starts_with("resuming ") && l.ends_with(&expected)), "{lines:?}");
    assert_eq!(check_checkpoints(&run), Some(EPOCHS as u64));
    let (_, scratch) = checkpoint_dirs(&run);
    assert!(scratch.is_empty(), "scratch left: {scratch:?}");

    // Each epoch once, in order, with exactly the uninterrupted run's numbers.
    let (got, want) = (metrics(&run), metrics(&reference));
    let epochs: Vec<u64> = got.iter().map(|r| r["epoch"].as_u64().unwrap()).collect();
    assert_eq!(epochs, (1..=EPOCHS as u64).collect::<Vec<_>>(), "gaps or duplicates in metrics.jsonl");
    for (a, b) in got.into_iter().zip(want) {
        assert_eq!(without_timings(a), without_timings(b), "an epoch's metrics differ from the uninterrupted run's");
    }
    // The same weights, bit for bit, and the same best checkpoint.
    let exports = dir.path().join("exports");
    assert!(exported(&run, "latest", &exports.join("run")) == exported(&reference, "latest", &exports.join("reference")),
            "the final weights differ from the uninterrupted run's");
    assert!(exported(&run, "best", &exports.join("run")) == exported(&reference, "best", &exports.join("reference")),
            "the best checkpoint differs from the uninterrupted run's");
    assert_eq!(std::fs::read(run.join("best/best.json")).unwrap(), std::fs::read(reference.join("best/best.json")).unwrap());
    eprintln!("{killed} kills ({inside_checkpoint_writes} inside checkpoint writes), {:.1} s in all, {epoch_ms} ms an epoch",
              started.elapsed().as_secs_f64());
}
