//! The decoded images of a folder dataset kept on disk, so that later runs skip decoding.
//!
//! Layout: the 8-byte magic, the JSON header's length (u64 little-endian), the JSON header
//! ([`Header`]: each row decoded or skipped with its reason), then the bytes of every decoded
//! row's images, row after row: one per pixel for a grey image, three (RGB) otherwise. The key covers every image's path, size and time of
//! modification, and the side: a changed file or `--image-size` selects another cache file.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::decode::Pixels;
use super::layout::Listing;
use crate::atomic::write_atomic;

/// Names everything that decides a cache file's content; change it with the preprocessing.
const FORMAT: &str = "jmvae folder cache v1: centre square crop, Triangle resize, RGB u8 row-major";
/// First bytes of every cache file.
const MAGIC: &[u8; 8] = b"JMVFOLD1";

/// One row as decoded: its images, or the file that could not be used and why.
pub type Decoded = Result<Vec<Pixels>, (String, String)>;

/// A cache file's header.
#[derive(Serialize, Deserialize)]
struct Header {
    format: String,
    key: String,
    /// Per row: the grey flag of each image, or the skipped file and why.
    rows: Vec<Result<Vec<bool>, (String, String)>>,
}

/// The cache file in `dir` for `listing` decoded at `side`, and its key.
pub fn path_and_key(dir: &Path, listing: &Listing, side: u32) -> (PathBuf, String) {
    let mut hash = Sha256::new();
    // Each field is length-prefixed so that no two different inputs hash the same bytes.
    let mut field = |bytes: &[u8]| {
        hash.update((bytes.len() as u64).to_le_bytes());
        hash.update(bytes);
    };
    field(FORMAT.as_bytes());
    field(&side.to_le_bytes());
    for path in listing.rows.iter().flat_map(|r| &r.images) {
        let meta = std::fs::metadata(path).ok();
        let modified = meta.as_ref().and_then(|m| m.modified().ok()).and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok());
        field(path.to_string_lossy().as_bytes());
        field(&meta.map_or(0, |m| m.len()).to_le_bytes());
        field(&modified.map_or(0, |d| d.as_nanos()).to_le_bytes());
    }
    let key: String = hash.finalize().iter().map(|b| format!("{b:02x}")).collect();
    (dir.join(format!("folder-{}.bin", &key[..16])), key)
}

/// The rows cached at `path` under `key`, each with `images` images of `side`; none where the
/// file is absent, and an error where it exists but does not match (the caller rebuilds it).
pub fn read(path: &Path, key: &str, images: usize, side: u32) -> Result<Option<Vec<Decoded>>> {
    let Ok(bytes) = std::fs::read(path) else { return Ok(None) };
    let (magic, rest) = bytes.split_at_checked(8).context("too short for the magic number")?;
    if magic != MAGIC {
        bail!("wrong magic number");
    }
    let (len, rest) = rest.split_at_checked(8).context("too short for the header length")?;
    let len = usize::try_from(u64::from_le_bytes(len.try_into().expect("8 bytes"))).context("a header length beyond memory")?;
    let (header, mut body) = rest.split_at_checked(len).context("a header longer than the file")?;
    let header: Header = serde_json::from_slice(header).context("a header that is not valid JSON")?;
    if header.format != FORMAT || header.key != key {
        bail!("made for other images or another preprocessing");
    }
    let plane = (side * side) as usize;
    let mut rows = Vec::with_capacity(header.rows.len());
    for row in header.rows {
        let grey = match row {
            Err(skipped) => {
                rows.push(Err(skipped));
                continue;
            }
            Ok(grey) if grey.len() == images => grey,
            Ok(_) => bail!("a row that does not match its images"),
        };
        let mut decoded = Vec::with_capacity(images);
        for grey in grey {
            let (stored, rest) = body.split_at_checked(if grey { plane } else { 3 * plane }).context("fewer bytes than images")?;
            body = rest;
            let rgb = if grey { stored.iter().flat_map(|&v| [v; 3]).collect() } else { stored.to_vec() };
            decoded.push(Pixels { rgb, grey });
        }
        rows.push(Ok(decoded));
    }
    if !body.is_empty() {
        bail!("{} bytes after the last image", body.len());
    }
    Ok(Some(rows))
}

/// Write `rows` to the cache file `path` under `key`, atomically.
pub fn write(path: &Path, key: &str, rows: &[Decoded]) -> Result<()> {
    let flags = rows.iter().map(|r| r.as_ref().map(|images| images.iter().map(|p| p.grey).collect()).map_err(Clone::clone)).collect();
    let header = serde_json::to_vec(&Header { format: FORMAT.into(), key: key.into(), rows: flags })?;
    let mut bytes = MAGIC.to_vec();
    bytes.extend_from_slice(&(header.len() as u64).to_le_bytes());
    bytes.extend_from_slice(&header);
    for pixels in rows.iter().flatten().flatten() {
        if pixels.grey {
            bytes.extend(pixels.rgb.iter().step_by(3));
        } else {
            bytes.extend_from_slice(&pixels.rgb);
        }
    }
    write_atomic(path, &bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_round_trip_and_a_mismatch_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.bin");
        let pixels = |v: u8, grey| Pixels { rgb: vec![v; 12], grey };
        let rows: Vec<Decoded> = vec![Ok(vec![pixels(1, true)]), Err(("b.png".into(), "cannot be decoded".into())), Ok(vec![pixels(2, false)])];
        // A grey image is stored one byte a pixel, a colour one three.
        write(&path, "key", &rows).unwrap();
        assert_eq!(std::fs::metadata(&path).unwrap().len() as usize, 16 + serde_json::to_vec(&Header { format: FORMAT.into(), key: "key".into(), rows: vec![Ok(vec![true]), Err(("b.png".into(), "cannot be decoded".into())), Ok(vec![false])] }).unwrap().len() + 4 + 12);
        write(&path, "key", &rows).unwrap();
        let back = read(&path, "key", 1, 2).unwrap().unwrap();
        assert_eq!(back.len(), 3);
        assert_eq!(back[0].as_ref().unwrap()[0].rgb, vec![1; 12]);
        assert_eq!(back[2].as_ref().unwrap()[0].rgb, vec![2; 12]);
        assert!(!back[2].as_ref().unwrap()[0].grey);
        assert_eq!(back[1].as_ref().unwrap_err().0, "b.png");
        assert!(read(&path, "other", 1, 2).is_err(), "another key");
        assert!(read(&path, "key", 1, 3).is_err(), "another side");
        assert!(read(&dir.path().join("absent.bin"), "key", 1, 2).unwrap().is_none());
    }
}
