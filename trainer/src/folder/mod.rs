//! A folder of the user's own images in one of the two layouts image data already comes in:
//! class sub-folders (`DIR/[split/]CLASS/*.png|jpg`, torchvision's `ImageFolder`) or a
//! `metadata.csv` (`DIR/[split/]metadata.csv`, Hugging Face's `imagefolder`). The loader knows
//! nothing of the model: it gives named modalities of values, split, and a summary of what it
//! found and skipped.

mod cache;
pub mod columns;
pub mod csv;
pub mod decode;
pub mod holdout;
pub mod layout;
mod summary;

use std::path::{Path, PathBuf};

use anyhow::{Result, bail};
use rayon::prelude::*;

use cache::Decoded;
use columns::Annotation;
use decode::Unusable;
use holdout::HoldOut;
use layout::Listing;

use crate::modalities::ATTRIBUTES;

/// The largest side an image is resized to by default.
pub const DEFAULT_MAX_SIDE: u32 = 64;

/// What a modality of a folder dataset holds.
#[derive(Clone, Debug, PartialEq)]
pub enum Kind {
    /// Square images, channel-first values in [0, 1]: 1 channel where every image is grey.
    Image {
        /// 1 (grey) or 3 (RGB).
        channels: usize,
        /// Height and width.
        side: usize,
    },
    /// One of the classes, one-hot.
    Categorical(Vec<String>),
    /// One 0/1 value per named attribute.
    Attributes(Vec<String>),
}

/// A named modality and what it holds.
#[derive(Clone, Debug, PartialEq)]
pub struct Modality {
    /// The name models and flags use.
    pub name: String,
    /// What it holds.
    pub kind: Kind,
}

impl Modality {
    /// Values per example.
    pub fn size(&self) -> usize {
        match &self.kind {
            Kind::Image { channels, side } => channels * side * side,
            Kind::Categorical(names) | Kind::Attributes(names) => names.len(),
        }
    }
}

/// Examples of one split: per modality, `len * size` values, example after example.
#[derive(Clone, Debug, Default)]
pub struct Set {
    /// Number of examples.
    pub len: usize,
    /// One flat column per modality, in [`FolderData::modalities`] order.
    pub columns: Vec<Vec<f32>>,
}

impl Set {
    /// The first `n` examples (all when there are fewer).
    pub fn take(&self, n: usize) -> Set {
        let len = n.min(self.len);
        let columns = self.columns.iter().map(|c| c[..c.len() / self.len.max(1) * len].to_vec()).collect();
        Set { len, columns }
    }
}

/// A loaded folder dataset.
pub struct FolderData {
    /// The modalities, images first.
    pub modalities: Vec<Modality>,
    /// The training examples.
    pub train: Set,
    /// The validation examples, when asked for.
    pub validation: Option<Set>,
    /// The test examples.
    pub test: Set,
    /// What was found, used, held out and skipped, for the user to read before training.
    pub summary: String,
}

/// How to load: the side to resize to (None: the most common, capped at 64), what to hold
/// out, and where decoded images are cached.
#[derive(Clone, Debug)]
pub struct Request {
    /// `--image-size`.
    pub image_size: Option<u32>,
    /// The splits to hold out where there are no split folders.
    pub hold: HoldOut,
    /// The cache directory (`--cache`), if any.
    pub cache: Option<PathBuf>,
}

/// Load the dataset in `dir`.
pub fn load(dir: &Path, request: &Request) -> Result<FolderData> {
    let listing = layout::list(dir)?;
    let annotations = columns::classify_all(&listing)?;
    let sizes = headers(dir, &listing)?;
    let common = most_common(&sizes);
    let side = request.image_size.unwrap_or_else(|| common.0.min(common.1).min(DEFAULT_MAX_SIDE));
    if side == 0 {
        bail!("--image-size 0: images need at least one pixel");
    }
    let (decoded, cache) = decode_through_cache(dir, &listing, &sizes, side, request.cache.as_deref());
    let mut skipped = listing.skipped.clone();
    skipped.extend(decoded.iter().filter_map(|d| d.as_ref().err().cloned()));
    let kept: Vec<usize> = (0..decoded.len()).filter(|&i| decoded[i].is_ok()).collect();
    if kept.is_empty() {
        let (path, why) = skipped.last().cloned().unwrap_or_default();
        bail!("none of the {} images in `{}` could be read (e.g. `{path}` {why}); check that they are PNG or JPEG files", listing.rows.len(), dir.display());
    }
    let modalities = modalities(&listing, &annotations, &decoded, side as usize);
    let parts: Vec<layout::Part> = kept.iter().map(|&i| listing.rows[i].part).collect();
    let assignment = holdout::assign(&parts, request.hold)?;
    let set = |indices: &[usize]| build_set(indices.iter().map(|&k| kept[k]), &listing, &annotations, &decoded, &modalities);
    let data = FolderData {
        train: set(&assignment.train),
        validation: assignment.validation.as_deref().map(set),
        test: set(&assignment.test),
        summary: String::new(),
        modalities,
    };
    let mut notes = assignment.notes;
    notes.extend(cache.map(|(path, key)| write_cache(&path, &key, &decoded)));
    let summary = summary::write(dir, &listing, &data, common, &skipped, &notes);
    Ok(FolderData { summary, ..data })
}

/// Every row decoded at `side`, read from the cache in `cache_dir` where it holds them; else
/// decoded, with the cache file and key to write once the dataset is accepted.
fn decode_through_cache(dir: &Path, listing: &Listing, sizes: &[Sizes], side: u32, cache_dir: Option<&Path>) -> (Vec<Decoded>, Option<(PathBuf, String)>) {
    let Some(cache_dir) = cache_dir else { return (decode_rows(dir, listing, sizes, side), None) };
    let (path, key) = cache::path_and_key(cache_dir, listing, side);
    match cache::read(&path, &key, listing.images.len(), side) {
        Ok(Some(rows)) if rows.len() == listing.rows.len() => {
            eprintln!("decoded images read from the cache `{}`", path.display());
            (rows, None)
        }
        Ok(_) => (decode_rows(dir, listing, sizes, side), Some((path, key))),
        Err(e) => {
            eprintln!("warning: ignoring the cache `{}` and rebuilding it: {e:#}", path.display());
            (decode_rows(dir, listing, sizes, side), Some((path, key)))
        }
    }
}

/// Write the decoded rows to the cache; a cache that cannot be written costs the next run
/// time, not this run its result. Says which, for the summary.
fn write_cache(path: &Path, key: &str, rows: &[Decoded]) -> String {
    match cache::write(path, key, rows) {
        Ok(()) => format!("decoded images cached in `{}` (--cache DIR to move it)", path.display()),
        Err(e) => format!("warning: the cache `{}` could not be written ({e:#}); the next run decodes again", path.display()),
    }
}

/// A row's image sizes `(width, height)`, or none where a header could not be read.
type Sizes = Option<Vec<(u32, u32)>>;

/// Each row's image sizes from their headers; a row whose header cannot be read is `None`
/// (skipped later); an image too large to decode refuses the whole dataset, naming it.
fn headers(dir: &Path, listing: &Listing) -> Result<Vec<Sizes>> {
    let read: Vec<Result<Sizes>> = listing
        .rows
        .par_iter()
        .map(|row| {
            let sizes: Result<Vec<_>, _> = row.images.iter().map(|p| decode::header(p).map_err(|u| (p, u))).collect();
            match sizes {
                Ok(sizes) => Ok(Some(sizes)),
                Err((path, Unusable::Refuse(why))) => bail!("`{}` {why}", path.strip_prefix(dir).unwrap_or(path).display()),
                Err((_, Unusable::Skip(_))) => Ok(None),
            }
        })
        .collect();
    read.into_iter().collect()
}

/// The most common image size `(width, height)` among the readable headers.
fn most_common(sizes: &[Sizes]) -> (u32, u32) {
    let mut counts = std::collections::BTreeMap::new();
    for size in sizes.iter().flatten().flatten() {
        *counts.entry(*size).or_insert(0usize) += 1;
    }
    // Ties go to the larger size, deterministically.
    counts.into_iter().max_by_key(|&(size, n)| (n, size)).map_or((1, 1), |(size, _)| size)
}

/// Every row's images decoded at `side`, or for a row with an unusable image, that file and why.
fn decode_rows(dir: &Path, listing: &Listing, sizes: &[Sizes], side: u32) -> Vec<Decoded> {
    listing
        .rows
        .par_iter()
        .zip(sizes)
        .map(|(row, size)| {
            let fail = |path: &Path, why: String| {
                let shown = path.strip_prefix(dir).unwrap_or(path).display().to_string();
                (if shown == row.origin { shown } else { format!("{shown} ({})", row.origin) }, why)
            };
            if size.is_none() {
                // Read again only to say why: the header pass keeps no messages.
                let (path, why) = row.images.iter().find_map(|p| decode::header(p).err().map(|u| (p, u))).expect("an unreadable header");
                return Err(fail(path, why.why()));
            }
            row.images.iter().map(|p| decode::decode(p, side).map_err(|u| fail(p, u.why()))).collect()
        })
        .collect()
}

/// The modalities: each image column (grey where all its images are), then each categorical
/// column, then the attribute columns together as `attributes`.
fn modalities(listing: &Listing, annotations: &[Annotation], decoded: &[Decoded], side: usize) -> Vec<Modality> {
    let mut out: Vec<Modality> = listing
        .images
        .iter()
        .enumerate()
        .map(|(m, name)| {
            let grey = decoded.iter().flatten().all(|images| images[m].grey);
            Modality { name: name.clone(), kind: Kind::Image { channels: if grey { 1 } else { 3 }, side } }
        })
        .collect();
    let mut attributes = Vec::new();
    for annotation in annotations {
        match annotation {
            Annotation::Categorical { name, classes } => out.push(Modality { name: name.clone(), kind: Kind::Categorical(classes.clone()) }),
            Annotation::Attribute { name } => attributes.push(name.clone()),
        }
    }
    if !attributes.is_empty() {
        out.push(Modality { name: ATTRIBUTES.into(), kind: Kind::Attributes(attributes) });
    }
    out
}

/// The values of the rows `rows` (all decoded), modality by modality.
fn build_set(rows: impl Iterator<Item = usize>, listing: &Listing, annotations: &[Annotation], decoded: &[Decoded], modalities: &[Modality]) -> Set {
    let mut set = Set { len: 0, columns: vec![Vec::new(); modalities.len()] };
    let images = listing.images.len();
    for r in rows {
        let pixels = decoded[r].as_ref().expect("a decoded row");
        for (m, modality) in modalities.iter().enumerate().take(images) {
            let Kind::Image { channels, .. } = modality.kind else { unreachable!("images come first") };
            push_pixels(&mut set.columns[m], &pixels[m].rgb, channels);
        }
        let values = &listing.rows[r].values;
        let mut attribute_column = None;
        let mut m = images;
        for (a, annotation) in annotations.iter().enumerate() {
            match annotation {
                Annotation::Categorical { classes, .. } => {
                    let mut one_hot = vec![0.0; classes.len()];
                    one_hot[annotation.encode(&values[a])] = 1.0;
                    set.columns[m].extend(one_hot);
                    m += 1;
                }
                Annotation::Attribute { .. } => attribute_column.get_or_insert(Vec::new()).push(annotation.encode(&values[a]) as f32),
            }
        }
        if let Some(flags) = attribute_column {
            set.columns[m].extend(flags);
        }
        set.len += 1;
    }
    set
}

/// RGB bytes as channel-first intensities in [0, 1]: the red channel alone for grey images.
fn push_pixels(out: &mut Vec<f32>, rgb: &[u8], channels: usize) {
    for c in 0..channels {
        out.extend(rgb.iter().skip(c).step_by(3).map(|&v| f32::from(v) / 255.0));
    }
}
