//! End-to-end tests of `--dataset folder` on tiny generated datasets in both layouts: train,
//! resume, export and sample in fresh processes, evaluate, and refuse bad input with a message
//! that names the file, row or column, leaving no run directory behind.

mod common;

use std::path::Path;

use common::{fails, ok, s, write_class_folders, write_metadata, write_png};

/// `jmvae sample --json`'s outputs, as text, from a fresh process.
fn sample(manifest: &Path, out: &Path, extra: &[&str]) -> String {
    ok(&[&["sample", "--manifest", s(manifest), "--samples", "3", "--seed", "7", "--json", s(out)][..], extra].concat());
    std::fs::read_to_string(out).unwrap()
}

#[test]
fn class_folders_train_resume_export_sample_and_evaluate() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("clothes");
    write_class_folders(&data, &["Coat", "Sandal", "T-shirt_top"], 20);
    std::fs::write(data.join("Coat/notes.txt"), "not an image").unwrap();
    std::fs::write(data.join("Sandal/broken.png"), "not a PNG either").unwrap();
    let run = dir.path().join("run");
    let cache = dir.path().join("cache");
    let common = ["--dataset", "folder", "--data", s(&data), "--cache", s(&cache), "--out", s(&run), "--batch", "20", "--validation", "6", "--eval-every", "1", "--eval-k", "4"];
    let first = ok(&[&["train", "--epochs", "1"][..], &common].concat());
    for expected in ["class folders", "train 48, validation 6, test 6", "categorical, 3 classes: Coat, Sandal, T-shirt_top", "grey 28x28", "Bernoulli", "Coat/notes.txt: not a .png or .jpg file", "Sandal/broken.png", "MNIST reference"] {
        assert!(first.contains(expected), "`{expected}` not in the summary:\n{first}");
    }
    assert!(first.contains("decoded images cached in"), "{first}");
    let resumed = ok(&[&["train", "--epochs", "2", "--resume"][..], &common].concat());
    assert!(resumed.contains("decoded images read from the cache") && resumed.contains("Sandal/broken.png"), "{resumed}");
    // A damaged cache is never trusted: it is said, ignored and rebuilt.
    let cached = std::fs::read_dir(&cache).unwrap().next().unwrap().unwrap().path();
    std::fs::write(&cached, b"JMVFOLD1 and then garbage").unwrap();
    let rebuilt = ok(&["eval", "--run", s(&run), "--data", s(&data), "--cache", s(&cache), "-k", "2"]);
    assert!(rebuilt.contains("ignoring the cache") && rebuilt.contains("decoded images cached in"), "{rebuilt}");
    let settings: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(run.join("run.json")).unwrap()).unwrap();
    assert_eq!(settings["folder"]["likelihood"], "bernoulli");
    assert_eq!(settings["folder"]["image_size"], 28);
    // A different held-out draw is a different run: refused on resume.
    fails(&[&["train", "--epochs", "3", "--resume", "--test", "9"][..], &common].concat(), "differ");

    let manifest = dir.path().join("models/clothes.json");
    ok(&["export", "--run", s(&run), "--checkpoint", "best", "--out", s(&manifest)]);
    let a = sample(&manifest, &dir.path().join("a.json"), &[]);
    assert_eq!(a, sample(&manifest, &dir.path().join("b.json"), &[]), "two fresh processes give the same samples");
    assert!(a.contains("\"T-shirt_top\""), "the rows are named by class");
    ok(&["sample", "--manifest", s(&manifest), "--label", "1", "--png", s(&dir.path().join("grid.png"))]);
    fails(&["sample", "--manifest", s(&manifest), "--label", "3"], "3 classes");

    let report = dir.path().join("eval.json");
    let table = ok(&["eval", "--manifest", s(&manifest), "--data", s(&data), "--cache", s(&cache), "-k", "5", "--out", s(&report)]);
    assert!(table.contains("label accuracy from images") && table.contains("6 test examples"), "{table}");
    let validation = ok(&["eval", "--run", s(&run), "--checkpoint", "best", "--split", "validation", "--data", s(&data), "--cache", s(&cache), "-k", "5"]);
    assert!(validation.contains("6 validation examples"), "{validation}");
    let convergence = dir.path().join("convergence.json");
    ok(&["convergence", "--run", s(&run), "--data", s(&data), "--cache", s(&cache), "--k", "1,3", "--limit", "5", "--out", s(&convergence)]);
    assert!(std::fs::read_to_string(convergence.with_extension("md")).unwrap().contains("| q(z|x,w) | 3 |"));

    // The judge of coherence, trained on the same folder, the same held-out test set kept out.
    let judge = dir.path().join("judge.bpk");
    let trained = ok(&["train-classifier", "--dataset", "folder", "--data", s(&data), "--cache", s(&cache), "--epochs", "2", "--out", s(&judge)]);
    assert!(trained.contains("classifier test accuracy") && trained.contains("6 test images, 3 classes"), "{trained}");
    let judged = ok(&["eval", "--manifest", s(&manifest), "--data", s(&data), "--cache", s(&cache), "-k", "2", "--classifier", s(&judge)]);
    for expected in ["label -> image coherence (judge, τ = 1)", "diversity ratio", "classifier accuracy (real images of the split)"] {
        assert!(judged.contains(expected), "`{expected}` not in:\n{judged}");
    }

    // On validation the judge also chooses the default temperature, which export then carries.
    let chosen = dir.path().join("validation.json");
    let table = ok(&["eval", "--run", s(&run), "--checkpoint", "best", "--split", "validation", "--data", s(&data), "--cache", s(&cache), "-k", "2", "--classifier", s(&judge), "--out", s(&chosen)]);
    assert!(table.contains("Default temperature") && table.contains("| 0.05 |"), "{table}");
    let report: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&chosen).unwrap()).unwrap();
    let tau = report["sampling"]["temperature"].as_f64().expect("a chosen temperature");
    assert_eq!(report["selection_curve"].as_array().map(Vec::len), Some(21), "the grid τ = 0, 0.05, ..., 1");
    let tempered = dir.path().join("tempered.json");
    ok(&["export", "--run", s(&run), "--checkpoint", "best", "--sampling", s(&chosen), "--out", s(&tempered)]);
    let manifest: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&tempered).unwrap()).unwrap();
    assert_eq!(manifest["sampling"]["temperature"].as_f64(), Some(tau));
}

#[test]
fn metadata_with_attributes_trains_exports_and_samples_from_attributes() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("meta");
    write_metadata(&data, 40);
    let run = dir.path().join("run");
    let cache = dir.path().join("cache");
    let out = ok(&["train", "--dataset", "folder", "--data", s(&data), "--cache", s(&cache), "--out", s(&run), "--epochs", "1", "--batch", "20", "--test", "8", "--eval-every", "1", "--eval-k", "2"]);
    for expected in ["metadata.csv", "train 32, validation none, test 8", "colour 16x16", "binary attributes, 2: smiling, glasses", "kind         categorical, 3 classes: bag, coat, shoe", "Gaussian", "convolutional"] {
        assert!(out.contains(expected), "`{expected}` not in the summary:\n{out}");
    }
    let manifest = dir.path().join("m/meta.json");
    ok(&["export", "--run", s(&run), "--out", s(&manifest)]);
    let args = ["--attributes", "smiling", "--attributes", "glasses,smiling"];
    let a = sample(&manifest, &dir.path().join("a.json"), &args);
    assert_eq!(a, sample(&manifest, &dir.path().join("b.json"), &args));
    fails(&["sample", "--manifest", s(&manifest), "--attributes", "beard"], "unknown attribute `beard`");
    let table = ok(&["eval", "--manifest", s(&manifest), "--data", s(&data), "--cache", s(&cache), "-k", "3"]);
    assert!(table.contains("mean attribute accuracy from images") && table.contains("| glasses |") && table.contains("kind accuracy"), "{table}");
}

/// A `metadata.csv` dataset in `dir` of `n` pairs of 12x12 grey images, `image` (a bright row)
/// and `fashion` (a bright column), whose place is set by the class `label` (`zero` or `one`).
fn write_pairs(data: &Path, n: u32) {
    let mut csv = String::from("file_name,fashion_file_name,label\n");
    for i in 0..n {
        let class = i % 2;
        write_png(&data.join(format!("digit/{i}.png")), 12, 12, false, |_, y| if y == 2 + 6 * class { 255 } else { 0 });
        write_png(&data.join(format!("item/{i}.png")), 12, 12, false, |x, _| if x == 2 + 6 * class { 255 } else { 0 });
        csv.push_str(&format!("digit/{i}.png,item/{i}.png,{}\n", ["zero", "one"][class as usize]));
    }
    std::fs::write(data.join("metadata.csv"), csv).unwrap();
}

#[test]
fn a_second_image_column_is_a_third_modality() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("pairs");
    write_pairs(&data, 24);
    let (run, cache) = (dir.path().join("run"), dir.path().join("cache"));
    let out = ok(&["train", "--dataset", "folder", "--data", s(&data), "--cache", s(&cache), "--out", s(&run), "--epochs", "1", "--batch", "8", "--eval-k", "2"]);
    assert!(out.contains("fashion      image, grey 12x12") && out.contains("label        categorical, 2 classes: one, zero"), "{out}");
    let manifest = dir.path().join("m/pairs.json");
    ok(&["export", "--run", s(&run), "--out", s(&manifest)]);
    let drawn = sample(&manifest, &dir.path().join("a.json"), &[]);
    assert!(drawn.contains("\"fashion\"") && drawn.contains("\"zero\""), "both images are generated from the label");
}

/// The directions of an evaluation report's `cross_coherence`, each checked to be a share.
fn directions(report: &serde_json::Value) -> Vec<(String, String)> {
    let mut found = Vec::new();
    for d in report["cross_coherence"].as_array().unwrap() {
        let coherence = d["coherence"].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&coherence), "{d}");
        let judged_by = if d["to"] == "label" { "model" } else { "judge" };
        assert_eq!(d["judged_by"], judged_by, "{d}");
        found.push((d["from"].as_str().unwrap().to_string(), d["to"].as_str().unwrap().to_string()));
    }
    found
}

/// The pairs `(from, to)` of `names`, `from` before `to`.
fn pairs(names: &[(&str, &str)]) -> Vec<(String, String)> {
    names.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
}

#[test]
fn three_modalities_are_judged_per_image_in_every_direction() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("pairs");
    write_pairs(&data, 40);
    let (run, cache) = (dir.path().join("run"), dir.path().join("cache"));
    let folder = ["--dataset", "folder", "--data", s(&data), "--cache", s(&cache), "--test", "8"];
    ok(&[&["train", "--out", s(&run), "--epochs", "1", "--batch", "8", "--eval-every", "0"][..], &folder].concat());
    let (image_judge, fashion_judge) = (dir.path().join("image.bpk"), dir.path().join("fashion.bpk"));
    let trained = ok(&[&["train-classifier", "--epochs", "1", "--modality", "fashion", "--out", s(&fashion_judge)][..], &folder].concat());
    assert!(trained.contains("8 test images, 2 classes; `label` read from `fashion`"), "{trained}");
    ok(&[&["train-classifier", "--epochs", "1", "--out", s(&image_judge)][..], &folder].concat());

    let eval = ["eval", "--run", s(&run), "--data", s(&data), "--cache", s(&cache), "-k", "2"];
    let report = dir.path().join("eval.json");
    let judge_fashion = format!("fashion={}", s(&fashion_judge));
    let table = ok(&[&eval[..], &["--classifier", s(&image_judge), "--judge", &judge_fashion, "--out", s(&report)]].concat());
    let json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    let every = pairs(&[("image", "fashion"), ("image", "label"), ("fashion", "image"), ("fashion", "label"), ("label", "image"), ("label", "fashion")]);
    assert_eq!(directions(&json), every);
    assert_eq!(json["judge_accuracy"].as_array().unwrap().iter().map(|j| j[0].as_str().unwrap()).collect::<Vec<_>>(), ["image", "fashion"]);
    for expected in ["| cross-modal coherence, from \\ to (τ = 1) | image | fashion | label |", "| judge on the real images (ceiling) |", "judge of `fashion` accuracy"] {
        assert!(table.contains(expected), "`{expected}` not in:\n{table}");
    }
    // Without a judge of `fashion`, no direction leads into it, and the report says why.
    let report = dir.path().join("image-only.json");
    let table = ok(&[&eval[..], &["--classifier", s(&image_judge), "--out", s(&report)]].concat());
    let json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    assert_eq!(directions(&json), pairs(&[("image", "label"), ("fashion", "image"), ("fashion", "label"), ("label", "image")]));
    assert_eq!(json["unjudged"], serde_json::json!(["fashion"]));
    assert!(table.contains("for want of a judge: `fashion`"), "{table}");

    let unwritten = dir.path().join("no.bpk");
    let classifier = ["train-classifier", "--epochs", "1", "--out", s(&unwritten)];
    fails(&[&classifier[..], &folder, &["--modality", "sound"]].concat(), "--modality sound: there is no modality `sound`; a judge reads `label` from an image modality: `image`, `fashion`");
    fails(&[&classifier[..], &folder, &["--modality", "label"]].concat(), "--modality label: `label` is categorical, not an image");
    fails(&["train-classifier", "--data", s(&data), "--modality", "fashion", "--out", s(&unwritten)], "--modality fashion applies to `--dataset folder` only");
    fails(&[&eval[..], &["--judge", "sound=x.bpk"]].concat(), "--judge sound=x.bpk: there is no modality `sound`");
    fails(&[&eval[..], &["--judge", "label=x.bpk"]].concat(), "--judge label=x.bpk: `label` is categorical, not an image");
    fails(&[&eval[..], &["--judge", "fashion"]].concat(), "write NAME=PATH");
    let duplicate = [&eval[..], &["--judge", &judge_fashion, "--judge", "fashion=other.bpk"]].concat();
    fails(&duplicate, "--judge fashion=other.bpk: `fashion` already has a judge");
    let twice = [&eval[..], &["--classifier", s(&image_judge), "--judge", "image=other.bpk"]].concat();
    fails(&twice, "--judge image=other.bpk: `image` already has a judge (--classifier)");
}

/// Every file under `dir` with its bytes, sorted.
fn snapshot(dir: &Path) -> Vec<(std::path::PathBuf, Vec<u8>)> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(snapshot(&path));
        } else {
            files.push((path.clone(), std::fs::read(&path).unwrap()));
        }
    }
    files.sort();
    files
}

/// Train on `data` expecting the refusal `expected`, with no run directory left behind and
/// the dataset unchanged.
fn refused(data: &Path, expected: &str) {
    let out = data.parent().unwrap().join("run-refused");
    let cache = data.parent().unwrap().join("cache-refused");
    let before = snapshot(data);
    fails(&["train", "--dataset", "folder", "--data", s(data), "--cache", s(&cache), "--out", s(&out), "--epochs", "1"], expected);
    assert!(!out.exists(), "a refused run left `{}` behind", out.display());
    assert!(snapshot(&cache).is_empty(), "a refused run wrote a cache");
    assert!(before == snapshot(data), "a refused run changed `{}`", data.display());
}

/// A folder holding a `metadata.csv` of `csv` and the 8x8 images `files`.
fn csv_dataset(root: &Path, name: &str, csv: &str, files: &[&str]) -> std::path::PathBuf {
    let dir = root.join(name);
    for (i, file) in files.iter().enumerate() {
        write_png(&dir.join(file), 8, 8, false, |x, _| if x as usize == i % 8 { 255 } else { 0 });
    }
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("metadata.csv"), csv).unwrap();
    dir
}

#[test]
fn bad_folders_are_refused_naming_the_file_row_or_column() {
    let root = tempfile::tempdir().unwrap();
    let root = root.path();
    let empty = root.join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    refused(&empty, "holds no images");
    refused(&root.join("absent"), "does not exist");

    let one = root.join("one");
    write_class_folders(&one, &["cat"], 4);
    refused(&one, "one class folder (`cat`)");

    let broken = root.join("broken");
    for class in ["a", "b"] {
        std::fs::create_dir_all(broken.join(class)).unwrap();
        std::fs::write(broken.join(class).join("x.png"), "not a png").unwrap();
    }
    refused(&broken, "none of the 2 images");

    let splits = root.join("splits");
    write_class_folders(&splits.join("train"), &["cat", "dog"], 3);
    write_class_folders(&splits.join("test"), &["cat", "fox"], 3);
    refused(&splits, "only in `train`: [dog]; only in `test`: [fox]");

    let huge = root.join("huge");
    write_class_folders(&huge, &["a", "b"], 2);
    std::fs::write(huge.join("a/huge.png"), png_header(10_000, 10_000)).unwrap();
    refused(&huge, "a/huge.png` is 10000x10000 pixels (100 megapixels)");
}

#[test]
fn bad_metadata_is_refused_naming_the_file_row_or_column() {
    let root = tempfile::tempdir().unwrap();
    let root = root.path();
    let files = ["a.png", "b.png", "c.png"];
    let cases = [
        ("no-file-name", "path,label\na.png,x\nb.png,y\n", "has no `file_name` column (its columns: path, label)"),
        ("missing", "file_name,label\na.png,x\nd.png,y\n", "line 3, column `file_name`: the file `d.png` does not exist"),
        ("mixed", "file_name,label\na.png,3\nb.png,cat\n", "column `label` mixes numbers and text: `3` (`metadata.csv` line 2) and `cat` (`metadata.csv` line 3)"),
        ("duplicate", "file_name,label\na.png,x\nb.png,y\na.png,z\n", "names `a.png` twice, on lines 2 and 4"),
        ("one-value", "file_name,smiling,label\na.png,1,x\nb.png,1,y\n", "column `smiling` is an attribute column with one value only"),
        ("outside", "file_name,label\na.png,x\n../b.png,y\n", "line 3, column `file_name`: `../b.png` leads outside the folder"),
        ("absolute", "file_name,label\na.png,x\n/etc/passwd,y\n", "`/etc/passwd` leads outside the folder"),
        ("ragged", "file_name,label\na.png,x\nb.png\n", "line 3: 1 value for the header's 2 columns"),
        ("empty-value", "file_name,label\na.png,x\nb.png,\n", "line 3, column `label`: the value is empty"),
        ("fraction", "file_name,score\na.png,0.5\nb.png,2\n", "column `score` holds `0.5` (`metadata.csv` line 2), which is not a whole number"),
        ("split-images", "file_name,image_file_name,label\na.png,b.png,x\nb.png,c.png,y\n", "would be a second modality `image`"),
    ];
    for (name, csv, expected) in cases {
        refused(&csv_dataset(root, name, csv, &files), expected);
    }
    // A link that leads out of the folder is refused like `..`.
    #[cfg(unix)]
    {
        let linked = csv_dataset(root, "linked", "file_name,label\na.png,x\nlink.png,y\n", &files);
        std::os::unix::fs::symlink(root.join("missing/a.png"), linked.join("link.png")).unwrap();
        refused(&linked, "line 3, column `file_name`: `link.png` is a link to");
    }
}

#[test]
fn the_size_likelihood_network_and_latent_flags_shape_the_model_and_other_datasets_refuse_them() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("split");
    write_class_folders(&data.join("train"), &["a", "b"], 6);
    write_class_folders(&data.join("validation"), &["a", "b"], 2);
    write_class_folders(&data.join("test"), &["a", "b"], 2);
    write_class_folders(&data.join("train/.ipynb_checkpoints"), &["c"], 1);
    write_class_folders(&data.join("extra"), &["a"], 1);
    let run = dir.path().join("run");
    let cache = dir.path().join("cache");
    let out = ok(&["train", "--dataset", "folder", "--data", s(&data), "--cache", s(&cache), "--out", s(&run), "--epochs", "1", "--batch", "4", "--validation", "1", "--image-size", "16", "--likelihood", "gaussian", "--eval-k", "2"]);
    for expected in ["split folders: train, validation, test", "train 12, validation 4, test 4", "grey 16x16", "Gaussian with σ = 0.2 around the intensities (the faces') (set by --likelihood", "train/.ipynb_checkpoints: hidden", "extra: not in a split folder"] {
        assert!(out.contains(expected), "`{expected}` not in:\n{out}");
    }
    fails(&["train", "--dataset", "folder", "--data", s(&data), "--cache", s(&cache), "--out", s(&dir.path().join("r2")), "--test", "3"], "has a `test` folder");
    fails(&["train", "--data", s(&data), "--out", s(&dir.path().join("r3")), "--image-size", "16"], "--image-size applies to `--dataset folder` only");
    // The networks and the latent's width, overridden and recorded: a resume must give them again.
    let conv = dir.path().join("conv");
    let out = ok(&["train", "--dataset", "folder", "--data", s(&data), "--cache", s(&cache), "--out", s(&conv), "--epochs", "1", "--batch", "4", "--validation", "1", "--network", "conv", "--latent", "8", "--eval-k", "2"]);
    assert!(out.contains("convolutional networks") && out.contains("z = 8") && out.contains("set by --network"), "{out}");
    let again = ["train", "--dataset", "folder", "--data", s(&data), "--cache", s(&cache), "--out", s(&conv), "--epochs", "2", "--batch", "4", "--validation", "1", "--resume", "--eval-k", "2"];
    fails(&again, "--resume with settings that differ");
    let resumed = ok(&[&again[..], &["--network", "conv", "--latent", "8"]].concat());
    assert!(resumed.contains("z = 8") && resumed.contains("epoch    2"), "{resumed}");
    fails(&["train", "--dataset", "folder", "--data", s(&data), "--cache", s(&cache), "--out", s(&dir.path().join("r4")), "--latent", "0"], "--latent 0: the latent's width must be from 1 to 1024");
    fails(&["train", "--data", s(&data), "--out", s(&dir.path().join("r5")), "--network", "mlp"], "--network applies to `--dataset folder` only");
    let meta = dir.path().join("meta");
    write_metadata(&meta, 12);
    fails(&["train-classifier", "--dataset", "folder", "--data", s(&meta), "--cache", s(&cache), "--out", s(&dir.path().join("judge.bpk"))], "this folder has no `label`");
}

/// A PNG whose header says `width x height`, with nothing after it: a huge image's first bytes.
fn png_header(width: u32, height: u32) -> Vec<u8> {
    let mut ihdr = b"IHDR".to_vec();
    ihdr.extend_from_slice(&width.to_be_bytes());
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[8, 0, 0, 0, 0]);
    let mut crc = flate2::Crc::new();
    crc.update(&ihdr);
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend_from_slice(&13u32.to_be_bytes());
    png.extend_from_slice(&ihdr);
    png.extend_from_slice(&crc.sum().to_be_bytes());
    // An empty IDAT and IEND: the decoder reads the header up to the first data chunk.
    png.extend_from_slice(b"\0\0\0\0IDAT\x35\xaf\x06\x1e\0\0\0\0IEND\xae\x42\x60\x82");
    png
}
