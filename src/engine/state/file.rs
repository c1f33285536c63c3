//! The state file: a versioned, checksummed binary format, atomic saves and
//! strict loads.
//!
//! Guarantees:
//! - **Atomic save.** [`save`] writes `PATH.tmp.PID.INCARNATION.N` (a name
//!   no other writer uses), fsyncs it, renames it over `PATH`, then fsyncs the
//!   directory. A kill -9 at any moment leaves `PATH` either the old or the
//!   new complete file (tested by `crash_tests`); after a power loss, the
//!   directory fsync makes the rename durable. A failed save removes its
//!   temporary file and never touches `PATH`. Temporary files left by
//!   killed processes (whose PID is gone, or is ours but from an earlier
//!   process) are removed after a later save.
//! - **Strict load.** [`load`] checks, in order: the file exists
//!   ([`LoadError::Missing`]: the caller starts fresh), the magic bytes
//!   ([`LoadError::Foreign`]), the version ([`LoadError::Newer`]), the
//!   length ([`LoadError::Truncated`]), the CRC-32 over everything before it
//!   ([`LoadError::Corrupt`]), then the structure (also `Corrupt`). It never
//!   writes. Any error other than `Missing` means the file must be kept: the
//!   caller exits (status 2) and must not save over it unless told to start
//!   afresh (`--state-reset`). Messages are short and lower-case; the caller
//!   prefixes `ctfilter: PATH: `.
//! - **Same state after a round trip**: a loaded state answers every call
//!   exactly as the saved one would have (counters excepted: they count one
//!   run). Limits come from [`Config`] at load; a smaller cap evicts the
//!   least recently seen.
//!
//! Format, version 1, little-endian:
//! ```text
//! header  "CTFSTATE"  version:u16  reserved:u16=0  reserved:u32=0  body_len:u64
//! body    first-seen: created:T latest:T learn_until:T
//!                     rules:u32 { name_len:u16 name start:T window:u32 active_until:T }
//!                     table
//!         dedupe:     window:u32 table
//! table   latest:T count:u64 { key:u64 last:u32 window:u32 }
//! T       present:u8 (0 or 1) secs:u32   (seconds since 2010-01-01, 0 if absent)
//! trailer crc32:u32 (IEEE, over header and body)
//! ```
//! Keys are [`super::hash`] values, so the hash function is part of the
//! format: changing it, or any layout above, means a new version.

use std::fmt;
use std::fs::{self, File, OpenOptions};
use std::io::{self, BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;
use std::time::{SystemTime, UNIX_EPOCH};

use super::dedupe::Dedupe;
use super::first_seen::{FirstSeen, RuleRecord};
use super::hash::Key;
use super::table::{Entry, Table};
use super::time::{Time, Window};
use super::{Config, State};

pub const MAGIC: &[u8; 8] = b"CTFSTATE";
pub const VERSION: u16 = 1;
const HEADER: u64 = 24;
const TRAILER: u64 = 4;
const ENTRY: u64 = 16;
const OPT_TIME: u64 = 5;

/// Why a state file did not load.
#[derive(Debug)]
pub enum LoadError {
    /// No file at the path: start with a fresh state.
    Missing,
    /// It could not be read (permissions, I/O error...).
    Io(io::Error),
    /// Not a ctfilter state file.
    Foreign,
    /// Written by a newer ctfilter.
    Newer { version: u16 },
    /// Shorter than its header says: cut off.
    Truncated { len: u64, expected: u64 },
    /// The checksum or the structure is wrong.
    Corrupt(&'static str),
}

impl LoadError {
    /// True only for [`LoadError::Missing`]: the one case where starting
    /// fresh (and later saving to the path) is safe.
    pub fn is_missing(&self) -> bool {
        matches!(self, LoadError::Missing)
    }
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoadError::Missing => write!(f, "no such state file"),
            LoadError::Io(e) => write!(f, "cannot read state file: {e}"),
            LoadError::Foreign => write!(f, "not a ctfilter state file"),
            LoadError::Newer { version } => write!(
                f,
                "state file version {version} is newer than this ctfilter supports ({VERSION})"
            ),
            LoadError::Truncated { len, expected } => {
                write!(f, "state file is truncated ({len} of {expected} bytes)")
            }
            LoadError::Corrupt(why) => write!(f, "state file is corrupt ({why})"),
        }
    }
}

impl std::error::Error for LoadError {}

impl From<io::Error> for LoadError {
    fn from(e: io::Error) -> LoadError {
        match e.kind() {
            io::ErrorKind::NotFound => LoadError::Missing,
            io::ErrorKind::UnexpectedEof => LoadError::Corrupt("ends inside a record"),
            _ => LoadError::Io(e),
        }
    }
}

/// Why a save failed. Unless the step is `SyncDir`, `PATH` is untouched.
#[derive(Debug)]
pub struct SaveError {
    pub step: SaveStep,
    pub source: io::Error,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SaveStep {
    /// Creating, writing or fsyncing the temporary file.
    Write,
    /// Renaming it over the state file.
    Rename,
    /// Fsyncing the directory: the new file is in place, but a power loss
    /// could still undo the rename.
    SyncDir,
}

impl fmt::Display for SaveError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.step {
            SaveStep::Write => "cannot write the new state file",
            SaveStep::Rename => "cannot rename the new state file into place",
            SaveStep::SyncDir => "saved, but cannot sync the directory",
        };
        write!(f, "{what}: {}", self.source)
    }
}

impl std::error::Error for SaveError {}

/// Writes and checksums.
struct Out<W: Write> {
    w: W,
    crc: crc32fast::Hasher,
    n: u64,
}

impl<W: Write> Out<W> {
    fn bytes(&mut self, b: &[u8]) -> io::Result<()> {
        self.crc.update(b);
        self.n += b.len() as u64;
        self.w.write_all(b)
    }
    fn u16(&mut self, v: u16) -> io::Result<()> {
        self.bytes(&v.to_le_bytes())
    }
    fn u32(&mut self, v: u32) -> io::Result<()> {
        self.bytes(&v.to_le_bytes())
    }
    fn u64(&mut self, v: u64) -> io::Result<()> {
        self.bytes(&v.to_le_bytes())
    }
    fn time(&mut self, t: Option<Time>) -> io::Result<()> {
        self.bytes(&[u8::from(t.is_some())])?;
        self.u32(t.map_or(0, Time::secs))
    }
    fn table(&mut self, t: &Table) -> io::Result<()> {
        self.time(t.latest())?;
        self.u64(t.len() as u64)?;
        for e in t.entries() {
            let mut b = [0u8; ENTRY as usize];
            b[..8].copy_from_slice(&e.key.get().to_le_bytes());
            b[8..12].copy_from_slice(&e.last.secs().to_le_bytes());
            b[12..].copy_from_slice(&e.window.as_secs().to_le_bytes());
            self.bytes(&b)?;
        }
        Ok(())
    }
}

fn table_len(t: &Table) -> u64 {
    OPT_TIME + 8 + t.len() as u64 * ENTRY
}

/// Write `state` in the file format to `w` (header, body, trailer).
pub fn encode(state: &State, w: impl Write) -> io::Result<()> {
    let fs = &state.first_seen;
    let rules = fs.records();
    let body_len = 3 * OPT_TIME
        + 4
        + rules
            .iter()
            .map(|r| 2 + r.name.len() as u64 + OPT_TIME + 4 + OPT_TIME)
            .sum::<u64>()
        + table_len(fs.table())
        + 4
        + table_len(state.dedupe.table());
    let mut out = Out {
        w,
        crc: crc32fast::Hasher::new(),
        n: 0,
    };
    out.bytes(MAGIC)?;
    out.u16(VERSION)?;
    out.u16(0)?;
    out.u32(0)?;
    out.u64(body_len)?;
    out.time(fs.created())?;
    out.time(fs.latest())?;
    out.time(fs.learn_until_override())?;
    out.u32(u32::try_from(rules.len()).map_err(|_| io::Error::other("too many rules"))?)?;
    for r in &rules {
        let name_len =
            u16::try_from(r.name.len()).map_err(|_| io::Error::other("rule name too long"))?;
        out.u16(name_len)?;
        out.bytes(r.name.as_bytes())?;
        out.time(r.start)?;
        out.u32(r.window.as_secs())?;
        out.time(r.active_until)?;
    }
    out.table(fs.table())?;
    out.u32(state.dedupe.window().as_secs())?;
    out.table(state.dedupe.table())?;
    if out.n != HEADER + body_len {
        return Err(io::Error::other("state body length mismatch (a bug)"));
    }
    let crc = out.crc.clone().finalize();
    out.w.write_all(&crc.to_le_bytes())?;
    out.w.flush()
}

/// Reads a body whose checksum has already been verified.
struct In<R: Read> {
    r: BufReader<io::Take<R>>,
}

impl<R: Read> In<R> {
    /// Body bytes not read yet.
    fn remaining(&self) -> u64 {
        self.r.get_ref().limit() + self.r.buffer().len() as u64
    }
    fn array<const N: usize>(&mut self) -> io::Result<[u8; N]> {
        let mut b = [0u8; N];
        self.r.read_exact(&mut b)?;
        Ok(b)
    }
    fn u16(&mut self) -> io::Result<u16> {
        self.array().map(u16::from_le_bytes)
    }
    fn u32(&mut self) -> io::Result<u32> {
        self.array().map(u32::from_le_bytes)
    }
    fn u64(&mut self) -> io::Result<u64> {
        self.array().map(u64::from_le_bytes)
    }
    fn time(&mut self) -> Result<Option<Time>, LoadError> {
        let [flag, a, b, c, d] = self.array()?;
        let secs = u32::from_le_bytes([a, b, c, d]);
        match (flag, secs) {
            (0, 0) => Ok(None),
            (1, s) => Ok(Some(Time(s))),
            _ => Err(LoadError::Corrupt("bad time field")),
        }
    }
    fn window(&mut self) -> Result<Window, LoadError> {
        match self.u32()? {
            0 => Err(LoadError::Corrupt("zero window")),
            s => Ok(Window(s)),
        }
    }
    fn table(
        &mut self,
        max_entries: usize,
        lateness: Window,
        room: u64,
    ) -> Result<Table, LoadError> {
        let latest = self.time()?;
        let count = self.u64()?;
        if count.checked_mul(ENTRY).is_none_or(|n| n > room) {
            return Err(LoadError::Corrupt("entry count exceeds the file"));
        }
        let mut failed = None;
        let entries = (0..count).map_while(|_| match self.entry() {
            Ok(e) => Some(e),
            Err(e) => {
                failed = Some(e);
                None
            }
        });
        let table =
            Table::restore(max_entries, lateness, latest, entries).map_err(LoadError::Corrupt);
        match failed {
            Some(e) => Err(e),
            None => table,
        }
    }
    fn entry(&mut self) -> Result<Entry, LoadError> {
        let b: [u8; ENTRY as usize] = self.array()?;
        let key = u64::from_le_bytes(b[..8].try_into().unwrap());
        let window = u32::from_le_bytes(b[12..].try_into().unwrap());
        if window == 0 {
            return Err(LoadError::Corrupt("zero window"));
        }
        Ok(Entry {
            key: Key::from_stored(key).ok_or(LoadError::Corrupt("zero key"))?,
            last: Time(u32::from_le_bytes(b[8..12].try_into().unwrap())),
            window: Window(window),
        })
    }
}

/// Check the header, length and checksum of an open state file, leaving it
/// positioned at the body. Returns the body length.
fn verify(f: &mut File) -> Result<u64, LoadError> {
    let len = f.metadata()?.len();
    let mut header = [0u8; HEADER as usize];
    let got = read_up_to(f, &mut header)?;
    let minimum = HEADER + TRAILER;
    if got < MAGIC.len() {
        return Err(if MAGIC.starts_with(&header[..got]) {
            LoadError::Truncated {
                len,
                expected: minimum,
            }
        } else {
            LoadError::Foreign
        });
    }
    if &header[..8] != MAGIC {
        return Err(LoadError::Foreign);
    }
    if (got as u64) < HEADER {
        return Err(LoadError::Truncated {
            len,
            expected: minimum,
        });
    }
    let version = u16::from_le_bytes([header[8], header[9]]);
    if version > VERSION {
        return Err(LoadError::Newer { version });
    }
    if version == 0 || header[10..16] != [0; 6] {
        return Err(LoadError::Corrupt("bad header"));
    }
    let body_len = u64::from_le_bytes(header[16..24].try_into().unwrap());
    let expected = body_len
        .checked_add(HEADER + TRAILER)
        .ok_or(LoadError::Corrupt("bad header"))?;
    if len < expected {
        return Err(LoadError::Truncated { len, expected });
    }
    if len > expected {
        return Err(LoadError::Corrupt("data after the end"));
    }
    let mut crc = crc32fast::Hasher::new();
    crc.update(&header);
    let mut body = (&mut *f).take(body_len);
    let mut buf = vec![0u8; 1 << 16];
    loop {
        match body.read(&mut buf)? {
            0 => break,
            n => crc.update(&buf[..n]),
        }
    }
    let mut trailer = [0u8; TRAILER as usize];
    f.read_exact(&mut trailer)?;
    if crc.finalize() != u32::from_le_bytes(trailer) {
        return Err(LoadError::Corrupt("checksum mismatch"));
    }
    f.seek(SeekFrom::Start(HEADER))?;
    Ok(body_len)
}

fn read_up_to(f: &mut File, buf: &mut [u8]) -> io::Result<usize> {
    let mut got = 0;
    while got < buf.len() {
        match f.read(&mut buf[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(got)
}

/// Load the state at `path` with the limits of `config`.
pub fn load(path: &Path, config: &Config) -> Result<State, LoadError> {
    let mut f = File::open(path)?;
    let body_len = verify(&mut f)?;
    let mut r = In {
        r: BufReader::with_capacity(1 << 16, (&mut f).take(body_len)),
    };
    let created = r.time()?;
    let latest = r.time()?;
    let learn_until = r.time()?;
    let n_rules = r.u32()?;
    let mut rules = Vec::new();
    for _ in 0..n_rules {
        let name_len = usize::from(r.u16()?);
        let mut name = vec![0u8; name_len];
        r.r.read_exact(&mut name)?;
        let name =
            String::from_utf8(name).map_err(|_| LoadError::Corrupt("rule name is not UTF-8"))?;
        rules.push(RuleRecord {
            name,
            start: r.time()?,
            window: r.window()?,
            active_until: r.time()?,
        });
    }
    let room = r.remaining();
    let table = r.table(config.max_entries, config.lateness, room)?;
    let first_seen = FirstSeen::restore(table, created, latest, learn_until, rules);
    // The dedupe window in force is the configured one; the saved one only
    // records what the entries were written with.
    let _saved_window = r.window()?;
    let room = r.remaining();
    let dedupe_table = r.table(config.dedupe_max_entries, config.lateness, room)?;
    if r.remaining() != 0 {
        return Err(LoadError::Corrupt("data after the last table"));
    }
    Ok(State {
        first_seen,
        dedupe: Dedupe::new(dedupe_table, config.dedupe_window),
    })
}

static SAVES: AtomicU64 = AtomicU64::new(0);

/// Tells this process's temporary files from those of an earlier process
/// with the same PID (in a container, ctfilter is often PID 1 every time).
fn incarnation() -> u64 {
    static ID: OnceLock<u64> = OnceLock::new();
    *ID.get_or_init(|| {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        now.as_secs() ^ (u64::from(now.subsec_nanos()) << 32)
    })
}

/// `NAME.tmp.PID.INCARNATION.SEQ`: unique among all writers.
fn temp_name(path: &Path, seq: u64) -> String {
    format!(
        "{}{}.{:x}.{seq}",
        temp_prefix(path),
        std::process::id(),
        incarnation()
    )
}

fn temp_prefix(path: &Path) -> String {
    let name = path
        .file_name()
        .map_or_else(|| "state".into(), |n| n.to_string_lossy());
    format!("{name}.tmp.")
}

fn dir_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Save `state` to `path` atomically (see the module header).
pub fn save(path: &Path, state: &State) -> Result<(), SaveError> {
    let dir = dir_of(path);
    let seq = SAVES.fetch_add(1, Ordering::Relaxed);
    let tmp = dir.join(temp_name(path, seq));
    let err = |step| move |source| SaveError { step, source };
    let written = write_temp(&tmp, state);
    if let Err(e) = written {
        let _ = fs::remove_file(&tmp);
        return Err(err(SaveStep::Write)(e));
    }
    if let Err(e) = fs::rename(&tmp, path) {
        let _ = fs::remove_file(&tmp);
        return Err(err(SaveStep::Rename)(e));
    }
    File::open(&dir)
        .and_then(|d| d.sync_all())
        .map_err(err(SaveStep::SyncDir))?;
    remove_stale_temps(path);
    Ok(())
}

fn write_temp(tmp: &Path, state: &State) -> io::Result<()> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let file = options.open(tmp)?;
    let mut w = BufWriter::with_capacity(1 << 18, file);
    encode(state, &mut w)?;
    let file = w.into_inner().map_err(|e| e.into_error())?;
    file.sync_all()
}

/// Remove `PATH.tmp.PID.N` files whose process no longer exists (left by a
/// kill -9 during a save). Best effort; returns how many were removed.
pub fn remove_stale_temps(path: &Path) -> usize {
    let prefix = temp_prefix(path);
    let Ok(entries) = fs::read_dir(dir_of(path)) else {
        return 0;
    };
    let mut removed = 0;
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(rest) = name.to_str().and_then(|n| n.strip_prefix(&prefix)) else {
            continue;
        };
        let mut parts = rest.split('.');
        let (Some(pid), Some(inc), Some(seq), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            continue;
        };
        let (Ok(pid), Ok(inc), Ok(_)) = (
            pid.parse::<u32>(),
            u64::from_str_radix(inc, 16),
            seq.parse::<u64>(),
        ) else {
            continue;
        };
        // Ours from an earlier life, or of a process that is gone.
        let stale = if pid == std::process::id() {
            inc != incarnation()
        } else {
            !process_exists(pid)
        };
        if stale && fs::remove_file(entry.path()).is_ok() {
            removed += 1;
        }
    }
    removed
}

#[cfg(unix)]
fn process_exists(pid: u32) -> bool {
    let Ok(pid) = libc::pid_t::try_from(pid) else {
        return false;
    };
    // Signal 0 checks for existence; EPERM means it exists (not ours).
    // SAFETY: kill with signal 0 sends nothing; it only checks the PID.
    let alive = unsafe { libc::kill(pid, 0) } == 0;
    alive || io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
}

#[cfg(not(unix))]
fn process_exists(_pid: u32) -> bool {
    true
}

#[cfg(test)]
#[path = "file_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "crash_tests.rs"]
mod crash_tests;
