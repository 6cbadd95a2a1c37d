//! A model of three modalities, in another order than the data's, through the whole trainer:
//! it trains, exports, evaluates and samples by modality name; a modality the data lacks is
//! refused with its name.

use burn::tensor::{Device, Tensor, TensorData};
use jmvae::infer::{Observation, Temperature, generate, observe};
use jmvae::weights::Provenance;
use jmvae::{Manifest, ModalityConfig, ModalityKind, ModelConfig, NetworkConfig, Precision};

use crate::checkpoint::RunDir;
use crate::datasets::digits::MnistDigits;
use crate::examples::{Batch, Examples, Splits, TrainingSet};
use crate::metrics::accuracy::{attribute_accuracy, class_accuracy};
use crate::metrics::likelihoods::mean_log_marginals;
use crate::datasets::Monitor;
use crate::run_settings::{RUN_FORMAT, RunSettings};
use crate::train::train;

/// 4x4 binary images whose class (of 3) sets the lit row, with two flags: "wide" (two rows
/// lit) and "odd" (an odd index).
struct Shapes {
    len: usize,
}

impl Shapes {
    fn example(i: usize) -> (Vec<f32>, usize, [f32; 2]) {
        let class = i % 3;
        let wide = (i / 3) % 2 == 1;
        let mut image = vec![0.0; 16];
        for row in [class, class + usize::from(wide)] {
            image[row * 4..row * 4 + 4].fill(1.0);
        }
        (image, class, [f32::from(u8::from(wide)), f32::from(u8::from(i % 2 == 1))])
    }
}

impl Examples for Shapes {
    fn len(&self) -> usize {
        self.len
    }

    fn inputs(&self, indices: &[usize], device: &Device) -> Batch {
        let (mut images, mut labels, mut flags) = (Vec::new(), Vec::new(), Vec::new());
        for &i in indices {
            let (image, class, flag) = Self::example(i);
            images.extend(image);
            labels.extend((0..3).map(|c| f32::from(u8::from(c == class))));
            flags.extend(flag);
        }
        let rows = indices.len();
        let tensor = |values: Vec<f32>, width: usize| Tensor::from_data(TensorData::new(values, [rows, width]), device);
        // The data's order (image, flags, label) is not the config's (label, image, flags).
        Batch::new(vec![("image", tensor(images, 16)), ("flags", tensor(flags, 2)), ("label", tensor(labels, 3))])
    }
}

impl TrainingSet for Shapes {
    fn len(&self) -> usize {
        self.len
    }

    fn epoch(&self, _seed: u64) -> Box<dyn Examples + '_> {
        Box::new(Shapes { len: self.len })
    }
}

fn modality(name: &str, kind: ModalityKind, shape: Vec<usize>, labels: Vec<String>) -> ModalityConfig {
    let small = NetworkConfig::mlp(&[16]);
    ModalityConfig { name: name.into(), kind, shape, labels, branch: small.clone(), encoder: small.clone(), decoder: small, sigma: 0.1 }
}

fn config() -> ModelConfig {
    ModelConfig {
        modalities: vec![
            modality("label", ModalityKind::Categorical, vec![3], vec!["top".into(), "middle".into(), "low".into()]),
            modality("image", ModalityKind::BinaryImage, vec![4, 4], vec![]),
            modality("flags", ModalityKind::BinaryAttributes, vec![2], vec!["wide".into(), "odd".into()]),
        ],
        joint: NetworkConfig::mlp(&[16]),
        latent: 4,
        unimodal_encoders: true,
        conditions: Vec::new(),
    }
}

fn settings(config: ModelConfig) -> RunSettings {
    RunSettings {
        format: RUN_FORMAT,
        dataset: "shapes".into(),
        model: "jmvae".into(),
        config,
        alpha: 0.1,
        warmup: 0,
        batch: 16,
        lr: 1e-2,
        seed: 5,
        command: "test".into(),
        validation: 0,
        rescale: vec![("flags".into(), 2.0)],
        init: None,
        refit: None,
        gan: None,
        flip: false,
        folder: None,
    }
}

fn splits() -> Splits {
    Splits { train: Box::new(Shapes { len: 96 }), validation: None, test: Box::new(Shapes { len: 30 }) }
}

#[test]
fn three_modalities_train_export_evaluate_and_sample_by_name() {
    let device = Device::flex();
    let dir = tempfile::tempdir().unwrap();
    let run = RunDir::new(dir.path());
    let settings = settings(config());
    run.create(&settings).unwrap();
    // The dataset kind is consulted only by the monitor, which is off here.
    let monitor = Monitor { every: 0, k: 1, examples: 1 };
    train(&run, &settings, &MnistDigits, &splits(), 3, monitor, &device).unwrap();
    let (model, state) = run.load_model(&device).unwrap();
    assert_eq!(state.epoch, 3);

    let (manifest, bytes) = Manifest::export(&model, Precision::F32, "shapes.safetensors", Provenance::default()).unwrap();
    let loaded = manifest.load(bytes, &device).unwrap();
    let from_label = |model: &jmvae::Jmvae| {
        let given = observe(&model.config, &[("label".into(), Observation::Class(2))], &device).unwrap();
        generate(model, &given, 4, 3, Temperature::ONE).unwrap()
    };
    let (original, again) = (from_label(&model), from_label(&loaded));
    for (m, expected) in [(0, vec![4, 3]), (1, vec![4, 16]), (2, vec![4, 2])] {
        assert_eq!(again[m].dims().to_vec(), expected, "modality {m}");
        assert_eq!(again[m].clone().into_data().try_to_vec::<f32>().unwrap(), original[m].clone().into_data().try_to_vec::<f32>().unwrap());
    }

    let test = Shapes { len: 30 };
    let marginals = mean_log_marginals(&loaded, &test, &["image"], &[&["image"], &["image", "label", "flags"]], 8, 1, &device).unwrap();
    assert!(marginals.iter().all(|v| v.is_finite() && *v < 0.0), "{marginals:?}");
    assert!(marginals[1] < marginals[0], "log p(all) is below log p(image): {marginals:?}");
    let accuracy = class_accuracy(&loaded, &test, "image", "label", &device).unwrap();
    assert!((0.0..=1.0).contains(&accuracy));
    assert_eq!(attribute_accuracy(&loaded, &test, "image", "flags", &device).unwrap().len(), 2);
}

#[test]
fn a_modality_the_data_lacks_is_refused_by_name() {
    let mut config = config();
    config.modalities[2].name = "audio".into();
    let dir = tempfile::tempdir().unwrap();
    let run = RunDir::new(dir.path());
    let settings = settings(ModelConfig { ..config });
    let settings = RunSettings { rescale: vec![], ..settings };
    run.create(&settings).unwrap();
    let monitor = Monitor { every: 0, k: 1, examples: 1 };
    let err = train(&run, &settings, &MnistDigits, &splits(), 1, monitor, &Device::flex()).unwrap_err().to_string();
    assert!(err.contains("`audio` is not in the data") && err.contains("image, flags, label"), "{err}");
}
