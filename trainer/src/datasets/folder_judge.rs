//! The judges of a folder dataset's coherence: the digits' CNN (`judges/digits.rs`), shaped to
//! one image modality of the folder and its `label` classes and trained on that modality's
//! real training images; and the judges `jmvae eval` is given, checked against the model.

use std::path::Path;

use anyhow::{Context, Result, bail};
use burn::tensor::Device;
use jmvae::{ModalityConfig, ModalityKind, ModelConfig};

use super::folder::{FolderSplit, load};
use super::{JudgeRequest, NamedJudge};
use crate::examples::Examples;
use crate::judges::digits::{Classifier, ClassifierConfig, fit};
use crate::metrics::accuracy::judge_class_accuracy;
use crate::modalities::{IMAGE, LABEL, image_names, is_image};

/// The judge's shape for images of `shape` (`[H, W]` or `[C, H, W]`) and `classes` classes.
pub fn judge_config(shape: &[usize], classes: usize) -> ClassifierConfig {
    let shape = if shape.len() == 2 { vec![1, shape[0], shape[1]] } else { shape.to_vec() };
    ClassifierConfig::new().with_classes(classes).with_shape(shape)
}

/// The judge's shape for reading `label` from the image modality `image` of a model of
/// `config`, which has a `label`; `flag` is the flag that named the image, for messages.
pub fn judge_for(config: &ModelConfig, image: &str, flag: &str) -> Result<ClassifierConfig> {
    let classes = config.modality(LABEL)?.size();
    Ok(judge_config(&image_modality(config, image, flag)?.shape, classes))
}

/// The modality `name` of `config`, refused unless it is an image.
fn image_modality<'a>(config: &'a ModelConfig, name: &str, flag: &str) -> Result<&'a ModalityConfig> {
    let images = image_names(config);
    let Ok(m) = config.modality(name) else {
        bail!("{flag}: there is no modality `{name}`; a judge reads `label` from an image modality: {images}");
    };
    if !is_image(&m.kind) {
        let kind = if m.kind == ModalityKind::Categorical { "categorical" } else { "binary attributes" };
        bail!("{flag}: `{name}` is {kind}, not an image; a judge reads `label` from an image modality: {images}");
    }
    Ok(m)
}

/// The judges `jmvae eval` was given for a model of `config`, by image modality in the
/// model's order: `--classifier` (the judge of `image`) and each `--judge NAME=PATH`; refused
/// when a name is not an image modality of the model or an image is judged twice.
pub fn load_judges(config: &ModelConfig, classifier: Option<&Path>, named: &[NamedJudge], device: &Device) -> Result<Vec<(String, Classifier)>> {
    let mut asked: Vec<(&str, &Path, String)> = classifier.map(|path| (IMAGE, path, "--classifier".to_string())).into_iter().collect();
    for judge in named {
        let flag = format!("--judge {}={}", judge.modality, judge.path.display());
        if let Some((_, _, first)) = asked.iter().find(|(name, ..)| *name == judge.modality) {
            bail!("{flag}: `{}` already has a judge ({first}); give one judge per image modality", judge.modality);
        }
        asked.push((&judge.modality, &judge.path, flag));
    }
    let mut judges = Vec::new();
    for (name, path, flag) in asked {
        config.modality(LABEL).with_context(|| format!("{flag} judges coherence by `label`, and this model has no `label` modality; leave {flag} out"))?;
        judges.push((name.to_string(), Classifier::load_as(path, &judge_for(config, name, &flag)?, device)?));
    }
    judges.sort_by_key(|(name, _)| config.index_of(name).ok());
    Ok(judges)
}

/// `jmvae train-classifier --dataset folder`: the judge of `label` from the image modality
/// `--modality` (default `image`), on the real (never binarised) training images; its accuracy
/// on the test split.
pub fn train_judge(request: &JudgeRequest, device: &Device) -> Result<String> {
    let loaded = load(request.data, 0)?;
    if !loaded.config.modality(LABEL).is_ok_and(|m| m.kind == ModalityKind::Categorical) {
        bail!("the judge reads the class `label` from an image; this folder has no `label` (class folders give one, or a `label` column of metadata.csv)");
    }
    let image = request.modality.unwrap_or(IMAGE);
    let config = judge_for(&loaded.config, image, &format!("--modality {image}"))?;
    let modalities = &loaded.data.modalities;
    let train = match request.limit {
        Some(n) => loaded.data.train.take(n),
        None => loaded.data.train.clone(),
    };
    let train = FolderSplit::new(train, modalities, &loaded.config);
    let test = FolderSplit::new(loaded.data.test, modalities, &loaded.config);
    let judge = fit(&config, Examples::len(&train), request.epochs, request.seed, device, |indices, _, device| {
        let batch = Examples::inputs(&train, indices, device);
        // Both were checked above: `image` is an image modality of the folder, `label` its classes.
        (batch.get(image).expect("an image"), batch.get(LABEL).expect("a label"))
    });
    let accuracy = judge_class_accuracy(&judge, &test, image, LABEL, device)?;
    judge.save(request.out)?;
    Ok(format!(
        "classifier test accuracy: {:.2} % ({} test images, {} classes; `label` read from `{image}`) -> {}",
        accuracy * 100.0,
        Examples::len(&test),
        config.classes,
        request.out.display()
    ))
}
