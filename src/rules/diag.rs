//! Diagnostics for rule files: `path:line:col: message`, collected, not thrown.
//!
//! The compiler keeps going after an error so that a user sees every problem in
//! one run; nothing is compiled into a plan while any error is present.

use crate::rules::yaml::Pos;
use std::fmt;
use std::sync::Arc;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    Error,
    Warning,
    /// Information that needs no change (e.g. a first-seen rule is inactive
    /// without `--state`): printed by `check`, never a problem.
    Note,
}

#[derive(Clone, Debug)]
pub struct Diagnostic {
    pub level: Level,
    pub file: Arc<str>,
    pub pos: Pos,
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let tag = match self.level {
            Level::Error => "",
            Level::Warning => "warning: ",
            Level::Note => "note: ",
        };
        if self.pos.line == 0 {
            write!(f, "{}: {tag}{}", self.file, self.message)
        } else {
            write!(
                f,
                "{}:{}:{}: {tag}{}",
                self.file, self.pos.line, self.pos.col, self.message
            )
        }
    }
}

/// A sink for the diagnostics of one file.
pub struct Diags<'a> {
    pub file: Arc<str>,
    pub out: &'a mut Vec<Diagnostic>,
}

impl Diags<'_> {
    pub fn error(&mut self, pos: Pos, message: impl Into<String>) {
        self.push(Level::Error, pos, message.into());
    }
    pub fn warning(&mut self, pos: Pos, message: impl Into<String>) {
        self.push(Level::Warning, pos, message.into());
    }
    fn push(&mut self, level: Level, pos: Pos, message: String) {
        self.out.push(Diagnostic {
            level,
            file: self.file.clone(),
            pos,
            message,
        });
    }
}

pub fn has_errors(diags: &[Diagnostic]) -> bool {
    diags.iter().any(|d| d.level == Level::Error)
}
