//! The CSV sink: one row per run, test, strategy and outcome, written as
//! each run finishes and flushed at once, so a crash or Ctrl-C loses no
//! finished result. An existing file is appended to only if its header is
//! exactly ours; any other header is refused.

use super::rows::{self, CsvRow};
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader};
use std::marker::PhantomData;
use std::path::{Path, PathBuf};

/// An open CSV file of rows of type `R`, under `R`'s header.
pub struct CsvSink<R: CsvRow> {
    path: PathBuf,
    writer: csv::Writer<File>,
    rows: PhantomData<R>,
}

impl<R: CsvRow> CsvSink<R> {
    /// Open `path` for appending rows: a new or empty file gets `R`'s
    /// header; an existing one must already have exactly it.
    pub fn open(path: &Path) -> Result<CsvSink<R>, String> {
        let header = rows::header::<R>();
        let shown = path.display();
        if let Ok(file) = File::open(path) {
            let mut first = String::new();
            BufReader::new(file)
                .read_line(&mut first)
                .map_err(|e| format!("cannot read {shown}: {e}"))?;
            let first = first.trim_end_matches(['\r', '\n']);
            if !first.is_empty() && first != header.join(",") {
                let theirs: Vec<&str> = first.split(',').collect();
                let at = header
                    .iter()
                    .zip(&theirs)
                    .position(|(a, b)| a != b)
                    .unwrap_or(header.len().min(theirs.len()));
                return Err(format!(
                    "{shown} has another header (column {}: {:?} where this version writes {:?}); \
                     refusing to append: name a new file",
                    at + 1,
                    theirs.get(at).copied().unwrap_or("<none>"),
                    header.get(at).map_or("<none>", String::as_str),
                ));
            }
        }
        CsvSink::start(path, OpenOptions::new().create(true).append(true), header)
    }

    /// Create `path` afresh (replacing what it held) with `R`'s header.
    pub fn create(path: &Path) -> Result<CsvSink<R>, String> {
        let mut options = OpenOptions::new();
        options.create(true).write(true).truncate(true);
        CsvSink::start(path, &options, rows::header::<R>())
    }

    /// Open `path` with `options`, writing `header` if the file is empty.
    fn start(
        path: &Path,
        options: &OpenOptions,
        header: Vec<String>,
    ) -> Result<CsvSink<R>, String> {
        let file = options
            .open(path)
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        let empty = file.metadata().map(|m| m.len() == 0).unwrap_or(true);
        let mut sink = CsvSink {
            path: path.to_path_buf(),
            writer: csv::Writer::from_writer(file),
            rows: PhantomData,
        };
        if empty {
            sink.write_records(std::iter::once(header))?;
        }
        Ok(sink)
    }

    /// Write rows and flush them to the file before returning.
    pub fn write(&mut self, rows: &[R]) -> Result<(), String> {
        self.write_records(rows.iter().map(rows::cells))
    }

    fn write_records(&mut self, records: impl Iterator<Item = Vec<String>>) -> Result<(), String> {
        let shown = self.path.display();
        for record in records {
            self.writer
                .write_record(&record)
                .map_err(|e| format!("cannot write {shown}: {e}"))?;
        }
        // Writes csv's buffer through to the file (a write(2): in the kernel's
        // hands, so it survives this process crashing).
        self.writer
            .flush()
            .map_err(|e| format!("cannot write {shown}: {e}"))
    }
}
