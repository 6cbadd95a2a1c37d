//! End-to-end tests of the `jmvae` command on a tiny generated CelebA-layout directory: train,
//! export, sample in fresh processes, train the attribute classifier, evaluate, and refuse
//! broken datasets with messages that name the problem.

mod common;

use std::path::{Path, PathBuf};

use burn::tensor::Device;
use image::{Rgb, RgbImage};
use jmvae::Manifest;
use jmvae::infer::{Observation, Temperature, generate, observe};

use common::{fails, ok, s};

const ATTRIBUTES: [&str; 3] = ["Eyeglasses", "Smiling", "No_Beard"];

/// A face-like JPEG whose look follows its attributes: a dark band for glasses, a bright mouth
/// for smiling; half the faces at CelebA's half resolution, like the shared partial copy.
fn write_face(path: &Path, attributes: [bool; 3], half: bool) {
    let (w, h) = if half { (89, 109) } else { (178, 218) };
    let image = RgbImage::from_fn(w, h, |x, y| {
        let (u, v) = (x as f32 / w as f32, y as f32 / h as f32);
        let skin = Rgb([200, 160, 130]);
        if attributes[0] && (0.40..0.48).contains(&v) && (0.25..0.75).contains(&u) {
            Rgb([20, 20, 20])
        } else if attributes[1] && (0.62..0.68).contains(&v) && (0.35..0.65).contains(&u) {
            Rgb([250, 250, 250])
        } else {
            skin
        }
    });
    image.save(path).unwrap();
}

/// `n` faces split 3:1 into train and test, one annotated row without an image, and one
/// unreadable JPEG in the training partition.
fn write_celeba(dir: &Path, n: usize) {
    let images = dir.join("img_align_celeba");
    std::fs::create_dir_all(&images).unwrap();
    let mut attr = format!("{}\n{}\n", n + 2, ATTRIBUTES.join(" "));
    let mut partition = String::new();
    for i in 1..=n + 2 {
        let name = format!("{i:06}.jpg");
        let flags = [i % 2 == 0, i % 3 == 0, true];
        let values: Vec<&str> = flags.iter().map(|&f| if f { " 1" } else { "-1" }).collect();
        attr.push_str(&format!("{name} {}\n", values.join(" ")));
        partition.push_str(&format!("{name} {}\n", if i % 4 == 0 { 2 } else { 0 }));
        if i == n + 1 {
            std::fs::write(images.join(&name), b"not a jpeg at all").unwrap();
        } else if i <= n {
            write_face(&images.join(&name), flags, i % 2 == 1);
        } // i == n + 2: annotated but absent
    }
    std::fs::write(dir.join("list_attr_celeba.txt"), attr).unwrap();
    std::fs::write(dir.join("list_eval_partition.txt"), partition).unwrap();
}

struct Fixture {
    _dir: tempfile::TempDir,
    data: PathBuf,
    cache: PathBuf,
    run: PathBuf,
    root: PathBuf,
}

fn trained() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().to_path_buf();
    let data = root.join("celeba");
    write_celeba(&data, 24);
    let (cache, run) = (root.join("cache"), root.join("run"));
    let out = ok(&["train", "--dataset", "celeba", "--data", s(&data), "--cache", s(&cache), "--out", s(&run),
                   "--epochs", "2", "--batch", "6", "--eval-every", "1"]);
    assert!(out.contains("1 unreadable"), "the bad JPEG is counted:\n{out}");
    assert!(out.contains("attribute acc"), "{out}");
    ok(&["train", "--dataset", "celeba", "--data", s(&data), "--cache", s(&cache), "--out", s(&run),
         "--epochs", "3", "--batch", "6", "--eval-every", "1", "--resume"]);
    // The newest checkpoint and the one before it (kept for readers of the previous `latest`).
    let mut kept: Vec<String> = std::fs::read_dir(&run).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("checkpoint-")).collect();
    kept.sort();
    assert_eq!(kept, ["checkpoint-0002", "checkpoint-0003"]);
    Fixture { _dir: dir, data, cache, run, root }
}

#[test]
fn faces_train_export_and_sample_in_fresh_processes() {
    let f = trained();
    let manifest = f.root.join("models/faces.json");
    ok(&["export", "--run", s(&f.run), "--out", s(&manifest), "--precision", "f16"]);
    let text = std::fs::read_to_string(&manifest).unwrap();
    let parsed = Manifest::from_json(&text).unwrap();
    assert_eq!(parsed.dataset, "celeba");
    assert!(parsed.notice.as_deref().unwrap_or("").contains("non-commercial research"), "{text}");
    assert_eq!(parsed.config.modalities[1].labels, ATTRIBUTES);

    let sample = |name: &str| {
        let path = f.root.join(name);
        ok(&["sample", "--manifest", s(&manifest), "--attributes", "Eyeglasses,No_Beard", "--samples", "3",
             "--seed", "7", "--json", s(&path)]);
        let json: serde_json::Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
        assert_eq!(json["outputs"][0]["attributes"], serde_json::json!([1.0, 0.0, 1.0]));
        json["outputs"][0]["image"].as_array().unwrap().iter().map(|v| v.as_f64().unwrap() as f32).collect::<Vec<f32>>()
    };
    let first = sample("a.json");
    assert_eq!(first.len(), 3 * 3 * 64 * 64);
    assert_eq!(first, sample("b.json"), "two fresh processes give identical faces");

    let device = Device::flex();
    let model = parsed.load(std::fs::read(f.root.join("models/faces.safetensors")).unwrap(), &device).unwrap();
    let given = observe(&model.config, &[("attributes".into(), Observation::Values(vec![1.0, 0.0, 1.0]))], &device).unwrap();
    let here = generate(&model, &given, 3, 7, Temperature::ONE).unwrap()[0].clone().into_data().try_to_vec::<f32>().unwrap();
    let worst = here.iter().zip(&first).map(|(a, b)| (a - b).abs()).fold(0.0, f32::max);
    assert!(worst < 1e-6, "library and CLI differ by {worst}");

    let png = f.root.join("faces.png");
    ok(&["sample", "--manifest", s(&manifest), "--attributes", "Smiling", "--attributes", "", "--samples", "2",
         "--png", s(&png)]);
    let grid = image::open(&png).unwrap();
    assert_eq!((grid.width(), grid.height()), (2 * 65 + 1, 2 * 65 + 1), "two rows of two 64x64 faces");
    fails(&["sample", "--manifest", s(&manifest), "--attributes", "Wings"], "unknown attribute `Wings`");
}

#[test]
fn faces_evaluation_reports_accuracy_baseline_and_coherence() {
    let f = trained();
    let classifier = f.root.join("attributes.bpk");
    let out = ok(&["train-classifier", "--dataset", "celeba", "--data", s(&f.data), "--cache", s(&f.cache),
                   "--epochs", "2", "--out", s(&classifier)]);
    assert!(out.contains("attribute classifier: mean test accuracy"), "{out}");
    let report = f.root.join("eval.json");
    let recon = f.root.join("recon.png");
    ok(&["eval", "--run", s(&f.run), "--data", s(&f.data), "--cache", s(&f.cache), "--classifier", s(&classifier),
         "--reconstructions", s(&recon), "--out", s(&report)]);
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
    assert_eq!(json["examples"], 6, "24 faces, every fourth in the test partition");
    for key in ["attribute_accuracy", "majority_baseline", "coherence", "classifier_accuracy", "train_frequencies"] {
        let values = json[key].as_array().unwrap_or_else(|| panic!("{key} missing: {json}"));
        assert_eq!(values.len(), 3);
        assert!(values.iter().all(|v| (0.0..=1.0).contains(&v.as_f64().unwrap())), "{key}: {values:?}");
    }
    let curve = json["read_back_curve"].as_array().unwrap();
    assert_eq!(curve.len(), 5, "read-back at τ = 0, 0.25, 0.5, 0.75, 1");
    assert!(curve.iter().all(|p| (0.0..=1.0).contains(&p["read_back"].as_f64().unwrap())));
    assert_eq!(curve[0]["read_back_per_attribute"].as_array().unwrap().len(), 3);
    // No_Beard is always 1, so its majority baseline is perfect.
    assert_eq!(json["majority_baseline"][2], 1.0);
    let table = std::fs::read_to_string(f.root.join("eval.md")).unwrap();
    assert!(table.contains("| Eyeglasses |") && table.contains("**mean**"), "{table}");
    assert!(std::fs::read(&recon).unwrap().starts_with(b"\x89PNG"));
    fails(&["eval", "--run", s(&f.run), "--data", s(&f.data), "--cache", s(&f.cache), "--classifier",
            s(&f.root.join("absent.bpk"))], "absent.bpk");
}

#[test]
fn a_faces_cvae_trains_and_is_evaluated_on_what_it_can_do() {
    let f = trained();
    let run = f.root.join("cvae");
    let out = ok(&["train", "--dataset", "celeba", "--data", s(&f.data), "--cache", s(&f.cache), "--out", s(&run),
                   "--model", "cvae", "--epochs", "1", "--batch", "6", "--eval-every", "1"]);
    assert!(!out.contains("attribute acc"), "a CVAE reads no attributes from images:\n{out}");
    let classifier = f.root.join("attributes.bpk");
    ok(&["train-classifier", "--dataset", "celeba", "--data", s(&f.data), "--cache", s(&f.cache), "--epochs", "1", "--out", s(&classifier)]);
    let report = f.root.join("cvae.json");
    ok(&["eval", "--run", s(&run), "--data", s(&f.data), "--cache", s(&f.cache), "--classifier", s(&classifier), "--out", s(&report)]);
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
    assert!(json["attribute_accuracy"].is_null() && json["mean_attribute_accuracy"].is_null(), "{json}");
    assert_eq!(json["coherence"].as_array().unwrap().len(), 3);
    let curve = json["read_back_curve"].as_array().unwrap();
    assert!(curve.iter().all(|p| p["model_read_back"].is_null() && p["read_back"].as_f64().is_some()), "{curve:?}");
    let manifest = f.root.join("models/cvae.json");
    ok(&["export", "--run", s(&run), "--out", s(&manifest)]);
    let path = f.root.join("cvae-sample.json");
    ok(&["sample", "--manifest", s(&manifest), "--attributes", "Smiling", "--samples", "2", "--json", s(&path)]);
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    assert_eq!(json["outputs"][0]["image"].as_array().unwrap().len(), 2 * 3 * 64 * 64);
}

#[test]
fn broken_celeba_directories_are_named_in_the_error() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("celeba");
    write_celeba(&data, 8);
    let cache = dir.path().join("cache");
    let run = dir.path().join("run");
    let train = |expected: &str| {
        fails(&["train", "--dataset", "celeba", "--data", s(&data), "--cache", s(&cache), "--out", s(&run), "--epochs", "1"], expected);
        assert!(!run.exists(), "a refused run leaves nothing behind");
    };
    fails(&["train", "--dataset", "celeba", "--data", s(&data), "--cache", s(&cache), "--out", s(&run),
            "--image-sigma=0"], "sigma > 0");
    // The fixture has no validation rows: asking to validate on them says so.
    fails(&["train", "--dataset", "celeba", "--data", s(&data), "--cache", s(&cache), "--out", s(&run),
            "--validation", "1"], "none of the 0 validation rows");
    assert!(!run.exists(), "a refused config leaves nothing behind");
    let attr = data.join("list_attr_celeba.txt");
    let good = std::fs::read_to_string(&attr).unwrap();
    std::fs::write(&attr, good.replacen("000003.jpg -1  1  1", "000003.jpg -1  1", 1)).unwrap();
    train("line 5");
    std::fs::write(&attr, good.replacen("000003.jpg -1  1  1", "000003.jpg -1  2  1", 1)).unwrap();
    train("line 5");
    std::fs::remove_file(&attr).unwrap();
    train("list_attr_celeba.txt");
}

/// `jmvae train` on the fixture's faces into `run`, with `extra` flags.
fn train_faces(f: &Fixture, run: &Path, extra: &[&str]) -> Vec<String> {
    let mut args: Vec<String> = ["train", "--dataset", "celeba", "--data", s(&f.data), "--cache", s(&f.cache), "--out", s(run), "--batch", "6", "--eval-every", "1"]
        .iter()
        .map(|a| a.to_string())
        .collect();
    args.extend(extra.iter().map(|a| a.to_string()));
    args
}

#[test]
fn a_jmvae_gan_trains_resumes_only_as_a_gan_and_ships_without_its_discriminator() {
    let f = trained();
    let gan = f.root.join("gan");
    let out = ok(&train_faces(&f, &gan, &["--gan", "--flip", "--epochs", "1"]));
    assert!(out.contains("attribute acc"), "{out}");
    let checkpoint = gan.join("checkpoint-0001");
    for file in ["model.bpk", "optimizer.bpk", "discriminator.bpk", "discriminator-optimizer.bpk"] {
        assert!(checkpoint.join(file).is_file(), "{file} is in the checkpoint");
    }
    let metrics = std::fs::read_to_string(gan.join("metrics.jsonl")).unwrap();
    for term in ["discriminator_loss", "gan_adversarial", "gan_feature_matching"] {
        assert!(metrics.contains(term), "{term} is logged: {metrics}");
    }
    // The decoder's objective is fixed for a run: neither side can be changed on resume.
    fails(&train_faces(&f, &gan, &["--flip", "--epochs", "2", "--resume"]), "is a JMVAE-GAN run (its decoder trains against a discriminator); resume it with --gan");
    fails(&train_faces(&f, &f.run, &["--gan", "--epochs", "4", "--resume"]), "is a plain JMVAE run; --gan cannot be added on resume");
    ok(&train_faces(&f, &gan, &["--gan", "--flip", "--epochs", "2", "--resume"]));

    // The discriminator is training-time only: the manifest has the plain model's networks.
    let (gan_manifest, plain_manifest) = (f.root.join("models/gan.json"), f.root.join("models/plain.json"));
    ok(&["export", "--run", s(&gan), "--out", s(&gan_manifest)]);
    ok(&["export", "--run", s(&f.run), "--out", s(&plain_manifest)]);
    let read = |p: &Path| Manifest::from_json(&std::fs::read_to_string(p).unwrap()).unwrap();
    let (gan_m, plain_m) = (read(&gan_manifest), read(&plain_manifest));
    assert_eq!(gan_m.config, plain_m.config);
    assert_eq!(gan_m.weights.bytes, plain_m.weights.bytes);
    assert_eq!((gan_m.training["decoder"].as_str(), plain_m.training["decoder"].as_str()), (Some("gan"), Some("likelihood")));
    assert_eq!(gan_m.training["flip"], true);
    assert!(gan_m.notice.as_deref().unwrap_or("").contains("non-commercial research"));

    // Realism is reported beside coherence when a classifier judges.
    let classifier = f.root.join("attributes.bpk");
    ok(&["train-classifier", "--dataset", "celeba", "--data", s(&f.data), "--cache", s(&f.cache), "--epochs", "1", "--out", s(&classifier)]);
    let report = f.root.join("gan-eval.json");
    ok(&["eval", "--manifest", s(&gan_manifest), "--data", s(&f.data), "--cache", s(&f.cache), "--classifier", s(&classifier), "--out", s(&report)]);
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
    let realism = &json["realism"];
    assert!(realism["frechet_classifier_features"].as_f64().is_some_and(|d| d >= 0.0), "{realism}");
    let ratio = realism["sharpness_ratio"].as_f64().unwrap();
    let (generated, real) = (realism["laplacian_variance_generated"].as_f64().unwrap(), realism["laplacian_variance_real"].as_f64().unwrap());
    assert!(real > 0.0 && (ratio - generated / real).abs() < 1e-9, "{realism}");
    assert!(std::fs::read_to_string(f.root.join("gan-eval.md")).unwrap().contains("not FID"));
}

#[test]
#[cfg_attr(not(feature = "fault-injection"), ignore = "needs the fault hooks: cargo test --features fault-injection, as scripts/test.sh runs it")]
fn a_diverging_discriminator_stops_the_run_and_keeps_the_last_checkpoint() {
    let f = trained();
    let gan = f.root.join("gan");
    ok(&train_faces(&f, &gan, &["--gan", "--epochs", "1"]));
    let before = std::fs::read(gan.join("checkpoint-0001/discriminator.bpk")).unwrap();
    // 18 training faces in batches of 6: step 4 is the second step of epoch 2.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_jmvae"))
        .args(train_faces(&f, &gan, &["--gan", "--epochs", "3", "--resume"]))
        .env("JMVAE_FAULT_NAN_DISCRIMINATOR_AT_STEP", "4")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(stderr.contains("training stopped: the discriminator diverged (its loss became NaN) at epoch 2 step 1"), "{stderr}");
    assert!(stderr.contains("keeps its last good checkpoint (epoch 1); start a new run with a lower --gan-lr or --gan-weight"), "{stderr}");
    assert_eq!(std::fs::read_to_string(gan.join("latest")).unwrap().trim(), "checkpoint-0001");
    assert_eq!(std::fs::read(gan.join("checkpoint-0001/discriminator.bpk")).unwrap(), before);
    // The kept checkpoint resumes.
    ok(&train_faces(&f, &gan, &["--gan", "--epochs", "2", "--resume"]));
}

#[test]
fn gan_and_flip_are_refused_where_they_cannot_work() {
    let dir = tempfile::tempdir().unwrap();
    let mnist = dir.path().join("mnist");
    common::write_mnist(&mnist, 20);
    let run = dir.path().join("run");
    let digits = |extra: &[&str]| {
        let mut args = vec!["train", "--data", s(&mnist), "--out", s(&run), "--epochs", "1"];
        args.extend(extra);
        args.iter().map(|a| a.to_string()).collect::<Vec<_>>()
    };
    fails(&digits(&["--gan"]), "--gan trains a convolutional discriminator on [channels, height, width] images");
    fails(&digits(&["--flip"]), "a mirrored digit is another glyph");
    fails(&digits(&["--gan-weight", "3"]), "--gan");
    fails(&digits(&["--gan", "--gan-weight", "-1"]), "the adversarial weight must be >= 0, got -1");
    fails(&digits(&["--gan", "--gan-lr", "0"]), "--gan-lr must be positive, got 0");
    assert!(!run.exists(), "a refused run leaves nothing behind");
}
