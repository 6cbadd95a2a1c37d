//! MNIST in its standard layout: four IDX files (gzip or raw) in one directory.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use jmvae::SeededRng;

use crate::idx::read_idx;

/// Pixels per image.
pub const PIXELS: usize = 28 * 28;
/// Number of classes.
pub const CLASSES: usize = 10;
/// The seed that binarises the test set once, so every evaluation sees the same bits.
pub const TEST_BINARISATION_SEED: u64 = 0x6d6e_6973_74;
/// The seed that binarises the validation split once.
pub const VALIDATION_BINARISATION_SEED: u64 = 0x7661_6c69_64;

/// One split: grey-level intensities in [0, 1] and labels.
#[derive(Clone, Debug)]
pub struct Split {
    /// `len * 784` intensities, row-major.
    pub images: Vec<f32>,
    /// `len` labels in 0..10.
    pub labels: Vec<u8>,
}

impl Split {
    /// Number of examples.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// The intensities of image `i`.
    pub fn image(&self, i: usize) -> &[f32] {
        &self.images[i * PIXELS..(i + 1) * PIXELS]
    }

    /// A copy whose pixels are drawn once as Bernoulli(intensity) from `seed`.
    pub fn binarised(&self, seed: u64) -> Split {
        Split { images: SeededRng::new(seed).bernoulli(&self.images), labels: self.labels.clone() }
    }

    /// The first `len - n` examples for training and the last `n` held out for validation;
    /// refused when nothing would be left to train on.
    pub fn hold_out(self, n: usize) -> Result<(Split, Split)> {
        if n >= self.len() {
            bail!("--validation {n} would hold out all {} training examples; use fewer", self.len());
        }
        let keep = self.len() - n;
        let validation = Split { images: self.images[keep * PIXELS..].to_vec(), labels: self.labels[keep..].to_vec() };
        Ok((self.take(keep), validation))
    }

    /// The first `n` examples (all when `n` is larger).
    pub fn take(&self, n: usize) -> Split {
        let n = n.min(self.len());
        Split { images: self.images[..n * PIXELS].to_vec(), labels: self.labels[..n].to_vec() }
    }
}

/// The train and test splits.
#[derive(Clone, Debug)]
pub struct Mnist {
    /// 60,000 examples in the full dataset.
    pub train: Split,
    /// 10,000 examples in the full dataset.
    pub test: Split,
}

impl Mnist {
    /// Load both splits from `dir`.
    pub fn load(dir: &Path) -> Result<Self> {
        if !dir.is_dir() {
            bail!("MNIST directory `{}` does not exist (pass --data DIR)", dir.display());
        }
        Ok(Self { train: load_split(dir, "train")?, test: load_split(dir, "t10k")? })
    }
}

/// The path of `name` in `dir`, gzip first, then raw.
fn find(dir: &Path, name: &str) -> Result<PathBuf> {
    let gz = dir.join(format!("{name}.gz"));
    let raw = dir.join(name);
    [gz.clone(), raw].into_iter().find(|p| p.is_file()).with_context(|| {
        format!("`{}` is missing (expected the standard MNIST file names)", gz.display())
    })
}

fn load_split(dir: &Path, prefix: &str) -> Result<Split> {
    let images_path = find(dir, &format!("{prefix}-images-idx3-ubyte"))?;
    let labels_path = find(dir, &format!("{prefix}-labels-idx1-ubyte"))?;
    let images = read_idx(&images_path)?;
    let labels = read_idx(&labels_path)?;
    if images.dims.len() != 3 || images.dims[1..] != [28, 28] {
        bail!("`{}` holds images of shape {:?}, expected [n, 28, 28]", images_path.display(), images.dims);
    }
    if labels.dims.len() != 1 {
        bail!("`{}` has shape {:?}, expected [n] labels", labels_path.display(), labels.dims);
    }
    if images.dims[0] != labels.dims[0] {
        bail!(
            "`{}` has {} images but `{}` has {} labels",
            images_path.display(),
            images.dims[0],
            labels_path.display(),
            labels.dims[0]
        );
    }
    if images.dims[0] == 0 {
        bail!("`{}` holds no images", images_path.display());
    }
    if let Some(i) = labels.data.iter().position(|&l| l as usize >= CLASSES) {
        bail!("`{}`: label {} at index {i} is not a digit", labels_path.display(), labels.data[i]);
    }
    let images = images.data.iter().map(|&p| p as f32 / 255.0).collect();
    Ok(Split { images, labels: labels.data })
}

#[cfg(test)]
pub mod tests {
    use super::*;
    use crate::idx::encode_idx;

    /// Write a tiny MNIST-layout directory: `n` train and `n` test images whose bright row is
    /// the label, so a model can learn it in a few steps.
    pub fn write_fixture(dir: &Path, n: usize) {
        for prefix in ["train", "t10k"] {
            let labels: Vec<u8> = (0..n).map(|i| (i % CLASSES) as u8).collect();
            let mut images = vec![0u8; n * PIXELS];
            for (i, &l) in labels.iter().enumerate() {
                for c in 0..28 {
                    images[i * PIXELS + (l as usize * 2 + 4) * 28 + c] = 255;
                }
            }
            std::fs::write(dir.join(format!("{prefix}-images-idx3-ubyte")), encode_idx(&[n, 28, 28], &images)).unwrap();
            std::fs::write(dir.join(format!("{prefix}-labels-idx1-ubyte")), encode_idx(&[n], &labels)).unwrap();
        }
    }

    #[test]
    fn loads_a_fixture_and_binarises_deterministically() {
        let dir = tempfile::tempdir().unwrap();
        write_fixture(dir.path(), 20);
        let mnist = Mnist::load(dir.path()).unwrap();
        assert_eq!(mnist.train.len(), 20);
        assert_eq!(mnist.test.labels[..3], [0, 1, 2]);
        assert_eq!(mnist.train.image(1)[6 * 28], 1.0);
        let a = mnist.test.binarised(1);
        assert_eq!(a.images, mnist.test.binarised(1).images);
        assert!(a.images.iter().all(|&p| p == 0.0 || p == 1.0));
    }

    #[test]
    fn validation_is_held_out_of_the_end_of_training() {
        let dir = tempfile::tempdir().unwrap();
        write_fixture(dir.path(), 20);
        let (train, validation) = Mnist::load(dir.path()).unwrap().train.hold_out(5).unwrap();
        assert_eq!((train.len(), validation.len()), (15, 5));
        assert_eq!(validation.labels, [5, 6, 7, 8, 9]);
        assert_eq!(validation.image(0)[(5 * 2 + 4) * 28], 1.0);
        let err = format!("{:#}", Mnist::load(dir.path()).unwrap().train.hold_out(20).unwrap_err());
        assert!(err.contains("--validation 20") && err.contains("all 20"), "{err}");
    }

    #[test]
    fn names_the_missing_file_and_mismatched_counts() {
        let dir = tempfile::tempdir().unwrap();
        let err = format!("{:#}", Mnist::load(&dir.path().join("absent")).unwrap_err());
        assert!(err.contains("does not exist"), "{err}");
        let err = format!("{:#}", Mnist::load(dir.path()).unwrap_err());
        assert!(err.contains("train-images-idx3-ubyte.gz") && err.contains("missing"), "{err}");

        write_fixture(dir.path(), 10);
        std::fs::write(dir.path().join("t10k-labels-idx1-ubyte"), encode_idx(&[9], &[0; 9])).unwrap();
        let err = format!("{:#}", Mnist::load(dir.path()).unwrap_err());
        assert!(err.contains("10 images") && err.contains("9 labels"), "{err}");
        std::fs::write(dir.path().join("t10k-labels-idx1-ubyte"), encode_idx(&[10], &[11; 10])).unwrap();
        let err = format!("{:#}", Mnist::load(dir.path()).unwrap_err());
        assert!(err.contains("not a digit"), "{err}");
    }
}
