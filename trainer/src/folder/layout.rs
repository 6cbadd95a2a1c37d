//! Finding the examples of a folder dataset: the split folders, then in each either class
//! sub-folders (torchvision's `ImageFolder`) or a `metadata.csv` (Hugging Face's
//! `imagefolder`), as rows of image paths and annotation values. Nothing is decoded here.

use std::fs;
use std::path::{Component, Path, PathBuf};

use anyhow::{Context, Result, bail};

use super::csv;
use crate::modalities::{IMAGE, LABEL};

/// The split folders a dataset may have, in the order they are read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    /// `train/`, or the whole folder when it has no split folders.
    Train,
    /// `validation/`.
    Validation,
    /// `test/`.
    Test,
}

impl Part {
    /// The folder name.
    pub fn folder(self) -> &'static str {
        match self {
            Self::Train => "train",
            Self::Validation => "validation",
            Self::Test => "test",
        }
    }
}

/// Which of the two layouts a dataset has.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    /// `CLASS/*.png`: an image and its class, named by the folder.
    ClassFolders,
    /// `metadata.csv`: `file_name` and annotation columns.
    Metadata,
}

/// One example before decoding.
#[derive(Clone, Debug)]
pub struct Row {
    /// The split folder it came from.
    pub part: Part,
    /// One file per image modality, in [`Listing::images`] order.
    pub images: Vec<PathBuf>,
    /// One value per annotation column, in [`Listing::columns`] order.
    pub values: Vec<String>,
    /// Where it came from, for messages: a file, or a CSV's line.
    pub origin: String,
}

/// Everything found in a dataset folder.
#[derive(Debug)]
pub struct Listing {
    /// The layout.
    pub layout: Layout,
    /// The split folders present (none: the whole folder is one pool to hold out from).
    pub parts: Vec<Part>,
    /// The names of the image modalities (`image`, then one per `<name>_file_name` column).
    pub images: Vec<String>,
    /// The annotation columns (class folders: `label`).
    pub columns: Vec<String>,
    /// The examples.
    pub rows: Vec<Row>,
    /// `(path, why)` of what was passed over.
    pub skipped: Vec<(String, String)>,
}

/// The file types read as images.
const EXTENSIONS: &[&str] = &["png", "jpg", "jpeg"];

/// List the dataset in `dir`.
pub fn list(dir: &Path) -> Result<Listing> {
    if !dir.is_dir() {
        bail!("the dataset folder `{}` does not exist or is not a folder (pass --data DIR)", dir.display());
    }
    let parts: Vec<Part> = [Part::Train, Part::Validation, Part::Test].into_iter().filter(|p| dir.join(p.folder()).is_dir()).collect();
    if !parts.is_empty() && !parts.contains(&Part::Train) {
        bail!("`{}` has split folders ({}) but no `train` folder; add `train/` or put everything in one folder", dir.display(), names(&parts));
    }
    let roots: Vec<(Part, PathBuf)> =
        if parts.is_empty() { vec![(Part::Train, dir.to_path_buf())] } else { parts.iter().map(|&p| (p, dir.join(p.folder()))).collect() };
    let metadata = roots.iter().any(|(_, root)| root.join("metadata.csv").is_file());
    let mut listing = if metadata { metadata_listing(dir, &roots)? } else { class_listing(dir, &roots)? };
    if !parts.is_empty() {
        let others = entries(dir)?.into_iter().filter(|e| !roots.iter().any(|(_, root)| root == e));
        listing.skipped.extend(others.map(|e| (shown(dir, &e), "not in a split folder (train, validation, test)".to_string())));
    }
    listing.parts = parts;
    if listing.rows.is_empty() {
        bail!(
            "`{}` holds no images: put them in class folders (`{}/CLASS/*.png` or `.jpg`) or list them in a `metadata.csv` with a `file_name` column{}",
            dir.display(),
            dir.display(),
            skipped_hint(&listing.skipped)
        );
    }
    Ok(listing)
}

/// The split folders' names, for messages.
fn names(parts: &[Part]) -> String {
    parts.iter().map(|p| p.folder()).collect::<Vec<_>>().join(", ")
}

/// What was passed over, when that explains an empty dataset.
fn skipped_hint(skipped: &[(String, String)]) -> String {
    match skipped.first() {
        Some((path, why)) => format!(" ({} files passed over, e.g. `{path}`: {why})", skipped.len()),
        None => String::new(),
    }
}

/// The entries of `dir`, sorted by name.
fn entries(dir: &Path) -> Result<Vec<PathBuf>> {
    let read = fs::read_dir(dir).with_context(|| format!("cannot read the folder `{}`", dir.display()))?;
    let mut paths = read.map(|e| Ok(e?.path())).collect::<Result<Vec<_>, std::io::Error>>()?;
    paths.sort();
    Ok(paths)
}

/// Whether `path` names a PNG or JPEG by its extension.
fn is_image(path: &Path) -> bool {
    path.extension().and_then(|e| e.to_str()).is_some_and(|e| EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
}

/// `path` relative to the dataset folder, for messages.
fn shown(dir: &Path, path: &Path) -> String {
    path.strip_prefix(dir).unwrap_or(path).display().to_string()
}

/// Class folders in every split root; the splits must share their classes.
fn class_listing(dir: &Path, roots: &[(Part, PathBuf)]) -> Result<Listing> {
    let mut listing = Listing { layout: Layout::ClassFolders, parts: vec![], images: vec![IMAGE.into()], columns: vec![LABEL.into()], rows: vec![], skipped: vec![] };
    let mut classes_of: Vec<(Part, Vec<String>)> = Vec::new();
    for (part, root) in roots {
        let mut classes = Vec::new();
        for entry in entries(root)? {
            let name = entry.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
            let passed_over = if name.starts_with('.') {
                Some("hidden (the name starts with a dot)")
            } else if !entry.is_dir() {
                Some("not in a class folder")
            } else {
                None
            };
            if let Some(why) = passed_over {
                listing.skipped.push((shown(dir, &entry), why.into()));
                continue;
            }
            let before = listing.rows.len();
            class_rows(dir, &entry, *part, &name, &mut listing)?;
            if listing.rows.len() > before {
                classes.push(name);
            } else {
                listing.skipped.push((shown(dir, &entry), "a class folder with no images".into()));
            }
        }
        classes_of.push((*part, classes));
    }
    check_classes(dir, &classes_of)?;
    Ok(listing)
}

/// The images of one class folder as rows; anything else in it is skipped.
fn class_rows(dir: &Path, folder: &Path, part: Part, class: &str, listing: &mut Listing) -> Result<()> {
    for file in entries(folder)? {
        let hidden = file.file_name().is_some_and(|n| n.to_string_lossy().starts_with('.'));
        if hidden {
            listing.skipped.push((shown(dir, &file), "hidden (the name starts with a dot)".into()));
        } else if !file.is_file() {
            listing.skipped.push((shown(dir, &file), "a folder inside a class folder (not read)".into()));
        } else if !is_image(&file) {
            listing.skipped.push((shown(dir, &file), "not a .png or .jpg file".into()));
        } else {
            let origin = shown(dir, &file);
            listing.rows.push(Row { part, images: vec![file], values: vec![class.to_string()], origin });
        }
    }
    Ok(())
}

/// At least two classes, and the same classes in every split folder.
fn check_classes(dir: &Path, classes_of: &[(Part, Vec<String>)]) -> Result<()> {
    let (first_part, first) = &classes_of[0];
    if first.len() == 1 {
        bail!(
            "`{}` has one class folder (`{}`): a label needs at least two classes; add a folder of images per class",
            if classes_of.len() > 1 { dir.join(first_part.folder()) } else { dir.to_path_buf() }.display(),
            first[0]
        );
    }
    for (part, classes) in &classes_of[1..] {
        if classes != first {
            let only = |a: &[String], b: &[String]| a.iter().filter(|c| !b.contains(c)).cloned().collect::<Vec<_>>().join(", ");
            bail!(
                "the split folders do not share their classes: only in `{}`: [{}]; only in `{}`: [{}]. Every split needs the same class folders",
                first_part.folder(),
                only(first, classes),
                part.folder(),
                only(classes, first)
            );
        }
    }
    Ok(())
}

/// A `metadata.csv` in every split root, all with the same columns.
fn metadata_listing(dir: &Path, roots: &[(Part, PathBuf)]) -> Result<Listing> {
    let mut listing = Listing { layout: Layout::Metadata, parts: vec![], images: vec![], columns: vec![], rows: vec![], skipped: vec![] };
    let mut header: Option<(PathBuf, Vec<String>)> = None;
    for (part, root) in roots {
        let path = root.join("metadata.csv");
        if !path.is_file() {
            bail!("`{}` is missing: every split folder needs its own `metadata.csv` when one has it", path.display());
        }
        let table = read_table(&path)?;
        match &header {
            Some((first, columns)) if *columns != table.header => bail!(
                "`{}` has the columns [{}] but `{}` has [{}]; every metadata.csv needs the same columns",
                path.display(),
                table.header.join(", "),
                first.display(),
                columns.join(", ")
            ),
            Some(_) => {}
            None => {
                (listing.images, listing.columns) = split_columns(&path, &table.header)?;
                header = Some((path.clone(), table.header.clone()));
            }
        }
        metadata_rows(dir, root, *part, &path, &table, &mut listing)?;
    }
    Ok(listing)
}

/// Read and parse one `metadata.csv`.
fn read_table(path: &Path) -> Result<csv::Table> {
    let bytes = fs::read(path).with_context(|| format!("cannot read `{}`", path.display()))?;
    let text = String::from_utf8(bytes).map_err(|e| anyhow::anyhow!("`{}` is not UTF-8 text (byte {})", path.display(), e.utf8_error().valid_up_to()))?;
    Ok(csv::parse(&text).with_context(|| format!("`{}` is not a CSV table", path.display()))?)
}

/// The image modality a column's files make: `file_name` the image, `NAME_file_name` NAME.
fn image_column(column: &str) -> Option<&str> {
    match column {
        "file_name" => Some(IMAGE),
        _ => column.strip_suffix("_file_name").filter(|name| !name.is_empty()),
    }
}

/// The header's image columns (as modality names) and annotation columns.
fn split_columns(path: &Path, header: &[String]) -> Result<(Vec<String>, Vec<String>)> {
    if !header.iter().any(|h| h == "file_name") {
        bail!("`{}` has no `file_name` column (its columns: {}); name the column of image paths `file_name`", path.display(), header.join(", "));
    }
    for (i, h) in header.iter().enumerate() {
        if h.is_empty() || header[..i].contains(h) {
            bail!("`{}`: column {} is {}; every column needs its own name", path.display(), i + 1, if h.is_empty() { "unnamed".into() } else { format!("a second `{h}`") });
        }
    }
    let images: Vec<String> = file_columns(header).into_iter().map(|c| image_column(&header[c]).expect("an image column").to_string()).collect();
    if let Some(twice) = images.iter().skip(1).find(|n| *n == IMAGE) {
        bail!("`{}`: the column `{twice}_file_name` would be a second modality `{twice}` beside `file_name`'s; rename it", path.display());
    }
    let columns = header.iter().filter(|h| image_column(h).is_none()).cloned().collect();
    Ok((images, columns))
}

/// The positions of the image columns: `file_name` first, then the others in header order.
fn file_columns(header: &[String]) -> Vec<usize> {
    let main = header.iter().position(|h| h == "file_name");
    main.into_iter().chain((0..header.len()).filter(|&i| Some(i) != main && image_column(&header[i]).is_some())).collect()
}

/// The rows of one `metadata.csv`: paths inside its folder, present, and named once.
fn metadata_rows(dir: &Path, root: &Path, part: Part, path: &Path, table: &csv::Table, listing: &mut Listing) -> Result<()> {
    let csv_name = shown(dir, path);
    let file_columns = file_columns(&table.header);
    let value_columns: Vec<usize> = (0..table.header.len()).filter(|i| !file_columns.contains(i)).collect();
    let mut seen = std::collections::HashMap::new();
    for (line, values) in &table.rows {
        let at = |column: usize| format!("`{csv_name}` line {line}, column `{}`", table.header[column]);
        let mut images = Vec::new();
        for &c in &file_columns {
            let file = inside(root, &values[c]).map_err(|why| anyhow::anyhow!("{}: {why}", at(c)))?;
            if !file.is_file() {
                bail!("{}: the file `{}` does not exist", at(c), values[c]);
            }
            images.push(file);
        }
        if let Some(first) = seen.insert(values[file_columns[0]].clone(), *line) {
            bail!("`{csv_name}` names `{}` twice, on lines {first} and {line}; each image needs one row", values[file_columns[0]]);
        }
        if let Some(&c) = value_columns.iter().find(|&&c| values[c].is_empty()) {
            bail!("{}: the value is empty; every row needs a value in every column", at(c));
        }
        let values = value_columns.iter().map(|&c| values[c].clone()).collect();
        listing.rows.push(Row { part, images, values, origin: format!("`{csv_name}` line {line}") });
    }
    Ok(())
}

/// `name` as a path inside `root`: relative, with no `..`, and not leaving it through a link.
pub fn inside(root: &Path, name: &str) -> Result<PathBuf, String> {
    if name.is_empty() {
        return Err("the file name is empty".into());
    }
    let relative = Path::new(name);
    let plain = relative.components().all(|c| matches!(c, Component::Normal(_) | Component::CurDir));
    if !plain {
        return Err(format!("`{name}` leads outside the folder of its metadata.csv (absolute paths and `..` are refused); give a path relative to that folder"));
    }
    let path = root.join(relative);
    if let (Ok(real), Ok(real_root)) = (path.canonicalize(), root.canonicalize())
        && !real.starts_with(&real_root)
    {
        return Err(format!("`{name}` is a link to `{}`, outside the folder of its metadata.csv; copy the file in instead", real.display()));
    }
    Ok(path)
}
