//! Reading a CSV this suite wrote, for `compare` and `run --bench-csv`:
//! its header and rows, each with its line, or one line saying what is
//! wrong and where.

use super::columns::{self, Added};
use super::rows::{self, CsvRow};
use std::path::Path;

/// A CSV's header and its rows, each with the line it starts on.
pub struct CsvFile {
    pub header: Vec<String>,
    pub rows: Vec<(u64, Vec<String>)>,
}

impl CsvFile {
    /// Where `column` is in the header.
    pub fn column(&self, column: &str) -> Option<usize> {
        self.header.iter().position(|h| h == column)
    }

    /// The columns an older version of `current` lacked (with the value
    /// each stands for), if this file's header is `current`
    /// (`Some(empty)`) or one of its older versions, `added` being the
    /// columns added since the first, oldest first.
    pub fn version_of(&self, current: &[&str], added: &[Added]) -> Option<Vec<Added>> {
        let matches = |expected: &[&str]| {
            self.header
                .iter()
                .map(String::as_str)
                .eq(expected.iter().copied())
        };
        if matches(current) {
            return Some(Vec::new());
        }
        columns::older(current, added)
            .into_iter()
            .find(|(older, _)| matches(older))
            .map(|(_, missing)| missing)
    }

    /// Every row as an `R`, the columns this file's version lacked given
    /// the values in `filled`: `PATH:LINE: column C: ...` for a bad cell.
    pub fn typed<R: CsvRow>(&self, path: &Path, filled: &[Added]) -> Result<Vec<(u64, R)>, String> {
        let header = rows::header::<R>();
        let from: Vec<Result<usize, &str>> = header
            .iter()
            .map(|column| match self.column(column) {
                Some(at) => Ok(at),
                // A column this version lacked (`version_of` found every
                // other one in the file).
                None => Err(filled
                    .iter()
                    .find(|(c, _)| c == column)
                    .map_or("", |(_, value)| *value)),
            })
            .collect();
        let header = csv::StringRecord::from(header.clone());
        self.rows
            .iter()
            .map(|(line, cells)| {
                let cells: csv::StringRecord = from
                    .iter()
                    .map(|f| match f {
                        Ok(at) => cells[*at].as_str(),
                        Err(value) => value,
                    })
                    .collect();
                rows::parse::<R>(&header, &cells)
                    .map(|row| (*line, row))
                    .map_err(|e| format!("{}:{line}: {e}", path.display()))
            })
            .collect()
    }
}

/// Read `path` as a CSV of `R` rows, in `R`'s header or an older version
/// of it (`added`: the columns added since, oldest first); `what` names
/// the command that writes it, for the message when it is not one.
pub fn read_typed<R: CsvRow>(
    path: &Path,
    added: &[Added],
    what: &str,
) -> Result<Vec<(u64, R)>, String> {
    let file = read(path)?;
    let header = rows::header::<R>();
    let current: Vec<&str> = header.iter().map(String::as_str).collect();
    let filled = file.version_of(&current, added).ok_or_else(|| {
        format!(
            "{}: not a {what} CSV (header starts '{}'; written by another version?)",
            path.display(),
            file.header.join(",").chars().take(60).collect::<String>()
        )
    })?;
    file.typed(path, &filled)
}

/// Read `path` whole: `cannot read PATH: why`, or `PATH:LINE: malformed
/// CSV row (why)`.
pub fn read(path: &Path) -> Result<CsvFile, String> {
    let shown = path.display();
    let mut reader =
        csv::Reader::from_path(path).map_err(|e| format!("cannot read {shown}: {e}"))?;
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| format!("{shown}: {e}"))?
        .iter()
        .map(String::from)
        .collect();
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map_or(0, |p| p.line());
            format!("{shown}:{line}: malformed CSV row ({})", kind_text(&e))
        })?;
        let line = record.position().map_or(0, |p| p.line());
        rows.push((line, record.iter().map(String::from).collect()));
    }
    Ok(CsvFile { header, rows })
}

/// What is wrong with a row, in words.
fn kind_text(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!("{len} fields where the header has {expected_len}"),
        csv::ErrorKind::Utf8 { .. } => "not UTF-8".into(),
        _ => e.to_string(),
    }
}
