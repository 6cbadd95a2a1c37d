//! The IDX format of MNIST (raw or gzip): a magic number, dimensions, then unsigned bytes.

use std::fs::File;
use std::io::Read;
use std::path::Path;

use anyhow::{Context, Result, bail};
use flate2::read::GzDecoder;

/// A decoded IDX file of unsigned bytes.
#[derive(Debug, Clone, PartialEq)]
pub struct Idx {
    /// Sizes of each dimension, e.g. `[60000, 28, 28]`.
    pub dims: Vec<usize>,
    /// The values, row-major.
    pub data: Vec<u8>,
}

/// Read an IDX file of unsigned bytes, gunzipping it when its name ends in `.gz`.
pub fn read_idx(path: &Path) -> Result<Idx> {
    let file = File::open(path).with_context(|| format!("cannot open `{}`", path.display()))?;
    let read = if path.extension().is_some_and(|e| e == "gz") { read_bounded(GzDecoder::new(file)) } else { read_bounded(file) };
    let bytes = read.with_context(|| format!("cannot read `{}` (corrupt gzip?)", path.display()))?;
    parse_idx(&bytes).with_context(|| format!("`{}` is not a valid IDX file", path.display()))
}

/// Largest data an IDX file may announce: MNIST's largest file holds 47 MB, so this bounds what
/// a damaged header or a gzip bomb can make the reader allocate.
const MAX_DATA_BYTES: usize = 1 << 30;

/// The bytes of an IDX stream, read no further than its header announces (and one byte more,
/// so that a longer file is still told apart): a small gzip that inflates to gigabytes is read
/// only as far as its dimensions say.
fn read_bounded(mut reader: impl Read) -> std::io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    (&mut reader).take(4).read_to_end(&mut bytes)?;
    if bytes.len() < 4 {
        return Ok(bytes);
    }
    let rank = bytes[3] as u64;
    (&mut reader).take(4 * rank).read_to_end(&mut bytes)?;
    let dims = bytes[4..].chunks_exact(4).map(|c| u32::from_be_bytes([c[0], c[1], c[2], c[3]]) as usize);
    let announced = dims.into_iter().try_fold(1usize, |acc, d| acc.checked_mul(d)).filter(|&n| n <= MAX_DATA_BYTES);
    if bytes.len() as u64 == 4 + 4 * rank {
        if let Some(n) = announced {
            (&mut reader).take(n as u64 + 1).read_to_end(&mut bytes)?;
        }
    }
    Ok(bytes)
}

/// Parse IDX bytes: check the magic number, the element type and that the counts add up.
pub fn parse_idx(bytes: &[u8]) -> Result<Idx> {
    if bytes.len() < 4 {
        bail!("only {} bytes, too short for the 4-byte magic number", bytes.len());
    }
    if bytes[0] != 0 || bytes[1] != 0 {
        bail!("bad magic number {:02x?} (expected 00 00 08 nn)", &bytes[..4]);
    }
    if bytes[2] != 0x08 {
        bail!("element type 0x{:02x} is not unsigned bytes (0x08)", bytes[2]);
    }
    let rank = bytes[3] as usize;
    if rank == 0 {
        bail!("rank 0 in the magic number");
    }
    let header = 4 + 4 * rank;
    if bytes.len() < header {
        bail!("truncated header: {} bytes for {rank} dimensions", bytes.len());
    }
    let dims: Vec<usize> = bytes[4..header]
        .chunks_exact(4)
        .map(|c| u32::from_be_bytes([c[0], c[1], c[2], c[3]]) as usize)
        .collect();
    let expected = dims.iter().try_fold(1usize, |acc, &d| acc.checked_mul(d));
    let Some(expected) = expected else { bail!("dimensions {dims:?} overflow") };
    if expected > MAX_DATA_BYTES {
        bail!("dimensions {dims:?} announce {expected} bytes of data, more than the {MAX_DATA_BYTES} any MNIST file may hold");
    }
    let body = bytes.len() - header;
    if body > expected {
        bail!("dimensions {dims:?} need {expected} bytes of data, but the file holds more");
    }
    if body < expected {
        bail!("dimensions {dims:?} need {expected} bytes of data, found {body} (truncated?)");
    }
    Ok(Idx { dims, data: bytes[header..].to_vec() })
}

/// Encode an IDX file of unsigned bytes (used to make test fixtures).
#[cfg(test)]
pub fn encode_idx(dims: &[usize], data: &[u8]) -> Vec<u8> {
    let mut out = vec![0, 0, 0x08, dims.len() as u8];
    for &d in dims {
        out.extend_from_slice(&(d as u32).to_be_bytes());
    }
    out.extend_from_slice(data);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_a_small_file() {
        let data: Vec<u8> = (0..24).collect();
        let idx = parse_idx(&encode_idx(&[2, 3, 4], &data)).unwrap();
        assert_eq!(idx.dims, vec![2, 3, 4]);
        assert_eq!(idx.data, data);
    }

    #[test]
    fn refuses_bad_magic_type_and_truncation() {
        let good = encode_idx(&[2, 2], &[1, 2, 3, 4]);
        let mut bad_magic = good.clone();
        bad_magic[0] = 1;
        assert!(parse_idx(&bad_magic).unwrap_err().to_string().contains("magic"));
        let mut bad_type = good.clone();
        bad_type[2] = 0x0d;
        assert!(parse_idx(&bad_type).unwrap_err().to_string().contains("element type"));
        let err = parse_idx(&good[..good.len() - 1]).unwrap_err().to_string();
        assert!(err.contains("need 4 bytes") && err.contains("found 3"), "{err}");
        assert!(parse_idx(&good[..6]).unwrap_err().to_string().contains("truncated header"));
        assert!(parse_idx(&[]).is_err());
    }

    #[test]
    fn reads_gzip_and_names_the_file_in_errors() {
        use flate2::{Compression, write::GzEncoder};
        use std::io::Write;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x-idx1-ubyte.gz");
        let mut gz = GzEncoder::new(Vec::new(), Compression::default());
        gz.write_all(&encode_idx(&[3], &[7, 8, 9])).unwrap();
        std::fs::write(&path, gz.finish().unwrap()).unwrap();
        assert_eq!(read_idx(&path).unwrap().data, vec![7, 8, 9]);

        let corrupt = dir.path().join("bad-idx1-ubyte.gz");
        std::fs::write(&corrupt, b"\x1f\x8b garbage").unwrap();
        let err = format!("{:#}", read_idx(&corrupt).unwrap_err());
        assert!(err.contains("bad-idx1-ubyte.gz"), "{err}");
        let missing = format!("{:#}", read_idx(&dir.path().join("nope")).unwrap_err());
        assert!(missing.contains("cannot open") && missing.contains("nope"));
    }

    #[test]
    fn a_gzip_that_inflates_past_its_header_is_read_only_as_far_as_the_header_says() {
        use flate2::Compression;
        use flate2::write::GzEncoder;
        use std::io::Write;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bomb-idx1-ubyte.gz");
        // A header for 10 values, then 64 MB of zeros: a few kB of gzip.
        let mut gz = GzEncoder::new(Vec::new(), Compression::best());
        gz.write_all(&encode_idx(&[10], &[0; 10])).unwrap();
        for _ in 0..64 {
            gz.write_all(&vec![0u8; 1 << 20]).unwrap();
        }
        std::fs::write(&path, gz.finish().unwrap()).unwrap();
        let err = format!("{:#}", read_idx(&path).unwrap_err());
        assert!(err.contains("need 10 bytes of data, but the file holds more"), "{err}");
        let huge = encode_idx(&[1 << 16, 1 << 15], &[]);
        let err = format!("{:#}", parse_idx(&huge).unwrap_err());
        assert!(err.contains("more than the 1073741824"), "{err}");
    }
}
