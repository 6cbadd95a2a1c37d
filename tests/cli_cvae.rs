//! The paper's CVAE baseline end to end on a tiny generated MNIST: train and resume, evaluate
//! with its own estimators, export, sample label -> image in fresh processes, and refuse what a
//! CVAE cannot do (image -> label, α, a likelihood weight on its condition) with a message.

mod common;

use burn::tensor::Device;
use jmvae::Manifest;
use jmvae::infer::{Observation, Temperature, generate, observe};

use common::{fails, ok, s, write_mnist};

#[test]
fn a_cvae_trains_evaluates_exports_and_generates_digits_from_labels() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("mnist");
    write_mnist(&data, 200);
    let run = dir.path().join("cvae");
    let common = ["--data", s(&data), "--out", s(&run), "--model", "cvae", "--batch", "50", "--eval-every", "1", "--eval-k", "4"];
    ok(&[&["train", "--epochs", "1"][..], &common].concat());
    let log = ok(&[&["train", "--epochs", "2", "--resume"][..], &common].concat());
    assert!(log.contains("epoch"), "{log}");
    let metrics = std::fs::read_to_string(run.join("metrics.jsonl")).unwrap();
    // The objective has the image's likelihood and the KL to the prior, no label term.
    assert!(metrics.contains("log_p_image") && !metrics.contains("log_p_label"), "{metrics}");

    let classifier = dir.path().join("judge.bpk");
    ok(&["train-classifier", "--data", s(&data), "--epochs", "1", "--out", s(&classifier)]);
    let report = dir.path().join("eval.json");
    ok(&["eval", "--run", s(&run), "--data", s(&data), "-k", "20", "--limit", "20", "--classifier", s(&classifier), "--out", s(&report)]);
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
    for key in ["log_px_given_w", "log_pw_given_x", "log_px_uniform_label"] {
        let v = json[key].as_f64().unwrap_or_else(|| panic!("{key} missing in {json}"));
        assert!(v <= 0.0 && v.is_finite(), "{key} = {v}");
    }
    // It has no q(z|x) and no p(w|z): no log p(x) of its own, no read-back.
    for key in ["log_px_unimodal_proposal", "log_pxw", "encoder_widths"] {
        assert!(json[key].is_null(), "{key} in {json}");
    }
    assert!((0.0..=1.0).contains(&json["label_accuracy"].as_f64().unwrap()));
    assert!((0.0..=1.0).contains(&json["coherence"].as_f64().unwrap()));
    assert!(json["coherence_curve"].as_array().unwrap().iter().all(|p| p["read_back"].is_null()));

    // The convergence report: its one proposal, whose estimate is log p(x|w).
    let curve = dir.path().join("convergence.json");
    let convergence = ["convergence", "--run", s(&run), "--data", s(&data), "--limit", "5", "--k", "2,4", "--out", s(&curve)];
    fails(&[&convergence[..], &["--proposal", "image"]].concat(), "but this is a CVAE: its only encoder is q(z|x,w)");
    ok(&[&convergence[..], &["--proposal", "joint"]].concat());
    assert!(std::fs::read_to_string(curve.with_extension("md")).unwrap().contains("CVAE: log p(x|w)"));

    let manifest = dir.path().join("models/cvae.json");
    ok(&["export", "--run", s(&run), "--out", s(&manifest)]);
    let sample = |name: &str| {
        let path = dir.path().join(name);
        ok(&["sample", "--manifest", s(&manifest), "--label", "4", "--samples", "3", "--json", s(&path)]);
        let json: serde_json::Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
        json["outputs"][0]["image"].as_array().unwrap().iter().map(|v| v.as_f64().unwrap() as f32).collect::<Vec<f32>>()
    };
    let first = sample("a.json");
    assert_eq!(first.len(), 3 * 784);
    assert_eq!(first, sample("b.json"), "two fresh processes give identical digits");

    // The library, loading the manifest: label -> image works and agrees with the CLI;
    // image -> label is refused with a message that says why.
    let device = Device::flex();
    let manifest = Manifest::from_json(&std::fs::read_to_string(&manifest).unwrap()).unwrap();
    let model = manifest.load(std::fs::read(dir.path().join("models/cvae.safetensors")).unwrap(), &device).unwrap();
    assert_eq!(model.config.conditions, vec!["label".to_string()]);
    let given = observe(&model.config, &[("label".into(), Observation::Class(4))], &device).unwrap();
    let outputs = generate(&model, &given, 3, 7, Temperature::ONE).unwrap();
    let here = outputs[0].clone().into_data().try_to_vec::<f32>().unwrap();
    assert!(here.iter().zip(&first).all(|(a, b)| (a - b).abs() < 1e-6), "library and CLI differ");
    // The label comes back as it was given: the CVAE does not generate it.
    let label = outputs[1].clone().into_data().try_to_vec::<f32>().unwrap();
    assert_eq!(&label[..10], &[0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0]);
    let err = observe(&model.config, &[("image".into(), Observation::Values(vec![0.0; 784]))], &device).unwrap_err().to_string();
    assert!(err.contains("CVAE") && err.contains("no p(label|z)") && err.contains("give `label`"), "{err}");
}

#[test]
fn flags_that_a_cvae_cannot_use_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("mnist");
    write_mnist(&data, 20);
    let run = dir.path().join("run");
    let train = ["train", "--data", s(&data), "--out", s(&run), "--model", "cvae"];
    fails(&[&train[..], &["--alpha", "0.5"]].concat(), "--alpha 0.5: the CVAE has no unimodal encoders");
    fails(&[&train[..], &["--rescale", "label=5"]].concat(), "this CVAE is given `label`");
    fails(&["train", "--data", s(&data), "--out", s(&run), "--model", "vae", "--alpha", "1"], "the VAE has no unimodal encoders");
    assert!(!run.exists(), "a refused run leaves nothing on disk");
}
