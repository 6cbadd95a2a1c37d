//! CelebA in its standard "aligned & cropped" layout, as 64x64 RGB faces with 40 attributes.
//!
//! A CelebA directory holds `list_attr_celeba.txt` (a row count, the attribute names, then one
//! row of -1/1 values per image), `list_eval_partition.txt` (each image's partition: 0 train,
//! 1 validation, 2 test) and the JPEGs in `img_align_celeba/`. Rows whose JPEG is absent are
//! skipped and counted, so a partial copy of the dataset works, and so does the full one.
//! Decoded faces can be kept in a cache file so that later runs skip JPEG decoding.

mod annotations;
mod cache;
pub mod crop;
#[doc(hidden)]
pub mod fuzzing;
#[cfg(test)]
mod tests;

use std::collections::HashSet;
use std::fmt;
use std::fs;
use std::io;
use std::path::Path;
use std::str::FromStr;

use anyhow::{Context, Result, bail};
use image::RgbImage;
use rayon::prelude::*;

use annotations::{AttributeTable, Row, parse_attributes, read_partitions, rows_in_partition};
pub use cache::CacheUse;
use cache::{cache_key, load_through_cache};
pub use crop::{IMAGE_BYTES, SIDE, preprocess};

/// The attribute file's name inside the CelebA directory.
pub const ATTRIBUTE_FILE: &str = "list_attr_celeba.txt";
/// The partition file's name inside the CelebA directory.
pub const PARTITION_FILE: &str = "list_eval_partition.txt";
/// The image directory's name inside the CelebA directory.
pub const IMAGE_DIR: &str = "img_align_celeba";


/// One of the three official CelebA partitions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Partition {
    /// Code 0: 162,770 rows in the full dataset.
    Train,
    /// Code 1: 19,867 rows in the full dataset.
    Validation,
    /// Code 2: 19,962 rows in the full dataset.
    Test,
}

impl Partition {
    /// The partition with code `code`, if it is one of 0, 1, 2.
    fn from_code(code: &str) -> Option<Self> {
        match code {
            "0" => Some(Partition::Train),
            "1" => Some(Partition::Validation),
            "2" => Some(Partition::Test),
            _ => None,
        }
    }

    /// The lower-case name used in reports and cache file names.
    pub fn name(self) -> &'static str {
        match self {
            Partition::Train => "train",
            Partition::Validation => "validation",
            Partition::Test => "test",
        }
    }
}

impl fmt::Display for Partition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Partition {
    type Err = anyhow::Error;

    fn from_str(s: &str) -> Result<Self> {
        match s {
            "train" => Ok(Partition::Train),
            "validation" | "val" | "valid" => Ok(Partition::Validation),
            "test" => Ok(Partition::Test),
            _ => bail!("unknown CelebA partition `{s}` (expected train, validation or test)"),
        }
    }
}

/// Preprocessed faces of one partition with their attributes.
#[derive(Clone, Debug, PartialEq)]
pub struct Faces {
    /// The attribute names from the attribute file's header (40 in CelebA).
    pub attribute_names: Vec<String>,
    /// The image file names (`000001.jpg`, ...), one per face, in attribute-file order.
    pub ids: Vec<String>,
    /// `len * IMAGE_BYTES` bytes: per face, channel-first RGB (C, H, W) at `SIDE` x `SIDE`.
    pub images: Vec<u8>,
    /// `len * attribute_names.len()` values, 1 where the attribute file says 1, else 0.
    pub attributes: Vec<u8>,
}

impl Faces {
    /// Number of faces.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Number of attributes per face.
    pub fn attribute_count(&self) -> usize {
        self.attribute_names.len()
    }

    /// The channel-first bytes of face `i`.
    pub fn image(&self, i: usize) -> &[u8] {
        &self.images[i * IMAGE_BYTES..(i + 1) * IMAGE_BYTES]
    }

    /// The 0/1 attributes of face `i`.
    pub fn attributes_of(&self, i: usize) -> &[u8] {
        let k = self.attribute_count();
        &self.attributes[i * k..(i + 1) * k]
    }

    /// The faces at `indices` as model inputs: intensities in [0, 1] and attributes as 0.0/1.0.
    pub fn batch(&self, indices: &[usize]) -> (Vec<f32>, Vec<f32>) {
        let images = indices.iter().flat_map(|&i| self.image(i)).map(|&p| f32::from(p) / 255.0).collect();
        let attributes = indices.iter().flat_map(|&i| self.attributes_of(i)).map(|&a| f32::from(a)).collect();
        (images, attributes)
    }

    /// The first `n` faces (all when `n` is larger).
    pub fn take(&self, n: usize) -> Faces {
        let n = n.min(self.len());
        Faces {
            attribute_names: self.attribute_names.clone(),
            ids: self.ids[..n].to_vec(),
            images: self.images[..n * IMAGE_BYTES].to_vec(),
            attributes: self.attributes[..n * self.attribute_count()].to_vec(),
        }
    }
}

/// What a load found: how many rows of the partition had a usable image.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadReport {
    /// The partition loaded.
    pub partition: Partition,
    /// Rows of the attribute file in this partition.
    pub rows: usize,
    /// Faces loaded (rows with a readable image).
    pub images: usize,
    /// Rows whose image file does not exist.
    pub absent: usize,
    /// File names of images that exist but could not be decoded (each was warned about).
    pub unreadable: Vec<String>,
    /// Whether the cache was read, written or not used.
    pub cache: CacheUse,
}

impl fmt::Display for LoadReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "CelebA {}: {} of {} rows have an image ({} absent, {} unreadable)",
            self.partition,
            thousands(self.images),
            thousands(self.rows),
            thousands(self.absent),
            thousands(self.unreadable.len())
        )?;
        match &self.cache {
            CacheUse::Disabled => Ok(()),
            CacheUse::Read(path) => write!(f, "; read from cache `{}`", path.display()),
            CacheUse::Written(path) => write!(f, "; cache written to `{}`", path.display()),
            CacheUse::WriteFailed(path) => write!(f, "; cache `{}` could not be written", path.display()),
        }
    }
}

/// `n` with commas between groups of three digits, e.g. `19,962`.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Load one partition of the CelebA directory `dir`, reading or writing the cache in
/// `cache_dir` when one is given (the tests' shorthand for [`load_partitions`]).
#[cfg(test)]
pub fn load(dir: &Path, partition: Partition, cache_dir: Option<&Path>) -> Result<(Faces, LoadReport)> {
    Ok(load_partitions(dir, &[partition], cache_dir)?.remove(0))
}

/// Load several partitions of `dir`, in the order asked, reading the attribute and partition
/// files (202,599 rows each in CelebA) once for all of them.
pub fn load_partitions(dir: &Path, wanted: &[Partition], cache_dir: Option<&Path>) -> Result<Vec<(Faces, LoadReport)>> {
    let attribute_path = dir.join(ATTRIBUTE_FILE);
    let attribute_bytes = fs::read(&attribute_path)
        .with_context(|| format!("cannot read the CelebA attribute file `{}`", attribute_path.display()))?;
    let table = parse_attributes(&attribute_path, &attribute_bytes)?;
    let partition_path = dir.join(PARTITION_FILE);
    let partitions = read_partitions(&partition_path)?;
    let rows = wanted
        .iter()
        .map(|&partition| rows_in_partition(&table, &partitions, partition, &attribute_path, &partition_path))
        .collect::<Result<Vec<_>>>()?;
    let image_dir = dir.join(IMAGE_DIR);
    if !image_dir.is_dir() {
        bail!("the CelebA image directory `{}` does not exist", image_dir.display());
    }
    let annotations = Annotations { table: &table, attribute_path: &attribute_path, attribute_bytes: &attribute_bytes };
    wanted
        .iter()
        .zip(&rows)
        .map(|(&partition, rows)| load_rows(&annotations, &image_dir, partition, rows, cache_dir))
        .collect()
}

/// The parsed attribute file, its path and its bytes (part of the cache key).
struct Annotations<'a> {
    table: &'a AttributeTable,
    attribute_path: &'a Path,
    attribute_bytes: &'a [u8],
}

/// The faces of `rows` (one partition's): find their images, then decode or read the cache.
fn load_rows(
    annotations: &Annotations,
    image_dir: &Path,
    partition: Partition,
    rows: &[&Row],
    cache_dir: Option<&Path>,
) -> Result<(Faces, LoadReport)> {
    let present = find_images(image_dir, rows)?;
    if present.is_empty() {
        bail!(
            "none of the {} {partition} rows of `{}` has an image in `{}`",
            thousands(rows.len()),
            annotations.attribute_path.display(),
            image_dir.display()
        );
    }
    let (decoded, cache) = match cache_dir {
        None => (decode_all(image_dir, &present), CacheUse::Disabled),
        Some(cache_dir) => {
            let key = cache_key(annotations.attribute_bytes, partition, &present);
            let path = cache_dir.join(format!("celeba-{partition}-{}.bin", &key[..16]));
            load_through_cache(&path, &key, image_dir, &present)
        }
    };
    let report = LoadReport {
        partition,
        rows: rows.len(),
        images: decoded.ids.len(),
        absent: rows.len() - present.len(),
        unreadable: decoded.unreadable.clone(),
        cache,
    };
    Ok((assemble(annotations.table.names.clone(), &present, decoded), report))
}

/// A row whose image file exists.
struct Present<'a> {
    /// The attribute row.
    row: &'a Row,
    /// The image file's size in bytes (part of the cache key).
    bytes: u64,
}

/// The rows whose image exists in `image_dir`, with the images' sizes.
fn find_images<'a>(image_dir: &Path, rows: &[&'a Row]) -> Result<Vec<Present<'a>>> {
    let mut present = Vec::new();
    for &row in rows {
        let path = image_dir.join(&row.id);
        match fs::metadata(&path) {
            Ok(meta) => present.push(Present { row, bytes: meta.len() }),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(e).with_context(|| format!("cannot inspect `{}`", path.display())),
        }
    }
    Ok(present)
}

/// Faces decoded from the present images, or read back from a cache file.
struct Decoded {
    /// File names of the images that decoded, in the order of the present rows.
    ids: Vec<String>,
    /// File names of the images that did not decode.
    unreadable: Vec<String>,
    /// `ids.len() * IMAGE_BYTES` preprocessed bytes.
    images: Vec<u8>,
}

/// Decode and preprocess every present image in parallel, in a deterministic order; an image
/// that does not decode is skipped with a warning naming the file and the decoder's reason.
fn decode_all(image_dir: &Path, present: &[Present]) -> Decoded {
    // Each worker writes straight into its own slot of the output and holds one full-size
    // image at a time, so memory stays at the output's size even for the full dataset.
    let mut images = vec![0u8; present.len() * IMAGE_BYTES];
    let errors: Vec<Option<String>> = images
        .par_chunks_mut(IMAGE_BYTES)
        .zip(present.par_iter())
        .map(|(slot, p)| match decode(&image_dir.join(&p.row.id)) {
            Ok(img) => {
                slot.copy_from_slice(&preprocess(&img));
                None
            }
            Err(reason) => Some(reason),
        })
        .collect();

    let (mut ids, mut unreadable) = (Vec::new(), Vec::new());
    for (p, error) in present.iter().zip(&errors) {
        match error {
            None => {
                // Close the gaps left by unreadable images, keeping the order.
                let from = (ids.len() + unreadable.len()) * IMAGE_BYTES;
                images.copy_within(from..from + IMAGE_BYTES, ids.len() * IMAGE_BYTES);
                ids.push(p.row.id.clone());
            }
            Some(reason) => {
                eprintln!("warning: skipping unreadable image `{}`: {reason}", image_dir.join(&p.row.id).display());
                unreadable.push(p.row.id.clone());
            }
        }
    }
    images.truncate(ids.len() * IMAGE_BYTES);
    Decoded { ids, unreadable, images }
}

/// Decode the image at `path` as RGB (greyscale images get three equal channels).
fn decode(path: &Path) -> std::result::Result<RgbImage, String> {
    let reader = image::ImageReader::open(path).and_then(|r| r.with_guessed_format()).map_err(|e| e.to_string())?;
    Ok(reader.decode().map_err(|e| e.to_string())?.into_rgb8())
}

/// The faces and attributes of the rows whose image decoded.
fn assemble(attribute_names: Vec<String>, present: &[Present], decoded: Decoded) -> Faces {
    let unreadable: HashSet<&str> = decoded.unreadable.iter().map(String::as_str).collect();
    let attributes = present
        .iter()
        .filter(|p| !unreadable.contains(p.row.id.as_str()))
        .flat_map(|p| p.row.values.iter().copied())
        .collect();
    Faces { attribute_names, ids: decoded.ids, images: decoded.images, attributes }
}
