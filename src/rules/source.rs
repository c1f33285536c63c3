//! The text of one rule file, and reading rule files and folders from disk.
//!
//! Guarantees: a folder contributes its `*.yml` and `*.yaml` files sorted by
//! name, without recursing; every unreadable path becomes a diagnostic with
//! the path, never a panic or a silent skip.

use crate::rules::diag::{Diagnostic, Diags};
use crate::rules::yaml::Pos;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The text of one rule file and the name it is reported under.
#[derive(Clone, Debug)]
pub struct Source {
    pub name: Arc<str>,
    pub text: String,
    /// For an embedded file, `text` parsed at build time ([`crate::rules::packed`]):
    /// read instead of the YAML when it decodes.
    pub packed: Option<&'static [u8]>,
}

impl Source {
    /// A rule file read as YAML (a user's file, or text in a test).
    pub fn yaml(name: impl Into<Arc<str>>, text: impl Into<String>) -> Source {
        Source {
            name: name.into(),
            text: text.into(),
            packed: None,
        }
    }
}

/// Reads a rule file, or every rule file of a folder, into `sources`.
pub fn read_path(path: &Path, sources: &mut Vec<Source>, diags: &mut Vec<Diagnostic>) {
    let shown: Arc<str> = Arc::from(path.display().to_string());
    let file_error = |diags: &mut Vec<Diagnostic>, message: String| {
        Diags {
            file: shown.clone(),
            out: diags,
        }
        .error(Pos::default(), message)
    };
    let meta = match std::fs::metadata(path) {
        Ok(meta) => meta,
        Err(e) => return file_error(diags, format!("cannot read rules: {e}")),
    };
    if meta.is_dir() {
        let mut files: Vec<PathBuf> = match std::fs::read_dir(path) {
            Ok(entries) => entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| {
                    p.is_file()
                        && p.extension()
                            .is_some_and(|ext| ext == "yml" || ext == "yaml")
                })
                .collect(),
            Err(e) => return file_error(diags, format!("cannot list rules directory: {e}")),
        };
        files.sort();
        if files.is_empty() {
            diags.push(Diagnostic {
                level: crate::rules::diag::Level::Warning,
                file: shown,
                pos: Pos::default(),
                message: "directory holds no .yml or .yaml rule files".into(),
            });
        }
        for file in files {
            read_path(&file, sources, diags);
        }
        return;
    }
    match std::fs::read(path) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) => sources.push(Source::yaml(shown, text)),
            Err(_) => file_error(diags, "rule file is not valid UTF-8".into()),
        },
        Err(e) => file_error(diags, format!("cannot read rules: {e}")),
    }
}
