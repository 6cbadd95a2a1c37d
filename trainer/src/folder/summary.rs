//! The summary printed before training: what the folder holds, how it was split, the
//! modalities found with their kinds and sizes, and what was skipped and why.

use std::fmt::Write;
use std::path::Path;

use super::layout::{Layout, Listing};
use super::{FolderData, Kind, Modality};

/// Skipped files named one by one before the rest are only counted.
const NAMED: usize = 10;

/// Class or attribute names listed before the rest are only counted.
const LISTED: usize = 20;

/// The summary of `data`, loaded from `listing` in `dir`.
pub fn write(dir: &Path, listing: &Listing, data: &FolderData, common: (u32, u32), skipped: &[(String, String)], notes: &[String]) -> String {
    let layout = match listing.layout {
        Layout::ClassFolders => "class folders",
        Layout::Metadata => "metadata.csv",
    };
    let folders = if listing.parts.is_empty() { "no split folders".to_string() } else { format!("split folders: {}", listing.parts.iter().map(|p| p.folder()).collect::<Vec<_>>().join(", ")) };
    let mut out = format!("folder dataset `{}`: {layout}, {folders}\n", dir.display());
    let validation = data.validation.as_ref().map_or("none".to_string(), |v| v.len.to_string());
    let _ = writeln!(out, "  examples: train {}, validation {validation}, test {}", data.train.len, data.test.len);
    for note in notes {
        let _ = writeln!(out, "  {note}");
    }
    let _ = writeln!(out, "  modalities:");
    for modality in &data.modalities {
        let _ = writeln!(out, "    {:<12} {}", modality.name, describe(modality, common));
    }
    if skipped.is_empty() {
        let _ = writeln!(out, "  skipped: nothing");
    } else {
        let _ = writeln!(out, "  skipped: {} files", skipped.len());
        for (path, why) in skipped.iter().take(NAMED) {
            let _ = writeln!(out, "    {path}: {why}");
        }
        if skipped.len() > NAMED {
            let _ = writeln!(out, "    ... and {} more", skipped.len() - NAMED);
        }
    }
    out
}

/// A modality's kind, size and names, in words.
fn describe(modality: &Modality, common: (u32, u32)) -> String {
    let list = |names: &[String]| {
        let shown = names.iter().take(LISTED).cloned().collect::<Vec<_>>().join(", ");
        if names.len() > LISTED { format!("{shown}, ... ({} more)", names.len() - LISTED) } else { shown }
    };
    match &modality.kind {
        Kind::Image { channels, side } => format!(
            "image, {} {side}x{side} (the most common size is {}x{}; resized, centre-cropped where the aspect differs)",
            if *channels == 1 { "grey" } else { "colour" },
            common.0,
            common.1
        ),
        Kind::Categorical(classes) => format!("categorical, {} classes: {}", classes.len(), list(classes)),
        Kind::Attributes(names) => format!("binary attributes, {}: {}", names.len(), list(names)),
    }
}
