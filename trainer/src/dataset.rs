//! The datasets the trainer knows, behind what the training loop needs of them.

use burn::tensor::{Device, Tensor, TensorData};

use crate::batch::inputs;
use crate::celeba::Faces;
use crate::mnist::{Split, TEST_BINARISATION_SEED, VALIDATION_BINARISATION_SEED};

/// A split the loop can batch: its size and the model inputs of any of its examples.
pub trait Examples {
    /// Number of examples.
    fn len(&self) -> usize;
    /// One `[len, size]` tensor per modality, in the dataset's modality order.
    fn inputs(&self, indices: &[usize], device: &Device) -> Vec<Tensor<2>>;
}

impl Examples for Split {
    fn len(&self) -> usize {
        Split::len(self)
    }

    fn inputs(&self, indices: &[usize], device: &Device) -> Vec<Tensor<2>> {
        inputs(self, indices, 2, device)
    }
}

impl Examples for Faces {
    fn len(&self) -> usize {
        Faces::len(self)
    }

    fn inputs(&self, indices: &[usize], device: &Device) -> Vec<Tensor<2>> {
        let (images, attributes) = self.batch(indices);
        let rows = indices.len();
        vec![
            Tensor::from_data(TensorData::new(images, [rows, crate::celeba::IMAGE_BYTES]), device),
            Tensor::from_data(TensorData::new(attributes, [rows, self.attribute_names.len()]), device),
        ]
    }
}

/// A dataset's train, validation and test splits, as the training loop sees them.
pub enum Dataset {
    /// MNIST: training images are re-binarised every epoch, validation and test images once.
    Mnist {
        /// Grey-level training images.
        train: Split,
        /// Held-out training images binarised with [`VALIDATION_BINARISATION_SEED`], if any.
        validation: Option<Split>,
        /// Test images binarised with [`TEST_BINARISATION_SEED`].
        test: Split,
    },
    /// CelebA: 64x64 colour faces and their 40 attributes.
    Faces {
        /// The training partition.
        train: Faces,
        /// The official validation partition, when the run validates.
        validation: Option<Faces>,
        /// The test partition.
        test: Faces,
    },
}

impl Dataset {
    /// MNIST, with its validation and test sets binarised once.
    pub fn mnist(train: Split, validation: Option<&Split>, test: &Split) -> Self {
        Self::Mnist {
            train,
            validation: validation.map(|v| v.binarised(VALIDATION_BINARISATION_SEED)),
            test: test.binarised(TEST_BINARISATION_SEED),
        }
    }

    /// The split the loop monitors and selects checkpoints on: validation when there is one,
    /// else the test set (the old behaviour, kept for runs without --validation); and its name.
    pub fn monitored(&self) -> (&dyn Examples, &'static str) {
        match self {
            Self::Mnist { validation: Some(v), .. } => (v, "validation"),
            Self::Faces { validation: Some(v), .. } => (v, "validation"),
            _ => (self.test(), "test"),
        }
    }

    /// The training examples of one epoch (`seed` draws MNIST's binarisation).
    pub fn epoch(&self, seed: u64) -> Box<dyn Examples + '_> {
        match self {
            Self::Mnist { train, .. } => Box::new(train.binarised(seed)),
            Self::Faces { train, .. } => Box::new(train),
        }
    }

    /// The test examples.
    pub fn test(&self) -> &dyn Examples {
        match self {
            Self::Mnist { test, .. } => test,
            Self::Faces { test, .. } => test,
        }
    }

    /// Number of training examples.
    pub fn train_len(&self) -> usize {
        match self {
            Self::Mnist { train, .. } => train.len(),
            Self::Faces { train, .. } => train.len(),
        }
    }
}

/// A borrowed split is one too, so that [`Dataset::epoch`] can hand out faces without copying them.
impl<T: Examples> Examples for &T {
    fn len(&self) -> usize {
        (**self).len()
    }

    fn inputs(&self, indices: &[usize], device: &Device) -> Vec<Tensor<2>> {
        (**self).inputs(indices, device)
    }
}
