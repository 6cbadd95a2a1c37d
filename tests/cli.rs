//! End-to-end tests of the `jmvae` command on a tiny generated MNIST: train, resume, export,
//! sample in fresh processes, evaluate, and refuse bad input without touching what is on disk.

mod common;

use std::path::{Path, PathBuf};

use burn::tensor::Device;
use jmvae::Manifest;
use jmvae::infer::{Observation, Temperature, generate, observe};

use common::{fails, ok, s, write_mnist};

struct Fixture {
    _dir: tempfile::TempDir,
    data: PathBuf,
    run: PathBuf,
    root: PathBuf,
}

fn trained() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("mnist");
    std::fs::create_dir(&data).unwrap();
    write_mnist(&data, 200);
    let run = dir.path().join("run");
    let common = ["--data", s(&data), "--out", s(&run), "--batch", "50", "--eval-every", "1", "--eval-k", "4"];
    ok(&[&["train", "--epochs", "1"][..], &common].concat());
    ok(&[&["train", "--epochs", "2", "--resume"][..], &common].concat());
    let root = dir.path().to_path_buf();
    Fixture { _dir: dir, data, run, root }
}

#[test]
fn train_resume_export_and_sample_in_fresh_processes() {
    let f = trained();
    let metrics = std::fs::read_to_string(f.run.join("metrics.jsonl")).unwrap();
    let epochs: Vec<u64> = metrics
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["epoch"].as_u64().unwrap())
        .collect();
    assert_eq!(epochs, vec![1, 2], "one metrics line per epoch across the resume");
    assert!(metrics.contains("test_log_px") && metrics.contains("samples_per_second"));

    // Starting over in the same directory without --resume is refused and changes nothing.
    let settings = std::fs::read(f.run.join("run.json")).unwrap();
    fails(&["train", "--data", s(&f.data), "--out", s(&f.run), "--epochs", "1"], "--resume");
    assert_eq!(std::fs::read(f.run.join("run.json")).unwrap(), settings);

    let manifest = f.root.join("models/tiny.json");
    ok(&["export", "--run", s(&f.run), "--out", s(&manifest)]);
    assert!(f.root.join("models/tiny.safetensors").is_file());
    // Exporting the same checkpoint again, in another process, gives byte-identical files.
    for precision in ["f16", "mixed"] {
        let export = |name: &str| {
            let out = f.root.join(format!("again/{name}.json"));
            ok(&["export", "--run", s(&f.run), "--precision", precision, "--name", "tiny", "--out", s(&out)]);
            (std::fs::read(&out).unwrap(), std::fs::read(out.with_extension("safetensors")).unwrap())
        };
        let (first, again) = (export("one"), export("two"));
        assert!(first.1 == again.1, "{precision}: the weights differ between two exports");
        let renamed = String::from_utf8(again.0).unwrap().replace("two.safetensors", "one.safetensors");
        assert_eq!(String::from_utf8(first.0).unwrap(), renamed, "{precision}: the manifests differ");
    }

    let sample = |name: &str| {
        let path = f.root.join(name);
        ok(&["sample", "--manifest", s(&manifest), "--label", "3", "--samples", "4", "--seed", "7", "--json", s(&path)]);
        let json: serde_json::Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
        json["outputs"][0]["image"].as_array().unwrap().iter().map(|v| v.as_f64().unwrap() as f32).collect::<Vec<f32>>()
    };
    let first = sample("a.json");
    assert_eq!(first.len(), 4 * 784);
    assert_eq!(first, sample("b.json"), "two fresh processes give identical digits");

    // And this process, loading the exported files through the library, agrees with them.
    let device = Device::flex();
    let manifest = Manifest::from_json(&std::fs::read_to_string(&manifest).unwrap()).unwrap();
    let model = manifest.load(std::fs::read(f.root.join("models/tiny.safetensors")).unwrap(), &device).unwrap();
    let given = observe(&model.config, &[("label".into(), Observation::Class(3))], &device).unwrap();
    let here = generate(&model, &given, 4, 7, Temperature::ONE).unwrap()[0].clone().into_data().try_to_vec::<f32>().unwrap();
    let worst = here.iter().zip(&first).map(|(a, b)| (a - b).abs()).fold(0.0, f32::max);
    assert!(worst < 1e-6, "library and CLI differ by {worst}");

    let png = f.root.join("grid.png");
    ok(&["sample", "--manifest", s(&f.root.join("models/tiny.json")), "--samples", "3", "--png", s(&png)]);
    assert!(std::fs::read(&png).unwrap().starts_with(b"\x89PNG"));
}

#[test]
fn evaluation_and_classifier_report_every_metric() {
    let f = trained();
    let classifier = f.root.join("classifier.bpk");
    let out = ok(&["train-classifier", "--data", s(&f.data), "--epochs", "3", "--out", s(&classifier)]);
    assert!(out.contains("classifier test accuracy"), "{out}");
    let report = f.root.join("eval.json");
    ok(&["eval", "--run", s(&f.run), "--data", s(&f.data), "-k", "5", "--limit", "30",
         "--classifier", s(&classifier), "--out", s(&report)]);
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
    for key in ["log_px_unimodal_proposal", "log_px_joint_proposal", "log_pxw", "log_px_given_w"] {
        let v = json[key].as_f64().unwrap_or_else(|| panic!("{key} missing in {json}"));
        assert!(v < 0.0 && v.is_finite(), "{key} = {v}");
    }
    for key in ["label_accuracy", "coherence", "classifier_accuracy"] {
        let v = json[key].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&v), "{key} = {v}");
    }
    // The coherence curve over the five temperatures, with diversity and read-back beside it.
    let curve = json["coherence_curve"].as_array().unwrap();
    let temperatures: Vec<f64> = curve.iter().map(|p| p["temperature"].as_f64().unwrap()).collect();
    assert_eq!(temperatures, [0.0, 0.25, 0.5, 0.75, 1.0]);
    for p in curve {
        assert_eq!(p["coherence_per_label"].as_array().unwrap().len(), 10);
        assert!((0.0..=1.0).contains(&p["read_back"].as_f64().unwrap()));
    }
    // At τ = 0 every digit of a label is the same image: no diversity at all.
    assert!(curve[0]["diversity"].as_f64().unwrap() < 1e-6, "{}", curve[0]);
    assert!(curve[4]["diversity"].as_f64().unwrap() > 0.0);
    let widths = &json["encoder_widths"];
    for key in ["label", "image", "joint"] {
        assert!(widths[key].as_f64().unwrap() > 0.0, "{widths}");
    }
    assert_eq!(json["split"], "test");
    assert!(json["sampling"].is_null(), "the test set never chooses the temperature");
    assert_eq!(json["examples"], 30);
    assert!(std::fs::read_to_string(report.with_extension("md")).unwrap().contains("| log p(x|w) |"));
}

#[test]
fn validation_picks_the_checkpoint_and_the_temperature_that_the_manifest_carries() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("mnist");
    std::fs::create_dir(&data).unwrap();
    write_mnist(&data, 200);
    let run = dir.path().join("run");
    ok(&["train", "--data", s(&data), "--out", s(&run), "--batch", "50", "--eval-every", "1", "--eval-k", "4",
         "--epochs", "2", "--validation", "50", "--rescale", "label=5"]);
    let metrics = std::fs::read_to_string(run.join("metrics.jsonl")).unwrap();
    assert!(metrics.contains("validation_log_px") && !metrics.contains("test_log_px"), "{metrics}");
    let best: serde_json::Value = serde_json::from_slice(&std::fs::read(run.join("best/best.json")).unwrap()).unwrap();
    assert!(best["rule"].as_str().unwrap().contains("validation"), "{best}");

    let judge = dir.path().join("judge.bpk");
    ok(&["train-classifier", "--data", s(&data), "--epochs", "1", "--out", s(&judge)]);
    let chosen = dir.path().join("validation.json");
    ok(&["eval", "--run", s(&run), "--checkpoint", "best", "--data", s(&data), "-k", "3", "--split", "validation",
         "--classifier", s(&judge), "--out", s(&chosen)]);
    let report: serde_json::Value = serde_json::from_slice(&std::fs::read(&chosen).unwrap()).unwrap();
    assert_eq!((report["split"].as_str(), report["examples"].as_u64()), (Some("validation"), Some(50)));
    let tau = report["sampling"]["temperature"].as_f64().unwrap();
    assert!((0.0..=1.0).contains(&tau), "{tau}");
    assert_eq!(report["selection_curve"].as_array().unwrap().len(), 21);

    // A test report cannot set the default temperature.
    let test = dir.path().join("test.json");
    ok(&["eval", "--run", s(&run), "--data", s(&data), "-k", "3", "--limit", "20", "--out", s(&test)]);
    let manifest = dir.path().join("m.json");
    fails(&["export", "--run", s(&run), "--sampling", s(&test), "--out", s(&manifest)], "not a validation report");
    assert!(!manifest.exists());

    ok(&["export", "--run", s(&run), "--checkpoint", "best", "--sampling", s(&chosen), "--out", s(&manifest)]);
    let exported: serde_json::Value = serde_json::from_slice(&std::fs::read(&manifest).unwrap()).unwrap();
    assert_eq!(exported["sampling"]["temperature"].as_f64(), Some(tau));
    assert_eq!(exported["training"]["validation"], 50);
    assert_eq!(exported["training"]["checkpoint"]["epoch"], best["epoch"]);

    // Re-exporting a manifest keeps its weights, training record and temperature, with new metrics.
    let again = dir.path().join("again.json");
    ok(&["export", "--from", s(&manifest), "--metrics", s(&test), "--out", s(&again)]);
    let re: serde_json::Value = serde_json::from_slice(&std::fs::read(&again).unwrap()).unwrap();
    assert_eq!((&re["training"], &re["sampling"]), (&exported["training"], &exported["sampling"]));
    assert_eq!(re["metrics"]["split"], "test");
    let digits = |path: &Path| {
        let device = Device::flex();
        let manifest = Manifest::from_json(&std::fs::read_to_string(path).unwrap()).unwrap();
        let model = manifest.load(std::fs::read(path.with_file_name(&manifest.weights.file)).unwrap(), &device).unwrap();
        let given = observe(&model.config, &[("label".into(), Observation::Class(4))], &device).unwrap();
        generate(&model, &given, 2, 3, Temperature::ONE).unwrap()[0].clone().into_data().try_to_vec::<f32>().unwrap()
    };
    assert_eq!(digits(&again), digits(&manifest), "the same weights");

    let sample = |extra: &[&str]| -> serde_json::Value {
        let path = dir.path().join("sample.json");
        let args: Vec<&str> = [&["sample", "--manifest", s(&manifest), "--label", "2", "--samples", "3", "--json", s(&path)][..], extra].concat();
        ok(&args);
        serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
    };
    assert_eq!(sample(&[])["temperature"].as_f64(), Some(tau), "the manifest's temperature is the default");
    let cold = sample(&["--temperature", "0"]);
    let rows: Vec<&[serde_json::Value]> = cold["outputs"][0]["image"].as_array().unwrap().chunks(784).collect();
    assert!(rows[0] == rows[1] && rows[1] == rows[2], "τ = 0 decodes the mean every time");
    let warm = sample(&["--temperature", "1"]);
    let rows: Vec<&[serde_json::Value]> = warm["outputs"][0]["image"].as_array().unwrap().chunks(784).collect();
    assert!(rows[0] != rows[1]);
    for bad in ["-1", "11", "NaN", "warm"] {
        fails(&["sample", "--manifest", s(&manifest), "--temperature", bad], "0 to 10");
    }

    // Fine-tuning from the exported weights; bad likelihood weights name the problem.
    let tuned = dir.path().join("tuned");
    ok(&["train", "--data", s(&data), "--out", s(&tuned), "--batch", "50", "--eval-every", "0", "--epochs", "1",
         "--init", s(&manifest)]);
    let settings: serde_json::Value = serde_json::from_slice(&std::fs::read(tuned.join("run.json")).unwrap()).unwrap();
    assert_eq!(settings["init"].as_str(), Some(s(&manifest)));
    // A refit of q(z|w) moves the digits generated from a label and nothing else: reading an
    // image (q(z|x) -> p(w|z)) gives the same probabilities as before.
    let refit = dir.path().join("refit");
    ok(&["train", "--data", s(&data), "--out", s(&refit), "--batch", "50", "--eval-every", "0", "--epochs", "1",
         "--init", s(&manifest), "--refit", "label", "--rescale", "label=3"]);
    let refitted = dir.path().join("refitted.json");
    ok(&["export", "--run", s(&refit), "--precision", "f32", "--out", s(&refitted)]);
    let outputs = |path: &Path, given: (&str, Observation)| {
        let device = Device::flex();
        let manifest = Manifest::from_json(&std::fs::read_to_string(path).unwrap()).unwrap();
        let model = manifest.load(std::fs::read(path.with_file_name(&manifest.weights.file)).unwrap(), &device).unwrap();
        let given = observe(&model.config, &[(given.0.into(), given.1)], &device).unwrap();
        let out = generate(&model, &given, 2, 3, Temperature::ONE).unwrap();
        out.into_iter().map(|t| t.into_data().try_to_vec::<f32>().unwrap()).collect::<Vec<_>>()
    };
    let image = || ("image", Observation::Values(vec![0.5; 784]));
    let (before, after) = (outputs(&manifest, image()), outputs(&refitted, image()));
    assert_eq!(before[1], after[1], "q(z|x) and p(w|z) are untouched by the refit");
    assert_ne!(outputs(&manifest, ("label", Observation::Class(2)))[0], outputs(&refitted, ("label", Observation::Class(2)))[0]);
    fails(&["train", "--data", s(&data), "--out", s(&dir.path().join("never")), "--refit", "label"], "--init");

    let other = dir.path().join("other");
    fails(&["train", "--data", s(&data), "--out", s(&other), "--rescale", "label"], "NAME=WEIGHT");
    fails(&["train", "--data", s(&data), "--out", s(&other), "--rescale", "label=-2"], "positive");
    fails(&["train", "--data", s(&data), "--out", s(&other), "--rescale", "audio=2"], "unknown modality `audio`");
    fails(&["train", "--data", s(&data), "--out", s(&other), "--validation", "200"], "--validation 200");
    assert!(!other.exists(), "refused runs leave nothing behind");
}

#[test]
fn bad_input_is_refused_with_a_message_that_names_it() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("mnist");
    std::fs::create_dir(&data).unwrap();
    write_mnist(&data, 20);
    let run = dir.path().join("run");
    let base = ["train", "--data", s(&data), "--out", s(&run)];
    let train = |extra: &[&str]| -> Vec<String> { base.iter().chain(extra).map(|a| a.to_string()).collect() };

    fails(&train(&["--batch", "0"]), "--batch");
    // A GPU backend the build lacks is named with the cargo feature that adds it.
    #[cfg(not(feature = "cuda"))]
    fails(&train(&["--device", "cuda"]), "build the trainer with `cargo build --release -p jmvae-trainer --features cuda`");
    #[cfg(not(feature = "wgpu"))]
    fails(&train(&["--device", "wgpu"]), "--device wgpu: this build has no wgpu backend");
    assert!(!run.exists(), "a refused device leaves no run behind");
    fails(&train(&["--alpha", "-1"]), "alpha");
    fails(&["train", "--data", s(&dir.path().join("nowhere")), "--out", s(&run)], "does not exist");
    fails(&train(&["--resume"]), "no run to continue");

    // A truncated IDX file names the file and what is wrong; nothing is created.
    let images = data.join("t10k-images-idx3-ubyte");
    let bytes = std::fs::read(&images).unwrap();
    std::fs::write(&images, &bytes[..bytes.len() - 100]).unwrap();
    let run2 = dir.path().join("run2");
    fails(&["train", "--data", s(&data), "--out", s(&run2)], "t10k-images-idx3-ubyte");
    assert!(!run2.join("latest").exists());

    // A manifest whose weights were replaced is refused by sha256.
    std::fs::write(&images, &bytes).unwrap();
    ok(&train(&["--epochs", "1", "--eval-every", "0", "--batch", "10"]));
    let manifest = dir.path().join("m.json");
    ok(&["export", "--run", s(&run), "--out", s(&manifest)]);
    let weights = dir.path().join("m.safetensors");
    let mut w = std::fs::read(&weights).unwrap();
    let last = w.len() - 1;
    w[last] ^= 1;
    std::fs::write(&weights, &w).unwrap();
    fails(&["sample", "--manifest", s(&manifest), "--label", "1"], "sha256");
    fails(&["sample", "--manifest", s(&dir.path().join("absent.json"))], "absent.json");
}

#[test]
fn eval_options_that_do_not_apply_to_the_model_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("mnist");
    write_mnist(&data, 50);
    let vae = dir.path().join("vae");
    ok(&["train", "--data", s(&data), "--out", s(&vae), "--model", "vae", "--epochs", "1", "--batch", "50", "--eval-every", "0"]);
    let eval = ["eval", "--run", s(&vae), "--data", s(&data), "-k", "2"];
    fails(&[&eval[..], &["--classifier", "judge.bpk"]].concat(), "--classifier judges label -> image coherence, but this model has no `label` modality");
    fails(&[&eval[..], &["--judge", "image=judge.bpk"]].concat(), "--judge NAME=PATH judges an image modality of a folder dataset; this model was trained on mnist");
    ok(&eval);
}
