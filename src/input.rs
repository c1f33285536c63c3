//! Input sources and the reader thread.
//!
//! One thread reads every source in order (stdin or files; gzip detected by
//! its magic bytes, so `.gz` files and gzipped stdin both work) and sends
//! chunks down a bounded channel. Signal events go down the same channel, so
//! the consumer never blocks in `read()`: it can flush when input is idle and
//! act on SIGTERM or SIGHUP at once. Chunk buffers are recycled.

use std::fs::File;
use std::io::{self, Read};
use std::path::PathBuf;
use std::sync::mpsc::{Receiver, Sender, SyncSender};

pub const CHUNK: usize = 64 * 1024;

#[derive(Clone, Debug)]
pub enum InputPath {
    Stdin,
    File(PathBuf),
}

impl InputPath {
    pub fn parse(arg: &str) -> InputPath {
        if arg == "-" {
            InputPath::Stdin
        } else {
            InputPath::File(arg.into())
        }
    }
    pub fn display(&self) -> String {
        match self {
            InputPath::Stdin => "stdin".into(),
            InputPath::File(p) => p.display().to_string(),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sig {
    Terminate,
    Reload,
}

pub enum Msg {
    Start(usize),
    Data(usize, Vec<u8>),
    End(usize),
    Error(usize, String),
    Signal(Sig),
    Done,
}

/// Start the reader thread. Returns the receiving end for messages, and the
/// sender to return spent chunk buffers on.
/// `stop` asks the reader to stop after handing on what it has already read
/// (SIGTERM); it then sends `Done`.
pub fn spawn_reader(
    paths: Vec<InputPath>,
    tx: SyncSender<Msg>,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
) -> Sender<Vec<u8>> {
    let (recycle_tx, recycle_rx) = std::sync::mpsc::channel::<Vec<u8>>();
    std::thread::Builder::new()
        .name("ctfilter-reader".into())
        .spawn(move || read_all(paths, tx, recycle_rx, stop))
        .expect("spawn reader thread");
    recycle_tx
}

fn read_all(
    paths: Vec<InputPath>,
    tx: SyncSender<Msg>,
    recycle: Receiver<Vec<u8>>,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
) {
    let stopping = || stop.load(std::sync::atomic::Ordering::SeqCst);
    for (id, path) in paths.iter().enumerate() {
        if stopping() || tx.send(Msg::Start(id)).is_err() {
            let _ = tx.send(Msg::Done);
            return;
        }
        let result = open(path).and_then(|reader| pump(id, reader, &tx, &recycle, &stopping));
        let msg = match result {
            Ok(true) if stopping() => {
                let _ = tx.send(Msg::Done);
                return;
            }
            Ok(true) => Msg::End(id),
            Ok(false) => return,
            Err(e) => Msg::Error(id, describe(path, &e)),
        };
        if tx.send(msg).is_err() {
            return;
        }
    }
    let _ = tx.send(Msg::Done);
}

fn describe(path: &InputPath, e: &io::Error) -> String {
    let what = match e.kind() {
        io::ErrorKind::NotFound => "no such file".to_string(),
        io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => e.to_string(),
    };
    format!("{}: cannot read: {what}", path.display())
}

/// Sends the whole source; `Ok(false)` when the consumer has gone away.
fn pump(
    id: usize,
    mut reader: Box<dyn Read + Send>,
    tx: &SyncSender<Msg>,
    recycle: &Receiver<Vec<u8>>,
    stopping: &dyn Fn() -> bool,
) -> io::Result<bool> {
    loop {
        if stopping() {
            return Ok(true);
        }
        let mut chunk = recycle
            .try_recv()
            .unwrap_or_else(|_| Vec::with_capacity(CHUNK));
        chunk.clear();
        chunk.resize(CHUNK, 0);
        let n = loop {
            match reader.read(&mut chunk) {
                Ok(n) => break n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        };
        if n == 0 {
            return Ok(true);
        }
        chunk.truncate(n);
        if tx.send(Msg::Data(id, chunk)).is_err() {
            return Ok(false);
        }
    }
}

/// Open a source, sniffing gzip by its magic bytes.
fn open(path: &InputPath) -> io::Result<Box<dyn Read + Send>> {
    let raw: Box<dyn Read + Send> = match path {
        InputPath::Stdin => Box::new(io::stdin()),
        InputPath::File(p) => {
            let file = File::open(p)?;
            if file.metadata()?.is_dir() {
                return Err(io::Error::other("is a directory"));
            }
            Box::new(file)
        }
    };
    let mut peek = Peek::new(raw)?;
    if peek.starts_with(&[0x1f, 0x8b]) {
        Ok(Box::new(flate2::read::MultiGzDecoder::new(peek)))
    } else {
        peek.strip_prefix(b"\xEF\xBB\xBF");
        Ok(Box::new(peek))
    }
}

/// A reader that has looked at its first bytes without losing them.
struct Peek {
    head: Vec<u8>,
    pos: usize,
    inner: Box<dyn Read + Send>,
}

impl Peek {
    fn new(mut inner: Box<dyn Read + Send>) -> io::Result<Peek> {
        let mut head = vec![0u8; 3];
        let mut filled = 0;
        while filled < head.len() {
            match inner.read(&mut head[filled..]) {
                Ok(0) => break,
                Ok(n) => filled += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        }
        head.truncate(filled);
        Ok(Peek {
            head,
            pos: 0,
            inner,
        })
    }
    fn starts_with(&self, magic: &[u8]) -> bool {
        self.head.starts_with(magic)
    }
    fn strip_prefix(&mut self, prefix: &[u8]) {
        if self.head.starts_with(prefix) {
            self.pos = prefix.len();
        }
    }
}

impl Read for Peek {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.pos < self.head.len() {
            let n = (self.head.len() - self.pos).min(buf.len());
            buf[..n].copy_from_slice(&self.head[self.pos..self.pos + n]);
            self.pos += n;
            return Ok(n);
        }
        self.inner.read(buf)
    }
}

/// Forward SIGTERM, SIGINT and SIGHUP into the message channel.
pub fn forward_signals(tx: SyncSender<Msg>) -> io::Result<()> {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    let mut signals = signal_hook::iterator::Signals::new([SIGTERM, SIGINT, SIGHUP])?;
    std::thread::Builder::new()
        .name("ctfilter-signals".into())
        .spawn(move || {
            for signal in signals.forever() {
                let sig = if signal == SIGHUP {
                    Sig::Reload
                } else {
                    Sig::Terminate
                };
                if tx.send(Msg::Signal(sig)).is_err() {
                    return;
                }
            }
        })?;
    Ok(())
}
