//! End-to-end tests of `jmvae convergence` on tiny models trained on a tiny generated MNIST:
//! the report's shape, ESS within [1, K], nested samples, and refusals that name the problem.

mod common;

use std::path::Path;

use serde_json::Value;

use common::{fails, ok, s, write_mnist};

/// Train a one-epoch model with `extra` flags into `dir/name`.
fn train(dir: &Path, data: &Path, name: &str, extra: &[&str]) -> String {
    let run = dir.join(name);
    let base = ["train", "--data", s(data), "--out", s(&run), "--epochs", "1", "--batch", "50", "--eval-every", "0"];
    ok(&[&base[..], extra].concat());
    run.to_str().unwrap().to_string()
}

fn report(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

#[test]
fn reports_log_px_and_ess_at_each_k_for_both_proposals() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("mnist");
    write_mnist(&data, 100);
    let run = train(dir.path(), &data, "kl", &[]);
    let out = dir.path().join("reports/r.json");
    ok(&["convergence", "--run", &run, "--data", s(&data), "--k", "1,3,8", "--limit", "12", "--out", s(&out)]);

    let json = report(&out);
    assert_eq!(json["examples"], 12);
    assert_eq!(json["ks"], serde_json::json!([1, 3, 8]));
    assert!(json["command"].as_str().unwrap().starts_with("jmvae convergence --run"));
    let curves = json["curves"].as_array().unwrap();
    let names: Vec<&str> = curves.iter().map(|c| c["proposal"].as_str().unwrap()).collect();
    assert_eq!(names, ["q(z|x)", "q(z|x,w)"]);
    for curve in curves {
        let points = curve["points"].as_array().unwrap();
        assert_eq!(points.len(), 3);
        for p in points {
            let k = p["k"].as_f64().unwrap();
            let [p10, median, p90] = ["ess_p10", "ess_median", "ess_p90"].map(|key| p[key].as_f64().unwrap());
            assert!(1.0 <= p10 && p10 <= median && median <= p90 && p90 <= k, "ESS outside [1, K]: {p}");
            assert!((p["ess_median_over_k"].as_f64().unwrap() - median / k).abs() < 1e-12);
            let log_px = p["log_px"].as_f64().unwrap();
            assert!(log_px.is_finite() && log_px < 0.0, "{p}");
            assert!(p["standard_error"].as_f64().unwrap() > 0.0, "{p}");
        }
        assert_eq!(points[0]["ess_median"], 1.0, "one sample is one effective sample");
        assert_eq!(points[2]["below_largest_k"], 0.0);
    }
    let table = std::fs::read_to_string(out.with_extension("md")).unwrap();
    assert!(table.contains("| q(z|x,w) | 8 |") && table.contains("jmvae convergence --run"), "{table}");

    // Nested: the K = 8 estimate does not depend on which smaller K are reported beside it.
    let alone = dir.path().join("alone.json");
    ok(&["convergence", "--run", &run, "--data", s(&data), "--k", "8", "--limit", "12", "--proposal", "joint", "--out", s(&alone)]);
    let alone = report(&alone);
    assert_eq!(alone["curves"].as_array().unwrap().len(), 1);
    assert_eq!(alone["curves"][0]["points"][0]["log_px"], curves[1]["points"][2]["log_px"]);
    assert_eq!(alone["curves"][0]["points"][0]["ess_median"], curves[1]["points"][2]["ess_median"]);

    // `all` adds the equal mixture of the two after them, and leaves their curves as they were.
    let all = dir.path().join("all.json");
    ok(&["convergence", "--run", &run, "--data", s(&data), "--k", "1,3,8", "--limit", "12", "--proposal", "all", "--out", s(&all)]);
    let all = report(&all);
    let names: Vec<&str> = all["curves"].as_array().unwrap().iter().map(|c| c["proposal"].as_str().unwrap()).collect();
    assert_eq!(names, ["q(z|x)", "q(z|x,w)", "½ q(z|x) + ½ q(z|x,w)"]);
    assert_eq!(all["curves"][1], json["curves"][1]);
    let mixture = &all["curves"][2]["points"][2];
    assert!(mixture["log_px"].as_f64().unwrap() < 0.0 && mixture["ess_median"].as_f64().unwrap() >= 1.0, "{mixture}");
}

#[test]
fn bad_input_is_refused_with_a_message_that_names_it() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("mnist");
    write_mnist(&data, 50);
    let out = dir.path().join("r.json");
    let kl = train(dir.path(), &data, "kl", &[]);
    let with = |run: &str, extra: &[&str]| -> Vec<String> {
        let base = ["convergence", "--run", run, "--data", s(&data), "--out", s(&out)];
        base.iter().chain(extra).map(|a| a.to_string()).collect()
    };
    fails(&with(&kl, &["--k", ""]), "the K list is empty");
    fails(&with(&kl, &["--k", "10,5"]), "must increase, but 5 follows 10");
    fails(&with(&kl, &["--k", "5,5"]), "must increase");
    fails(&with(&kl, &["--k", "0,5"]), "K must be at least 1");
    fails(&with(&kl, &["--limit", "0"]), "--limit 0");

    let vae = train(dir.path(), &data, "vae", &["--model", "vae"]);
    fails(&with(&vae, &["--proposal", "joint", "--k", "2"]), "--proposal joint needs q(z|x,w)");
    fails(&with(&vae, &["--k", "2"]), "--proposal both needs q(z|x,w), but this model has only the `image` modality");
    let zero = train(dir.path(), &data, "zero", &["--alpha", "0"]);
    fails(&with(&zero, &["--proposal", "image", "--k", "2"]), "needs q(z|x), but this model has no unimodal encoders");
    assert!(!out.exists(), "refused runs write no report");

    // What each model does have runs.
    ok(&with(&vae, &["--proposal", "image", "--k", "1,2"]));
    ok(&with(&zero, &["--proposal", "joint", "--k", "1,2"]));
    assert_eq!(report(&out)["curves"][0]["proposal"], "q(z|x,w)");
}
