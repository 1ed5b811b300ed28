//! Reading a CSV this suite wrote, for `compare` and `run --bench-csv`:
//! its header and rows, each with its line, or one line saying what is
//! wrong and where.

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
