//! The CelebA cache file: decoded 64x64 faces kept on disk so later runs skip JPEG decoding.
//!
//! Layout: the 8-byte magic, the JSON header's length (u64 little-endian), the JSON header
//! ([`CacheHeader`]), then `ids.len() * IMAGE_BYTES` bytes of channel-first faces.

use std::collections::HashSet;
use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::crop::{CROP_DENOMINATOR, CROP_NUMERATOR, IMAGE_BYTES, SIDE};
use super::{Decoded, Partition, Present, decode_all};
use crate::atomic::write_atomic_with;

/// Names everything that decides a cache file's content; change it whenever `preprocess` or
/// the cache layout changes, so that older cache files stop matching.
const CACHE_FORMAT: &str = "jmvae celeba cache v1: centred square crop 140/178 of the width, \
                            Triangle resize to 64x64, RGB u8 channel-first";
/// First bytes of every cache file.
pub(super) const CACHE_MAGIC: &[u8; 8] = b"JMVCELB1";

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

/// The cache key: a hex sha256 over everything that determines the decoded faces, so a change
/// to the preprocessing, the annotations, the partition or the image files selects a new file.
pub(super) fn cache_key(attribute_bytes: &[u8], partition: Partition, present: &[Present]) -> String {
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
pub(super) struct CacheHeader {
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
pub(super) fn load_through_cache(path: &Path, key: &str, image_dir: &Path, present: &[Present]) -> (Decoded, CacheUse) {
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
pub(super) fn read_cache(path: &Path) -> Result<(CacheHeader, Vec<u8>)> {
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
pub(super) fn check_cache((header, images): (CacheHeader, Vec<u8>), key: &str, present: &[Present]) -> Result<Decoded> {
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
pub(super) fn write_cache(path: &Path, key: &str, decoded: &Decoded) -> Result<()> {
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
