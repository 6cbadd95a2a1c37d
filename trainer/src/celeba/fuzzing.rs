//! Entry points for the fuzz targets in `fuzz/` (see `docs/FUZZING.md`), not part of the
//! trainer's API: each feeds outside bytes to one CelebA parser exactly as a load does, and
//! returns its verdict. The fixed annotations below stand in for the rest of a CelebA
//! directory, so that the cache's checks against "the images present" have something to match.

use std::path::Path;

use anyhow::Result;

use super::annotations::{AttributeTable, parse_attributes, read_partitions, rows_in_partition};
use super::cache::{cache_key, check_cache, read_cache, write_cache};
use super::{ATTRIBUTE_FILE, Decoded, IMAGE_BYTES, PARTITION_FILE, Partition, Present};

/// A small attribute file: three rows, three attributes.
pub const ATTRIBUTES: &str = "3\r\nSmiling  Male Young\r\n000001.jpg -1  1 -1\r\n000002.jpg  1  1  1\r\n000003.jpg  1 -1 -1\r\n";
/// A partition file that lists every row of [`ATTRIBUTES`].
pub const PARTITIONS: &str = "000001.jpg 0\r\n000002.jpg 2\r\n000003.jpg 0\r\n";

/// Parse `bytes` as the attribute file `list_attr_celeba.txt`.
pub fn attributes(bytes: &[u8]) -> Result<()> {
    parse_attributes(Path::new(ATTRIBUTE_FILE), bytes).map(|_| ())
}

/// Read the partition file at `path`, then pick each partition's rows of [`ATTRIBUTES`] with it.
pub fn partitions(path: &Path) -> Result<()> {
    let table = table();
    let partitions = read_partitions(path)?;
    for partition in [Partition::Train, Partition::Validation, Partition::Test] {
        rows_in_partition(&table, &partitions, partition, Path::new(ATTRIBUTE_FILE), Path::new(PARTITION_FILE))?;
    }
    Ok(())
}

/// Read the cache file at `path` and check it against the train rows of [`ATTRIBUTES`], all
/// present, as a load of the train partition would.
pub fn cache(path: &Path) -> Result<()> {
    let table = table();
    let (key, present) = train_rows(&table);
    read_cache(path).and_then(|decoded| check_cache(decoded, &key, &present)).map(|_| ())
}

/// Write at `path` the cache file that [`cache`] accepts: of the two train rows, the first
/// decoded (a face of `pixel`) and the second unreadable, or both unreadable when `pixel` is
/// `None`.
pub fn write_valid_cache(path: &Path, pixel: Option<u8>) -> Result<()> {
    let table = table();
    let (key, present) = train_rows(&table);
    let ids: Vec<String> = present.iter().map(|p| p.row.id.clone()).collect();
    let decoded = match pixel {
        Some(pixel) => Decoded { ids: ids[..1].to_vec(), unreadable: ids[1..].to_vec(), images: vec![pixel; IMAGE_BYTES] },
        None => Decoded { ids: Vec::new(), unreadable: ids, images: Vec::new() },
    };
    write_cache(path, &key, &decoded)
}

fn table() -> AttributeTable {
    parse_attributes(Path::new(ATTRIBUTE_FILE), ATTRIBUTES.as_bytes()).expect("the fixed attribute file parses")
}

/// The train rows of `table` (by [`PARTITIONS`]), each present with a 1000-byte image, and
/// their cache key.
fn train_rows(table: &AttributeTable) -> (String, Vec<Present<'_>>) {
    let train: Vec<&str> = PARTITIONS.lines().filter_map(|line| line.trim().strip_suffix(" 0")).collect();
    let present: Vec<Present> =
        table.rows.iter().filter(|row| train.contains(&row.id.as_str())).map(|row| Present { row, bytes: 1000 }).collect();
    (cache_key(ATTRIBUTES.as_bytes(), Partition::Train, &present), present)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fixed_files_and_the_valid_cache_pass() {
        let dir = tempfile::tempdir().unwrap();
        attributes(ATTRIBUTES.as_bytes()).unwrap();
        let path = dir.path().join("partitions.txt");
        std::fs::write(&path, PARTITIONS).unwrap();
        partitions(&path).unwrap();
        for pixel in [Some(7), None] {
            let path = dir.path().join("cache.bin");
            write_valid_cache(&path, pixel).unwrap();
            cache(&path).unwrap();
        }
        assert_eq!(train_rows(&table()).1.len(), 2);
    }
}
