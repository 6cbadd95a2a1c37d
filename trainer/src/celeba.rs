//! CelebA in its standard "aligned & cropped" layout, as 64x64 RGB faces with 40 attributes.
//!
//! A CelebA directory holds `list_attr_celeba.txt` (a row count, the attribute names, then one
//! row of -1/1 values per image), `list_eval_partition.txt` (each image's partition: 0 train,
//! 1 validation, 2 test) and the JPEGs in `img_align_celeba/`. Rows whose JPEG is absent are
//! skipped and counted, so a partial copy of the dataset works, and so does the full one.
//! Decoded faces can be kept in a cache file so that later runs skip JPEG decoding.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::str::FromStr;

use anyhow::{Context, Result, bail};
use image::RgbImage;
use image::imageops::{self, FilterType};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::atomic::write_atomic_with;

/// Side in pixels of the square faces the loader produces.
pub const SIDE: usize = 64;
/// Colour channels per face (RGB).
pub const CHANNELS: usize = 3;
/// Bytes per preprocessed face: `CHANNELS * SIDE * SIDE`.
pub const IMAGE_BYTES: usize = CHANNELS * SIDE * SIDE;
/// The crop's side is `CROP_NUMERATOR / CROP_DENOMINATOR` of the image's width.
pub const CROP_NUMERATOR: u32 = 140;
/// Width of a full-size aligned CelebA image, the denominator of the crop fraction.
pub const CROP_DENOMINATOR: u32 = 178;
/// The attribute file's name inside the CelebA directory.
pub const ATTRIBUTE_FILE: &str = "list_attr_celeba.txt";
/// The partition file's name inside the CelebA directory.
pub const PARTITION_FILE: &str = "list_eval_partition.txt";
/// The image directory's name inside the CelebA directory.
pub const IMAGE_DIR: &str = "img_align_celeba";

/// Names everything that decides a cache file's content; change it whenever `preprocess` or
/// the cache layout changes, so that older cache files stop matching.
const CACHE_FORMAT: &str = "jmvae celeba cache v1: centred square crop 140/178 of the width, \
                            Triangle resize to 64x64, RGB u8 channel-first";
/// First bytes of every cache file.
const CACHE_MAGIC: &[u8; 8] = b"JMVCELB1";

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

/// What the cache did during a load.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CacheUse {
    /// No cache directory was given.
    Disabled,
    /// The faces were read from this cache file; no JPEG was decoded.
    Read(PathBuf),
    /// The JPEGs were decoded and the faces written to this cache file.
    Written(PathBuf),
    /// The JPEGs were decoded but this cache file could not be written (a warning said why).
    WriteFailed(PathBuf),
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

/// Crop and resize an aligned CelebA image to the model's `SIDE` x `SIDE` input, returning
/// `3 * SIDE * SIDE` bytes channel-first (all R rows, then G, then B).
///
/// The crop is the square of side `round(width * 140 / 178)` pixels (clamped to the image's
/// width and height), centred in the image: its left edge is `(width - side) / 2` and its top
/// edge `(height - side) / 2`, rounded down. On a full-size 178x218 image that is the 140x140
/// square at (19, 39); on a half-size 89x109 image the 70x70 square at (9, 19), the same framing
/// to within half a source pixel. The square is then resized to 64x64 with a triangle
/// (bilinear) filter whose support widens with the reduction, so it averages every source pixel
/// instead of skipping some (no aliasing) and, unlike Lanczos, adds no ringing around edges.
pub fn preprocess(img: &RgbImage) -> Vec<u8> {
    let (x, y, side) = crop_box(img.width(), img.height());
    let square = imageops::crop_imm(img, x, y, side, side);
    let small = imageops::resize(&*square, SIDE as u32, SIDE as u32, FilterType::Triangle);
    channel_first(&small)
}

/// The left edge, top edge and side of the centred square crop described at [`preprocess`].
fn crop_box(width: u32, height: u32) -> (u32, u32, u32) {
    let wanted = (width * CROP_NUMERATOR + CROP_DENOMINATOR / 2) / CROP_DENOMINATOR;
    let side = wanted.min(width).min(height).max(1);
    // Saturating: an empty image (width or height 0) gets a zero-size crop, not a panic.
    (width.saturating_sub(side) / 2, height.saturating_sub(side) / 2, side)
}

/// The pixels of `img` reordered from interleaved RGB (H, W, C) to planes (C, H, W).
fn channel_first(img: &RgbImage) -> Vec<u8> {
    let raw = img.as_raw();
    (0..CHANNELS).flat_map(|c| raw.iter().skip(c).step_by(CHANNELS).copied()).collect()
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

/// The parsed attribute file.
struct AttributeTable {
    /// The names from the header line.
    names: Vec<String>,
    /// One entry per data row, in file order.
    rows: Vec<Row>,
}

/// One data row of the attribute file.
struct Row {
    /// 1-based line number, for error messages.
    line: usize,
    /// The image's file name.
    id: String,
    /// One 0/1 value per attribute name.
    values: Vec<u8>,
}

/// Parse the attribute file: a row count, a line of names, then `name v1 v2 ...` rows of -1/1.
fn parse_attributes(path: &Path, bytes: &[u8]) -> Result<AttributeTable> {
    let text = std::str::from_utf8(bytes).with_context(|| format!("`{}` is not UTF-8 text", path.display()))?;
    let mut lines = text.lines();
    let count_line = lines.next().unwrap_or("").trim();
    let Ok(count) = count_line.parse::<usize>() else {
        bail!("`{}` line 1: the row count `{count_line}` is not a number", path.display());
    };
    let names: Vec<String> = lines.next().unwrap_or("").split_whitespace().map(String::from).collect();
    if names.is_empty() {
        bail!("`{}` line 2: no attribute names", path.display());
    }
    let rows = lines
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(i, line)| parse_row(path, i + 3, line, &names))
        .collect::<Result<Vec<Row>>>()?;
    if rows.len() != count {
        bail!("`{}` line 1 announces {count} rows but the file has {} (truncated?)", path.display(), rows.len());
    }
    Ok(AttributeTable { names, rows })
}

/// Parse one data row of the attribute file, mapping -1 to 0 and 1 to 1.
fn parse_row(path: &Path, line: usize, text: &str, names: &[String]) -> Result<Row> {
    let mut fields = text.split_whitespace();
    let id = fields.next().unwrap_or_default().to_string();
    let fields: Vec<&str> = fields.collect();
    if fields.len() != names.len() {
        bail!(
            "`{}` line {line}: {} values after `{id}`, expected {} (one per attribute)",
            path.display(),
            fields.len(),
            names.len()
        );
    }
    let values = fields
        .iter()
        .zip(names)
        .map(|(&v, name)| match v {
            "-1" => Ok(0),
            "1" => Ok(1),
            _ => bail!("`{}` line {line}: value `{v}` of {name} for `{id}` is not -1 or 1", path.display()),
        })
        .collect::<Result<Vec<u8>>>()?;
    Ok(Row { line, id, values })
}

/// Read the partition file: lines `000001.jpg 0`, mapping each file name to its partition.
fn read_partitions(path: &Path) -> Result<HashMap<String, Partition>> {
    let text = fs::read_to_string(path)
        .with_context(|| format!("cannot read the CelebA partition file `{}`", path.display()))?;
    let mut partitions = HashMap::new();
    for (i, line) in text.lines().enumerate().filter(|(_, line)| !line.trim().is_empty()) {
        let fields: Vec<&str> = line.split_whitespace().collect();
        let [id, code] = fields[..] else {
            bail!("`{}` line {}: expected `file-name partition`, found `{}`", path.display(), i + 1, line.trim());
        };
        let Some(partition) = Partition::from_code(code) else {
            bail!("`{}` line {}: partition `{code}` of `{id}` is not 0, 1 or 2", path.display(), i + 1);
        };
        partitions.insert(id.to_string(), partition);
    }
    Ok(partitions)
}

/// The rows of the attribute file that belong to `partition`, in file order; every row must be
/// listed in the partition file, since a row missing there would silently vanish from all three.
fn rows_in_partition<'a>(
    table: &'a AttributeTable,
    partitions: &HashMap<String, Partition>,
    partition: Partition,
    attribute_path: &Path,
    partition_path: &Path,
) -> Result<Vec<&'a Row>> {
    let mut rows = Vec::new();
    for row in &table.rows {
        let Some(&p) = partitions.get(&row.id) else {
            bail!(
                "`{}` line {}: `{}` is not listed in `{}`",
                attribute_path.display(),
                row.line,
                row.id,
                partition_path.display()
            );
        };
        if p == partition {
            rows.push(row);
        }
    }
    Ok(rows)
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

/// The cache key: a hex sha256 over everything that determines the decoded faces, so a change
/// to the preprocessing, the annotations, the partition or the image files selects a new file.
fn cache_key(attribute_bytes: &[u8], partition: Partition, present: &[Present]) -> String {
    let mut hash = Sha256::new();
    // Each field is length-prefixed so that no two different inputs hash the same bytes.
    let mut field = |bytes: &[u8]| {
        hash.update((bytes.len() as u64).to_le_bytes());
        hash.update(bytes);
    };
    field(CACHE_FORMAT.as_bytes());
    field(format!("crop {CROP_NUMERATOR}/{CROP_DENOMINATOR}, side {SIDE}").as_bytes());
    field(attribute_bytes);
    field(partition.name().as_bytes());
    for p in present {
        field(p.row.id.as_bytes());
        field(&p.bytes.to_le_bytes());
    }
    hash.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// The JSON header of a cache file, which is followed by `ids.len() * IMAGE_BYTES` bytes.
#[derive(Serialize, Deserialize)]
struct CacheHeader {
    /// Must equal `CACHE_FORMAT`.
    format: String,
    /// Must equal the key computed for this load.
    key: String,
    /// File names of the cached faces, in order.
    ids: Vec<String>,
    /// File names of the images that did not decode when the cache was built.
    unreadable: Vec<String>,
}

/// Read the cache at `path` if it exists and is valid; decode the images and write it otherwise.
fn load_through_cache(path: &Path, key: &str, image_dir: &Path, present: &[Present]) -> (Decoded, CacheUse) {
    if let Some(decoded) = read_valid_cache(path, key, present) {
        return (decoded, CacheUse::Read(path.to_path_buf()));
    }
    let decoded = decode_all(image_dir, present);
    // The faces are already in memory: a cache that cannot be written costs the next run time,
    // not this run its result.
    let cache = match write_cache(path, key, &decoded) {
        Ok(()) => CacheUse::Written(path.to_path_buf()),
        Err(e) => {
            eprintln!("warning: {e:#}; continuing without a cache");
            CacheUse::WriteFailed(path.to_path_buf())
        }
    };
    (decoded, cache)
}

/// The cache at `path` when it exists and matches this load; a cache that exists but does not
/// parse or match is never trusted: it is reported and rebuilt.
fn read_valid_cache(path: &Path, key: &str, present: &[Present]) -> Option<Decoded> {
    if !path.exists() {
        return None;
    }
    match read_cache(path).and_then(|decoded| check_cache(decoded, key, present)) {
        Ok(decoded) => Some(decoded),
        Err(e) => {
            eprintln!("warning: ignoring the CelebA cache `{}` and rebuilding it: {e:#}", path.display());
            None
        }
    }
}

/// Read a cache file: magic, header length (u64 little-endian), JSON header, image bytes.
fn read_cache(path: &Path) -> Result<(CacheHeader, Vec<u8>)> {
    let mut file = File::open(path).context("cannot open it")?;
    let file_len = file.metadata().context("cannot inspect it")?.len();
    let mut magic = [0u8; 8];
    file.read_exact(&mut magic).context("too short for the magic number")?;
    if &magic != CACHE_MAGIC {
        bail!(
            "wrong magic number `{}`, expected `{}`",
            String::from_utf8_lossy(&magic),
            String::from_utf8_lossy(CACHE_MAGIC)
        );
    }
    let mut len = [0u8; 8];
    file.read_exact(&mut len).context("too short for the header length")?;
    let header_len = u64::from_le_bytes(len);
    if header_len > file_len.saturating_sub(16) {
        bail!("header length {header_len} exceeds the file's {file_len} bytes");
    }
    let mut header = vec![0u8; header_len as usize];
    file.read_exact(&mut header).context("cannot read the header")?;
    let header: CacheHeader = serde_json::from_slice(&header).context("the header is not valid JSON")?;
    // Check the length before allocating, so a damaged file cannot ask for a huge buffer.
    let expected = 16 + header_len + (header.ids.len() * IMAGE_BYTES) as u64;
    if file_len != expected {
        bail!("{file_len} bytes, expected {expected} for {} faces (truncated?)", header.ids.len());
    }
    let mut images = vec![0u8; header.ids.len() * IMAGE_BYTES];
    file.read_exact(&mut images).context("cannot read the images")?;
    Ok((header, images))
}

/// Accept a parsed cache only if it was built by this code for exactly these images.
fn check_cache((header, images): (CacheHeader, Vec<u8>), key: &str, present: &[Present]) -> Result<Decoded> {
    if header.format != CACHE_FORMAT {
        bail!("format `{}`, expected `{CACHE_FORMAT}`", header.format);
    }
    if header.key != key {
        bail!("key {} does not match this data ({key})", header.key);
    }
    let unreadable: HashSet<&str> = header.unreadable.iter().map(String::as_str).collect();
    let expected_ids: Vec<&str> =
        present.iter().map(|p| p.row.id.as_str()).filter(|id| !unreadable.contains(id)).collect();
    if header.ids.len() + header.unreadable.len() != present.len() || header.ids != expected_ids {
        bail!("it lists other images than the {} present", present.len());
    }
    Ok(Decoded { ids: header.ids, unreadable: header.unreadable, images })
}

/// Write the cache file through a temporary file and a rename, like `atomic::write_atomic`,
/// so a killed run leaves the old file or none, never a half-written one.
fn write_cache(path: &Path, key: &str, decoded: &Decoded) -> Result<()> {
    // Streamed, so the images (2.5 GB for the full training set) are not copied once more.
    let header = CacheHeader {
        format: CACHE_FORMAT.to_string(),
        key: key.to_string(),
        ids: decoded.ids.clone(),
        unreadable: decoded.unreadable.clone(),
    };
    let header = serde_json::to_vec(&header)?;
    write_atomic_with(path, |file| {
        file.write_all(CACHE_MAGIC)?;
        file.write_all(&(header.len() as u64).to_le_bytes())?;
        file.write_all(&header)?;
        file.write_all(&decoded.images)
    })
    .context("cannot write the CelebA cache")
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{GrayImage, ImageFormat, Luma, Rgb};

    const NAMES: &str = "Smiling  Male Young";

    /// The fixture's attribute rows (CRLF and double spaces as in the real file).
    fn attribute_text(rows: &[&str]) -> String {
        let mut text = format!("{}\r\n{NAMES}\r\n", rows.len());
        for row in rows {
            text.push_str(row);
            text.push_str("\r\n");
        }
        text
    }

    const ROWS: [&str; 6] = [
        "000001.jpg -1  1 -1",
        "000002.jpg  1  1  1",
        "000003.jpg  1 -1 -1",
        "000004.jpg -1 -1  1",
        "000005.jpg  1 -1  1",
        "000006.jpg -1 -1 -1",
    ];

    /// Write a tiny CelebA directory:
    /// - train: 000001 (89x109 red), 000003 (89x109 grey, a greyscale JPEG), 000005 (random
    ///   bytes: unreadable), 000006 (absent);
    /// - validation: 000004 (absent);
    /// - test: 000002 (178x218 green).
    fn write_fixture(dir: &Path) {
        fs::write(dir.join(ATTRIBUTE_FILE), attribute_text(&ROWS)).unwrap();
        let partitions = "000001.jpg 0\r\n000002.jpg 2\r\n000003.jpg 0\r\n000004.jpg 1\r\n000005.jpg 0\r\n000006.jpg 0\r\n";
        fs::write(dir.join(PARTITION_FILE), partitions).unwrap();
        let images = dir.join(IMAGE_DIR);
        fs::create_dir(&images).unwrap();
        let jpeg = ImageFormat::Jpeg;
        RgbImage::from_pixel(89, 109, Rgb([255, 0, 0])).save_with_format(images.join("000001.jpg"), jpeg).unwrap();
        RgbImage::from_pixel(178, 218, Rgb([0, 255, 0])).save_with_format(images.join("000002.jpg"), jpeg).unwrap();
        GrayImage::from_pixel(89, 109, Luma([200])).save_with_format(images.join("000003.jpg"), jpeg).unwrap();
        let noise: Vec<u8> = (0..500u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8).collect();
        fs::write(images.join("000005.jpg"), noise).unwrap();
    }

    /// Whether every byte of `plane` is within 3 of `value` (JPEG is lossy even on flat colour).
    fn plane_is(plane: &[u8], value: u8) -> bool {
        plane.iter().all(|&p| p.abs_diff(value) <= 3)
    }

    /// The error of `load` as one line with its causes.
    fn load_error(dir: &Path, partition: Partition) -> String {
        format!("{:#}", load(dir, partition, None).unwrap_err())
    }

    #[test]
    fn loads_attributes_and_skips_absent_and_unreadable_images() {
        let dir = tempfile::tempdir().unwrap();
        write_fixture(dir.path());
        let (faces, report) = load(dir.path(), Partition::Train, None).unwrap();
        assert_eq!(faces.attribute_names, ["Smiling", "Male", "Young"]);
        assert_eq!(faces.ids, ["000001.jpg", "000003.jpg"]);
        assert_eq!(faces.attributes, [0, 1, 0, 1, 0, 0]);
        assert_eq!((report.rows, report.images, report.absent), (4, 2, 1));
        assert_eq!(report.unreadable, ["000005.jpg"]);
        assert_eq!(report.cache, CacheUse::Disabled);
        assert_eq!(report.to_string(), "CelebA train: 2 of 4 rows have an image (1 absent, 1 unreadable)");

        let plane = SIDE * SIDE;
        let red = faces.image(0);
        assert!(plane_is(&red[..plane], 255) && plane_is(&red[plane..], 0));
        // The greyscale JPEG becomes three equal channels.
        assert!(plane_is(faces.image(1), 200), "{:?}", &faces.image(1)[..8]);

        let (images, attributes) = faces.batch(&[1, 0]);
        assert_eq!(images.len(), 2 * IMAGE_BYTES);
        assert!((images[0] - 200.0 / 255.0).abs() < 0.02 && (images[IMAGE_BYTES] - 1.0).abs() < 0.02);
        assert_eq!(attributes, [1.0, 0.0, 0.0, 0.0, 1.0, 0.0]);
        assert_eq!(faces.take(1).ids, ["000001.jpg"]);
        assert_eq!(faces.take(1).attributes, [0, 1, 0]);
        assert_eq!(faces.take(5), faces);

        let (faces, report) = load(dir.path(), Partition::Test, None).unwrap();
        assert_eq!(faces.len(), 1);
        assert!(plane_is(&faces.image(0)[SIDE * SIDE..2 * SIDE * SIDE], 255));
        assert_eq!(report.to_string(), "CelebA test: 1 of 1 rows have an image (0 absent, 0 unreadable)");
    }

    /// An image of `width` x `height`: green outside the nominal crop (with a margin), blue
    /// inside, and a red square centred in it with side 0.3 x width.
    fn framing_target(width: u32, height: u32) -> RgbImage {
        let (cx, cy, w) = (width as f32 / 2.0, height as f32 / 2.0, width as f32);
        RgbImage::from_fn(width, height, |x, y| {
            let (dx, dy) = ((x as f32 + 0.5 - cx).abs(), (y as f32 + 0.5 - cy).abs());
            if dx > 0.40 * w || dy > 0.40 * w {
                Rgb([0, 255, 0])
            } else if dx < 0.15 * w && dy < 0.15 * w {
                Rgb([255, 0, 0])
            } else {
                Rgb([0, 0, 255])
            }
        })
    }

    #[test]
    fn preprocess_frames_half_and_full_size_images_alike() {
        let half = preprocess(&framing_target(89, 109));
        let full = preprocess(&framing_target(178, 218));
        assert_eq!((half.len(), full.len()), (IMAGE_BYTES, IMAGE_BYTES));
        let plane = SIDE * SIDE;
        for face in [&half, &full] {
            // Nothing outside the crop reaches the output; the red square sits in the middle.
            assert!(face[plane..2 * plane].iter().all(|&g| g < 8), "green leaked in");
            let at = |c: usize, y: usize, x: usize| face[c * plane + y * SIDE + x];
            assert_eq!((at(0, 32, 32), at(2, 32, 32)), (255, 0));
            assert_eq!((at(0, 2, 2), at(2, 2, 2)), (0, 255));
            // 0.3 / (140 / 178) of 64 pixels: the square spans about 24 pixels across.
            let red_columns = (0..SIDE).filter(|&x| at(0, 32, x) > 127).count();
            assert!((23..=26).contains(&red_columns), "{red_columns}");
        }
        let mean_difference =
            half.iter().zip(&full).map(|(&a, &b)| f32::from(a.abs_diff(b))).sum::<f32>() / IMAGE_BYTES as f32;
        assert!(mean_difference < 4.0, "mean difference {mean_difference}");
    }

    #[test]
    fn preprocess_clamps_the_crop_to_wide_and_tiny_images() {
        assert_eq!(crop_box(178, 218), (19, 39, 140));
        assert_eq!(crop_box(89, 109), (9, 19, 70));
        assert_eq!(crop_box(200, 60), (70, 0, 60));
        assert_eq!(preprocess(&RgbImage::new(200, 60)).len(), IMAGE_BYTES);
        assert_eq!(preprocess(&RgbImage::new(0, 0)), vec![0; IMAGE_BYTES]);
        assert_eq!(preprocess(&RgbImage::from_pixel(1, 1, Rgb([9, 8, 7])))[..1], [9]);
    }

    #[test]
    fn names_missing_files_and_directories() {
        let dir = tempfile::tempdir().unwrap();
        let err = load_error(dir.path(), Partition::Train);
        assert!(err.contains("list_attr_celeba.txt") && err.contains("cannot read"), "{err}");

        write_fixture(dir.path());
        let err = load_error(dir.path(), Partition::Validation);
        assert!(err.contains("none of the 1 validation rows") && err.contains("img_align_celeba"), "{err}");

        fs::remove_dir_all(dir.path().join(IMAGE_DIR)).unwrap();
        let err = load_error(dir.path(), Partition::Train);
        assert!(err.contains("img_align_celeba") && err.contains("does not exist"), "{err}");

        let partition_path = dir.path().join(PARTITION_FILE);
        fs::write(&partition_path, "000001.jpg 0\n000002.jpg 2\n").unwrap();
        let err = load_error(dir.path(), Partition::Train);
        assert!(err.contains("line 5") && err.contains("`000003.jpg` is not listed in"), "{err}");
        fs::write(&partition_path, "000001.jpg 7\n").unwrap();
        let err = load_error(dir.path(), Partition::Train);
        assert!(err.contains("list_eval_partition.txt` line 1") && err.contains("`7`"), "{err}");
        fs::remove_file(&partition_path).unwrap();
        let err = load_error(dir.path(), Partition::Train);
        assert!(err.contains("list_eval_partition.txt") && err.contains("cannot read"), "{err}");
    }

    #[test]
    fn names_the_file_and_line_of_malformed_attributes() {
        let dir = tempfile::tempdir().unwrap();
        write_fixture(dir.path());
        let attribute_path = dir.path().join(ATTRIBUTE_FILE);
        let cases = [
            (format!("five\n{NAMES}\n"), "line 1: the row count `five` is not a number"),
            (attribute_text(&["000001.jpg -1  1 -1", "000002.jpg 1 1"]), "line 4: 2 values after `000002.jpg`, expected 3"),
            (attribute_text(&["000001.jpg -1  2 -1"]), "line 3: value `2` of Male for `000001.jpg` is not -1 or 1"),
            (format!("3\n{NAMES}\n{}\n", ROWS[0]), "line 1 announces 3 rows but the file has 1"),
        ];
        for (text, expected) in cases {
            fs::write(&attribute_path, text).unwrap();
            let err = load_error(dir.path(), Partition::Train);
            assert!(err.contains(&format!("list_attr_celeba.txt` {expected}")), "{err}");
        }
    }

    #[test]
    fn a_second_load_reads_the_cache_and_a_corrupt_cache_is_rebuilt() {
        let dir = tempfile::tempdir().unwrap();
        write_fixture(dir.path());
        let cache_dir = dir.path().join("cache");
        let (fresh, report) = load(dir.path(), Partition::Train, Some(&cache_dir)).unwrap();
        let CacheUse::Written(path) = report.cache.clone() else { panic!("{report:?}") };
        assert!(path.file_name().unwrap().to_str().unwrap().starts_with("celeba-train-"));

        let (cached, again) = load(dir.path(), Partition::Train, Some(&cache_dir)).unwrap();
        assert_eq!(cached, fresh);
        assert_eq!(again.cache, CacheUse::Read(path.clone()));
        assert_eq!((again.images, again.absent, &again.unreadable), (2, 1, &report.unreadable));
        assert!(again.to_string().contains("read from cache"), "{again}");

        let good = fs::read(&path).unwrap();
        let mut wrong_magic = good.clone();
        wrong_magic[0] ^= 1;
        for damaged in [good[..good.len() - 1].to_vec(), wrong_magic, [&CACHE_MAGIC[..], &[0xff; 12]].concat()] {
            fs::write(&path, damaged).unwrap();
            let (rebuilt, report) = load(dir.path(), Partition::Train, Some(&cache_dir)).unwrap();
            assert_eq!(rebuilt, fresh);
            assert_eq!(report.cache, CacheUse::Written(path.clone()));
            assert_eq!(fs::read(&path).unwrap(), good);
        }

        // Other annotations make another key, hence another cache file.
        let mut rows = ROWS;
        rows[0] = "000001.jpg  1  1 -1";
        fs::write(dir.path().join(ATTRIBUTE_FILE), attribute_text(&rows)).unwrap();
        let (changed, report) = load(dir.path(), Partition::Train, Some(&cache_dir)).unwrap();
        assert_eq!(changed.attributes_of(0), [1, 1, 0]);
        assert!(matches!(report.cache, CacheUse::Written(other) if other != path));
    }

    #[test]
    fn formats_counts_and_parses_partition_names() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(19_962), "19,962");
        assert_eq!(thousands(1_202_599), "1,202,599");
        assert_eq!("val".parse::<Partition>().unwrap(), Partition::Validation);
        assert_eq!(Partition::from_code("2"), Some(Partition::Test));
        assert!("dev".parse::<Partition>().unwrap_err().to_string().contains("`dev`"));
    }

    /// Load the real dataset and time it: `CELEBA_DIR=... cargo test --release -p jmvae-trainer
    /// celeba_timings -- --ignored --nocapture` (the cache goes to a temporary directory).
    #[test]
    #[ignore = "needs a CelebA directory in CELEBA_DIR"]
    fn celeba_timings() {
        let Some(dir) = std::env::var_os("CELEBA_DIR") else { return };
        let cache = tempfile::tempdir().unwrap();
        for partition in [Partition::Test, Partition::Test, Partition::Validation, Partition::Train, Partition::Train] {
            let start = std::time::Instant::now();
            let (faces, report) = load(Path::new(&dir), partition, Some(cache.path())).unwrap();
            println!("{report} -- {} faces in {:.2} s", faces.len(), start.elapsed().as_secs_f64());
        }
    }
}
