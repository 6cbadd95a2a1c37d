//! Accuracy: a modality predicted from another through the shared latent (the paper's label
//! accuracy from images; the faces' attributes from images), the majority baseline beside it,
//! and the judges' own accuracy.

use anyhow::Result;
use burn::tensor::{Device, Tensor};
use jmvae::Jmvae;
use jmvae::infer::decode_all;

use crate::batch::chunks;
use crate::examples::{Batch, Examples};
use crate::judges::attributes::AttributeClassifier;
use crate::judges::digits::Classifier;
use crate::modalities::{ATTRIBUTES, IMAGE, LABEL};

/// Accuracy of argmax p(w|z) for the categorical modality `target`, z the mean of q(z|source).
pub fn class_accuracy(model: &Jmvae, split: &dyn Examples, source: &str, target: &str, device: &Device) -> Result<f64> {
    let t = model.config.index_of(target)?;
    let mut correct = 0;
    for indices in chunks(split.len(), 1000) {
        let batch = split.inputs(&indices, device);
        let z = model.posterior(&batch.given(&model.config, &[source])?)?.mean;
        let predicted = model.decode_logits(t, z)?.argmax(1).into_data();
        let truth = batch.get(target)?.argmax(1).into_data();
        correct += predicted.iter::<i64>().zip(truth.iter::<i64>()).filter(|(p, t)| p == t).count();
    }
    Ok(correct as f64 / split.len() as f64)
}

/// Per attribute, the fraction of `split` whose annotation (the binary modality `attributes`)
/// `predict` gets right: it is given each chunk and answers present/absent for every attribute
/// of every row, row-major.
pub fn agreement(
    split: &dyn Examples,
    attributes: &str,
    device: &Device,
    mut predict: impl FnMut(&Batch) -> Result<Vec<bool>>,
) -> Result<Vec<f64>> {
    let mut correct: Vec<usize> = Vec::new();
    for indices in chunks(split.len(), 500) {
        let batch = split.inputs(&indices, device);
        let truth = batch.get(attributes)?;
        let n = truth.dims()[1];
        correct.resize(n, 0);
        let predicted = predict(&batch)?;
        for (j, (p, t)) in predicted.iter().zip(truth.into_data().iter::<f32>()).enumerate() {
            correct[j % n] += usize::from(*p == (t > 0.5));
        }
    }
    Ok(correct.iter().map(|&c| c as f64 / split.len().max(1) as f64).collect())
}

/// Per attribute: accuracy of p(w|z) > 1/2 for the binary modality `target`, with z the mean
/// of q(z|source).
pub fn attribute_accuracy(model: &Jmvae, split: &dyn Examples, source: &str, target: &str, device: &Device) -> Result<Vec<f64>> {
    let t = model.config.index_of(target)?;
    agreement(split, target, device, |batch| {
        let z = model.posterior(&batch.given(&model.config, &[source])?)?.mean;
        // p > 1/2 exactly when the logit is positive.
        Ok(model.decode_logits(t, z)?.into_data().iter::<f32>().map(|l| l > 0.0).collect())
    })
}

/// Per attribute, the fraction of `split` where the attribute judge, reading `images`, agrees
/// with the annotation `attributes`: the ceiling for coherence.
pub fn judge_attribute_accuracy(judge: &AttributeClassifier, split: &dyn Examples, device: &Device) -> Result<Vec<f64>> {
    agreement(split, ATTRIBUTES, device, |batch| Ok(judge.predict(batch.get(IMAGE)?)))
}

/// The fraction of `split` whose class of the categorical modality `label` the judge reads
/// from its images of the modality `image`: the judge's own accuracy, the ceiling for coherence.
pub fn judge_class_accuracy(judge: &Classifier, split: &dyn Examples, image: &str, label: &str, device: &Device) -> Result<f64> {
    let mut correct = 0;
    for indices in chunks(split.len(), 1000) {
        let batch = split.inputs(&indices, device);
        let truth = batch.get(label)?.argmax(1).into_data();
        correct += judge.predict(batch.get(image)?).into_iter().zip(truth.iter::<i64>()).filter(|&(p, t)| p as i64 == t).count();
    }
    Ok(correct as f64 / split.len().max(1) as f64)
}

/// Per value of the binary modality `name`, the fraction of `split` that has it.
pub fn frequencies(split: &dyn Examples, name: &str, device: &Device) -> Result<Vec<f64>> {
    let mut present: Vec<usize> = Vec::new();
    for indices in chunks(split.len(), 500) {
        let values: Tensor<2> = split.inputs(&indices, device).get(name)?;
        let n = values.dims()[1];
        present.resize(n, 0);
        for (j, v) in values.into_data().iter::<f32>().enumerate() {
            present[j % n] += usize::from(v > 0.5);
        }
    }
    Ok(present.iter().map(|&p| p as f64 / split.len().max(1) as f64).collect())
}

/// Per value: accuracy on a test split of always answering the training split's more frequent
/// value, from the two splits' [`frequencies`].
pub fn majority_baseline(train_share: &[f64], test_share: &[f64]) -> Vec<f64> {
    train_share.iter().zip(test_share).map(|(&tr, &te)| if tr >= 0.5 { te } else { 1.0 - te }).collect()
}

/// Accuracy of the digit judge on the model's reconstructions of `split` (decoded means of
/// q(z|x,w)): how well the judge reads the model's blurry outputs at all.
pub fn reconstruction_accuracy(model: &Jmvae, judge: &Classifier, split: &dyn Examples, device: &Device) -> Result<f64> {
    let image = model.config.index_of(IMAGE)?;
    let mut correct = 0;
    for indices in chunks(split.len(), 1000) {
        let batch = split.inputs(&indices, device);
        let all = batch.all_given(&model.config)?;
        let z = model.joint_encoder(&all).mean;
        let predicted = judge.predict(decode_all(model, z, &all)?.swap_remove(image));
        let truth = batch.get(LABEL)?.argmax(1).into_data();
        correct += predicted.iter().zip(truth.iter::<i64>()).filter(|&(&p, t)| p as i64 == t).count();
    }
    Ok(correct as f64 / split.len() as f64)
}
