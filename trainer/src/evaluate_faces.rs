//! The faces evaluation: attributes predicted from test images (q(z|x) -> p(w|z)) beside the
//! majority-class baseline, and the coherence of faces generated from attribute vectors
//! (q(z|w) -> p(x|z)) as judged by the independent attribute classifier.

use burn::tensor::{Device, Tensor, TensorData};
use jmvae::infer::decode_all;
use jmvae::{Jmvae, SeededRng};
use serde::Serialize;

use crate::attribute_classifier::AttributeClassifier;
use crate::batch::chunks;
use crate::celeba::Faces;
use crate::dataset::Examples;

/// Everything `jmvae eval` reports for a faces model, per attribute and averaged.
#[derive(Clone, Debug, Default, Serialize)]
pub struct FaceMetrics {
    /// Test faces used.
    pub examples: usize,
    /// The attribute names, in the order of every list below.
    pub attributes: Vec<String>,
    /// Accuracy of p(w|z) > 1/2, z the mean of q(z|x).
    pub attribute_accuracy: Vec<f64>,
    /// Its mean over the attributes.
    pub mean_attribute_accuracy: f64,
    /// Fraction of training faces that have each attribute (the page draws "random" from it).
    pub train_frequencies: Vec<f64>,
    /// Accuracy of always answering the attribute's more frequent training value.
    pub majority_baseline: Vec<f64>,
    /// Its mean over the attributes.
    pub mean_majority_baseline: f64,
    /// Fraction of faces generated from each test attribute vector where the classifier
    /// reads back the requested value.
    pub coherence: Option<Vec<f64>>,
    /// Its mean over the attributes.
    pub mean_coherence: Option<f64>,
    /// The classifier's own accuracy on the real test faces (the ceiling for coherence).
    pub classifier_accuracy: Option<Vec<f64>>,
    /// Its mean over the attributes.
    pub mean_classifier_accuracy: Option<f64>,
}

/// The mean of `values` (0 for none).
pub fn mean(values: &[f64]) -> f64 {
    values.iter().sum::<f64>() / values.len().max(1) as f64
}

/// Per attribute, the fraction of `faces` whose annotation `predict` gets right: it is given
/// the images and attributes of a chunk (`[rows, size]` each) and answers present/absent for
/// every attribute of every row, row-major.
fn agreement(faces: &Faces, device: &Device, mut predict: impl FnMut(Tensor<2>, Tensor<2>) -> Vec<bool>) -> Vec<f64> {
    let n = faces.attribute_count();
    let mut correct = vec![0usize; n];
    for indices in chunks(faces.len(), 500) {
        let [images, attributes]: [Tensor<2>; 2] = faces.inputs(&indices, device).try_into().expect("image and attributes");
        let truth = attributes.clone().into_data();
        let predicted = predict(images, attributes);
        for (j, (p, t)) in predicted.iter().zip(truth.iter::<f32>()).enumerate() {
            correct[j % n] += usize::from(*p == (t > 0.5));
        }
    }
    correct.iter().map(|&c| c as f64 / faces.len().max(1) as f64).collect()
}

/// Per attribute: accuracy of p(w|z) > 1/2 with z the mean of q(z|x), on `faces`.
pub fn attribute_accuracy(model: &Jmvae, faces: &Faces, device: &Device) -> Vec<f64> {
    agreement(faces, device, |images, _| {
        let z = model.posterior(&vec![Some(images), None]).mean;
        // p > 1/2 exactly when the logit is positive.
        model.decode_logits(1, z).into_data().iter::<f32>().map(|l| l > 0.0).collect()
    })
}

/// Per attribute, the fraction of `faces` where `classifier` agrees with the annotation.
pub fn classifier_accuracy(classifier: &AttributeClassifier, faces: &Faces, device: &Device) -> Vec<f64> {
    agreement(faces, device, |images, _| classifier.predict(images))
}

/// Per attribute, the fraction of `faces` that have it.
fn frequencies(faces: &Faces) -> Vec<f64> {
    let mut present = vec![0usize; faces.attribute_count()];
    for i in 0..faces.len() {
        present.iter_mut().zip(faces.attributes_of(i)).for_each(|(p, &a)| *p += usize::from(a));
    }
    present.iter().map(|&p| p as f64 / faces.len().max(1) as f64).collect()
}

/// Per attribute: accuracy on `test` of always answering `train`'s more frequent value.
pub fn majority_baseline(train: &Faces, test: &Faces) -> Vec<f64> {
    let train_share = frequencies(train);
    let test_share = frequencies(test);
    train_share.iter().zip(test_share).map(|(&tr, te)| if tr >= 0.5 { te } else { 1.0 - te }).collect()
}

/// Per attribute: for each test attribute vector w, one face z ~ q(z|w) -> mean of p(x|z);
/// the fraction of faces where `classifier` reads back the value w asked for.
pub fn coherence(model: &Jmvae, classifier: &AttributeClassifier, faces: &Faces, seed: u64, device: &Device) -> Vec<f64> {
    let mut rng = SeededRng::new(seed);
    agreement(faces, device, |_, w| {
        let q = model.posterior(&vec![None, Some(w)]);
        let [rows, latent] = q.mean.dims();
        let eps = Tensor::from_data(TensorData::new(rng.normals(rows * latent), [rows, latent]), device);
        classifier.predict(decode_all(model, q.sample(eps)).swap_remove(0))
    })
}

/// Every faces metric; coherence and the classifier's ceiling when a classifier is given.
pub fn evaluate(
    model: &Jmvae,
    train: &Faces,
    test: &Faces,
    classifier: Option<&AttributeClassifier>,
    seed: u64,
    device: &Device,
) -> FaceMetrics {
    let attribute_accuracy = attribute_accuracy(model, test, device);
    let majority_baseline = majority_baseline(train, test);
    let mut metrics = FaceMetrics {
        train_frequencies: frequencies(train),
        examples: test.len(),
        attributes: test.attribute_names.clone(),
        mean_attribute_accuracy: mean(&attribute_accuracy),
        attribute_accuracy,
        mean_majority_baseline: mean(&majority_baseline),
        majority_baseline,
        ..Default::default()
    };
    if let Some(classifier) = classifier {
        let coherence = coherence(model, classifier, test, seed, device);
        let ceiling = classifier_accuracy(classifier, test, device);
        metrics.mean_coherence = Some(mean(&coherence));
        metrics.coherence = Some(coherence);
        metrics.mean_classifier_accuracy = Some(mean(&ceiling));
        metrics.classifier_accuracy = Some(ceiling);
    }
    metrics
}

impl FaceMetrics {
    /// The metrics as a Markdown table, one row per attribute and the mean last.
    pub fn markdown(&self) -> String {
        let percent = |v: Option<f64>| v.map_or("–".to_string(), |v| format!("{:.1}", v * 100.0));
        let mut out = format!(
            "| attribute ({} test faces) | from image, % | majority baseline, % | coherence, % | classifier on real faces, % |\n|---|---:|---:|---:|---:|\n",
            self.examples
        );
        for (j, name) in self.attributes.iter().enumerate() {
            let pick = |v: &Option<Vec<f64>>| v.as_ref().map(|v| v[j]);
            out.push_str(&format!(
                "| {name} | {} | {} | {} | {} |\n",
                percent(Some(self.attribute_accuracy[j])),
                percent(Some(self.majority_baseline[j])),
                percent(pick(&self.coherence)),
                percent(pick(&self.classifier_accuracy)),
            ));
        }
        out.push_str(&format!(
            "| **mean** | **{}** | **{}** | **{}** | **{}** |\n",
            percent(Some(self.mean_attribute_accuracy)),
            percent(Some(self.mean_majority_baseline)),
            percent(self.mean_coherence),
            percent(self.mean_classifier_accuracy),
        ));
        out
    }
}
