//! Writing files so that a crash or a bad run never leaves a half-written or lost file.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::fault_injection;

/// The temporary sibling that `path` is written to before being renamed into place.
pub fn temporary_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".tmp-{}", std::process::id()));
    path.with_file_name(name)
}

/// Write `bytes` to `path` through a temporary file and a rename: readers see the old file or
/// the new one, never a mixture.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    write_atomic_with(path, |file| file.write_all(bytes))
}

/// [`write_atomic`] for content written piece by piece by `write`, so that large files need
/// not be assembled in memory first.
pub fn write_atomic_with(path: &Path, write: impl FnOnce(&mut fs::File) -> std::io::Result<()>) -> Result<()> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        fs::create_dir_all(parent).with_context(|| format!("cannot create `{}`", parent.display()))?;
    }
    let tmp = temporary_path(path);
    let result = (|| {
        let mut file = fs::File::create(&tmp)?;
        fault_injection::before_write()?;
        write(&mut file)?;
        file.sync_all()?;
        fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result.with_context(|| format!("cannot write `{}`", path.display()))
}

/// Save a Burn module's record (`.bpk`) to `path` through a temporary file and a rename.
pub fn save_module<M: burn::module::Module>(module: &M, path: &Path) -> Result<()> {
    let tmp = temporary_path(path);
    fault_injection::before_write().with_context(|| format!("cannot save `{}`", path.display()))?;
    module.clone().into_record().save(&tmp).with_context(|| format!("cannot save `{}`", path.display()))?;
    fs::rename(&tmp, path).with_context(|| format!("cannot write `{}`", path.display()))
}

/// Write one Burn record file with `save`, through the full-disk fault hook, naming the file
/// when it fails. Not atomic by itself: it writes into a checkpoint's temporary directory,
/// which is moved into place whole.
pub fn save_record<E>(file: &Path, save: impl FnOnce(&Path) -> std::result::Result<(), E>) -> Result<()>
where
    E: std::error::Error + Send + Sync + 'static,
{
    fault_injection::before_write()
        .map_err(anyhow::Error::from)
        .and_then(|()| Ok(save(file)?))
        .with_context(|| format!("cannot write `{}`", file.display()))
}

/// [`write_atomic`] for a value serialised as pretty JSON.
pub fn write_json<T: serde::Serialize>(path: &Path, value: &T) -> Result<()> {
    let mut text = serde_json::to_string_pretty(value)?;
    text.push('\n');
    write_atomic(path, text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_whole_files_and_leaves_no_temporary() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/x.json");
        write_atomic(&path, b"one").unwrap();
        write_atomic(&path, b"two").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"two");
        assert_eq!(fs::read_dir(path.parent().unwrap()).unwrap().count(), 1);
    }

    #[test]
    fn a_failed_write_keeps_the_old_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x");
        write_atomic(&path, b"old").unwrap();
        // A directory in the way of the rename makes the write fail after the temp file.
        let blocked = dir.path().join("blocked");
        fs::create_dir_all(blocked.join("inner")).unwrap();
        assert!(write_atomic(&blocked, b"new").is_err());
        assert_eq!(fs::read(&path).unwrap(), b"old");
        assert!(!temporary_path(&blocked).exists());
    }
}
