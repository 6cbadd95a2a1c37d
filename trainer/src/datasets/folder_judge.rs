//! The judge of a folder dataset's coherence: the digits' CNN (`judges/digits.rs`), shaped to
//! the folder's images and `label` classes, trained on the real training images.

use anyhow::{Context, Result, bail};
use burn::tensor::Device;
use jmvae::ModelConfig;

use super::JudgeRequest;
use super::folder::{FolderSplit, load};
use crate::examples::Examples;
use crate::folder::Kind;
use crate::judges::digits::{ClassifierConfig, fit};
use crate::metrics::accuracy::judge_class_accuracy;
use crate::modalities::{IMAGE, LABEL};

/// The judge's shape for images of `shape` (`[H, W]` or `[C, H, W]`) and `classes` classes.
pub fn judge_config(shape: &[usize], classes: usize) -> ClassifierConfig {
    let shape = if shape.len() == 2 { vec![1, shape[0], shape[1]] } else { shape.to_vec() };
    ClassifierConfig::new().with_classes(classes).with_shape(shape)
}

/// The judge's shape for a model of `config`, which needs an `image` and a `label`.
pub fn judge_for(config: &ModelConfig) -> Result<ClassifierConfig> {
    let label = config.modality(LABEL).context("--classifier judges label -> image coherence, and this model has no `label` modality; leave --classifier out")?;
    Ok(judge_config(&config.modality(IMAGE)?.shape, label.size()))
}

/// `jmvae train-classifier --dataset folder`: the judge of `label` from `image`, on the real
/// (never binarised) training images; its accuracy on the test split.
pub fn train_judge(request: &JudgeRequest, device: &Device) -> Result<String> {
    let loaded = load(request.data, 0)?;
    let modalities = &loaded.data.modalities;
    let kind = |name: &str| modalities.iter().find(|m| m.name == name).map(|m| m.kind.clone());
    let (Some(Kind::Image { channels, side }), Some(Kind::Categorical(classes))) = (kind(IMAGE), kind(LABEL)) else {
        bail!("the judge reads the class `label` from the `image`; this folder has no `label` (class folders give one, or a `label` column of metadata.csv)");
    };
    let config = judge_config(&[channels, side, side], classes.len());
    let train = match request.limit {
        Some(n) => loaded.data.train.take(n),
        None => loaded.data.train.clone(),
    };
    let train = FolderSplit::new(train, modalities, &loaded.config);
    let test = FolderSplit::new(loaded.data.test, modalities, &loaded.config);
    let judge = fit(&config, Examples::len(&train), request.epochs, request.seed, device, |indices, _, device| {
        let batch = Examples::inputs(&train, indices, device);
        (batch.get(IMAGE).expect("an image"), batch.get(LABEL).expect("a label"))
    });
    let accuracy = judge_class_accuracy(&judge, &test, LABEL, device)?;
    judge.save(request.out)?;
    Ok(format!("classifier test accuracy: {:.2} % ({} test images, {} classes) -> {}", accuracy * 100.0, Examples::len(&test), classes.len(), request.out.display()))
}
