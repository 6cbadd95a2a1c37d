//! The `metadata.csv` reader: comma-separated, with RFC 4180 quoting (a field in double quotes
//! may hold commas, newlines and `""` for a quote), a UTF-8 byte-order mark and CRLF line ends
//! accepted. A pure function of the text, so that the fuzz target can drive it directly.

use std::fmt;

/// The header and the records of a CSV text, each record with the line it starts on.
#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    /// The column names, trimmed.
    pub header: Vec<String>,
    /// `(line, values)`: the 1-based line each record starts on, and one value per column.
    pub rows: Vec<(usize, Vec<String>)>,
}

/// Why a text is not a CSV table, with the line where it stops being one.
#[derive(Clone, Debug, PartialEq)]
pub struct CsvError {
    /// The 1-based line.
    pub line: usize,
    /// What is wrong there.
    pub why: String,
}

impl fmt::Display for CsvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.why)
    }
}

impl std::error::Error for CsvError {}

/// Parse `text`: the first record is the header; blank lines are skipped; every record must
/// have as many values as the header.
pub fn parse(text: &str) -> Result<Table, CsvError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut records = records(text)?.into_iter().filter(|(_, r)| !(r.len() == 1 && r[0].trim().is_empty()));
    let Some((_, header)) = records.next() else {
        return Err(CsvError { line: 1, why: "the file is empty: it needs a header line such as `file_name,label`".into() });
    };
    let header: Vec<String> = header.iter().map(|h| h.trim().to_string()).collect();
    let mut rows = Vec::new();
    for (line, values) in records {
        if values.len() != header.len() {
            let count = if values.len() == 1 { "1 value".to_string() } else { format!("{} values", values.len()) };
            let why = format!("{count} for the header's {} columns ({})", header.len(), header.join(","));
            return Err(CsvError { line, why });
        }
        rows.push((line, values.into_iter().map(|v| v.trim().to_string()).collect()));
    }
    Ok(Table { header, rows })
}

/// Every record of `text`, blank ones included, with the line each starts on.
fn records(text: &str) -> Result<Vec<(usize, Vec<String>)>, CsvError> {
    let mut out = Vec::new();
    let (mut record, mut field) = (Vec::new(), String::new());
    let (mut line, mut start, mut quoted, mut was_quoted) = (1, 1, false, false);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => {
                line += usize::from(c == '\n');
                field.push(c);
            }
            (false, '"') if field.trim().is_empty() && !was_quoted => (quoted, was_quoted) = (true, true),
            (false, '"') => return Err(CsvError { line, why: "a quote inside an unquoted value (quote the whole value and double the quote: \"a \"\"b\"\"\")".into() }),
            (false, ',') => {
                record.push(std::mem::take(&mut field));
                was_quoted = false;
            }
            (false, '\r') if chars.peek() == Some(&'\n') => {}
            (false, '\n') => {
                record.push(std::mem::take(&mut field));
                out.push((start, std::mem::take(&mut record)));
                (line, was_quoted) = (line + 1, false);
                start = line;
            }
            (false, c) if was_quoted && !c.is_whitespace() => return Err(CsvError { line, why: format!("`{c}` after a closing quote; a value is either quoted or not") }),
            (false, c) => field.push(c),
        }
    }
    if quoted {
        return Err(CsvError { line: start, why: "a quoted value is never closed (a missing `\"`)".into() });
    }
    if !field.is_empty() || !record.is_empty() {
        record.push(field);
        out.push((start, record));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_quotes_commas_newlines_bom_and_crlf() {
        let table = parse("\u{feff}file_name,caption\r\na.png,\"one, two\"\r\n\r\n\"b.png\",\"say \"\"hi\"\"\nthere\"\nc.png,x").unwrap();
        assert_eq!(table.header, ["file_name", "caption"]);
        assert_eq!(table.rows[0], (2, vec!["a.png".to_string(), "one, two".into()]));
        assert_eq!(table.rows[1], (4, vec!["b.png".to_string(), "say \"hi\"\nthere".into()]));
        assert_eq!(table.rows[2], (6, vec!["c.png".to_string(), "x".into()]));
    }

    #[test]
    fn names_the_line_of_each_error() {
        assert_eq!(parse("").unwrap_err().line, 1);
        let short = parse("file_name,label\na.png,cat\nb.png\n").unwrap_err();
        assert_eq!(short.line, 3);
        assert!(short.why.contains("1 value for the header's 2 columns"), "{short}");
        assert_eq!(parse("a,b\n\"x,y\n").unwrap_err().line, 2);
        assert!(parse("a,b\nx\"y,z\n").unwrap_err().why.contains("quote inside"));
        assert!(parse("a,b\n\"x\"y,z\n").unwrap_err().why.contains("after a closing quote"));
    }

    #[test]
    fn never_panics_on_odd_bytes() {
        for text in ["\"", "\"\"", ",", "\n\n", "\"a\"\"", "a,\"", "\r", "\u{feff}", "a\r\nb\r"] {
            let _ = parse(text);
        }
    }
}
