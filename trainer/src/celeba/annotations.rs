//! The CelebA annotation files: the attribute table and the official partitions.

use std::collections::HashMap;
use std::fs;
use std::path::Path;

use anyhow::{Context, Result, bail};

use super::Partition;

/// The parsed attribute file.
pub(super) struct AttributeTable {
    /// The names from the header line.
    pub(super) names: Vec<String>,
    /// One entry per data row, in file order.
    pub(super) rows: Vec<Row>,
}

/// One data row of the attribute file.
pub(super) struct Row {
    /// 1-based line number, for error messages.
    pub(super) line: usize,
    /// The image's file name.
    pub(super) id: String,
    /// One 0/1 value per attribute name.
    pub(super) values: Vec<u8>,
}

/// Parse the attribute file: a row count, a line of names, then `name v1 v2 ...` rows of -1/1.
pub(super) fn parse_attributes(path: &Path, bytes: &[u8]) -> Result<AttributeTable> {
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
pub(super) fn parse_row(path: &Path, line: usize, text: &str, names: &[String]) -> Result<Row> {
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
pub(super) fn read_partitions(path: &Path) -> Result<HashMap<String, Partition>> {
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
pub(super) fn rows_in_partition<'a>(
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
