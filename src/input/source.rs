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
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, Sender, SyncSender};

/// Read size with one worker. Large enough that hand-offs between threads
/// stay rare (64 KiB cost a context switch per 64 KiB and twice the system
/// time), small enough that the few chunks in flight keep RSS low.
pub const CHUNK: usize = 256 * 1024;
/// Read size with `--threads` > 1: each chunk becomes one batch for a worker,
/// and every batch costs three thread hand-offs (reader, worker, writer).
pub const PARALLEL_CHUNK: usize = 512 * 1024;

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
    /// The file's size in bytes (0 for stdin or when it cannot be read).
    pub fn size(&self) -> u64 {
        match self {
            InputPath::Stdin => 0,
            InputPath::File(p) => std::fs::metadata(p).map_or(0, |m| m.len()),
        }
    }

    pub fn display(&self) -> String {
        match self {
            InputPath::Stdin => "stdin".into(),
            InputPath::File(p) => p.display().to_string(),
        }
    }
}

/// Bytes read from a source: the first `len` bytes of a reusable buffer.
/// The buffer keeps its full length between reads, so reuse never re-zeroes
/// it (zeroing 256 KiB per read was 6% of all instructions).
#[derive(Default)]
pub struct Chunk {
    buf: Vec<u8>,
    len: usize,
}

impl Chunk {
    pub fn bytes(&self) -> &[u8] {
        &self.buf[..self.len]
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sig {
    Terminate,
    Reload,
}

pub enum Msg {
    Start(usize),
    Data(usize, Chunk),
    End(usize),
    Error(usize, String),
    Signal(Sig),
    Done,
}

/// Start the reader thread. Returns the receiving end for messages, and the
/// sender to return spent chunk buffers on.
/// `stop` asks the reader to stop after handing on what it has already read
/// (SIGTERM); it then sends `Done`. `raw_read` counts the bytes read from
/// files before decompression (for the progress bar).
pub fn spawn_reader(
    paths: Vec<InputPath>,
    chunk_size: usize,
    tx: SyncSender<Msg>,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    raw_read: std::sync::Arc<AtomicU64>,
) -> Sender<Chunk> {
    let (recycle_tx, recycle_rx) = std::sync::mpsc::channel::<Chunk>();
    std::thread::Builder::new()
        .name("ctfilter-reader".into())
        .spawn(move || read_all(paths, chunk_size, tx, recycle_rx, stop, raw_read))
        .expect("spawn reader thread");
    recycle_tx
}

fn read_all(
    paths: Vec<InputPath>,
    chunk_size: usize,
    tx: SyncSender<Msg>,
    recycle: Receiver<Chunk>,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    raw_read: std::sync::Arc<AtomicU64>,
) {
    let stopping = || stop.load(std::sync::atomic::Ordering::SeqCst);
    for (id, path) in paths.iter().enumerate() {
        if stopping() || tx.send(Msg::Start(id)).is_err() {
            let _ = tx.send(Msg::Done);
            return;
        }
        let result = open(path, &raw_read)
            .and_then(|source| pump(id, source, chunk_size, &tx, &recycle, &stopping));
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

/// An opened source.
struct Source {
    reader: Box<dyn Read + Send>,
    /// The descriptor behind `reader` when reads may come back short while
    /// more input is already waiting (a pipe): the chunk is then topped up
    /// with what is ready, without waiting for more.
    fill: Option<std::os::fd::RawFd>,
}

impl Source {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            match self.reader.read(buf) {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                other => return other,
            }
        }
    }

    /// Read once (blocking), then add whatever is ready without blocking.
    /// A pipe hands over at most its buffer (64 KiB) per read; topping up
    /// keeps chunks, and so thread hand-offs, as large as on files.
    fn read_chunk(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let mut n = self.read(buf)?;
        if let Some(fd) = self.fill {
            while n > 0 && n < buf.len() && ready(fd) {
                match self.read(&mut buf[n..])? {
                    0 => break,
                    more => n += more,
                }
            }
        }
        Ok(n)
    }
}

/// Whether `fd` has input (or end of input) to read without blocking.
fn ready(fd: std::os::fd::RawFd) -> bool {
    let mut poll = libc::pollfd {
        fd,
        events: libc::POLLIN,
        revents: 0,
    };
    // SAFETY: one valid pollfd, count 1, zero timeout.
    let n = unsafe { libc::poll(&mut poll, 1, 0) };
    n == 1 && poll.revents & libc::POLLIN != 0
}

/// Sends the whole source; `Ok(false)` when the consumer has gone away.
fn pump(
    id: usize,
    mut source: Source,
    chunk_size: usize,
    tx: &SyncSender<Msg>,
    recycle: &Receiver<Chunk>,
    stopping: &dyn Fn() -> bool,
) -> io::Result<bool> {
    loop {
        if stopping() {
            return Ok(true);
        }
        let mut chunk = recycle.try_recv().unwrap_or_default();
        if chunk.buf.len() < chunk_size {
            chunk.buf.resize(chunk_size, 0);
        }
        let n = source.read_chunk(&mut chunk.buf)?;
        if n == 0 {
            return Ok(true);
        }
        chunk.len = n;
        if tx.send(Msg::Data(id, chunk)).is_err() {
            return Ok(false);
        }
    }
}

/// Open a source, sniffing gzip by its magic bytes.
fn open(path: &InputPath, raw_read: &std::sync::Arc<AtomicU64>) -> io::Result<Source> {
    use std::os::fd::AsRawFd;
    let (raw, fill): (Box<dyn Read + Send>, _) = match path {
        InputPath::Stdin => (Box::new(io::stdin()), Some(io::stdin().as_raw_fd())),
        InputPath::File(p) => {
            let file = File::open(p)?;
            if file.metadata()?.is_dir() {
                return Err(io::Error::other("is a directory"));
            }
            let counted = Counted {
                inner: file,
                count: raw_read.clone(),
            };
            (Box::new(counted), None)
        }
    };
    let mut peek = Peek::new(raw)?;
    if peek.starts_with(&[0x1f, 0x8b]) {
        // The decoder buffers input of its own, so the descriptor says
        // nothing about what it can hand over.
        let reader = Box::new(flate2::read::MultiGzDecoder::new(peek));
        return Ok(Source { reader, fill: None });
    }
    peek.strip_prefix(b"\xEF\xBB\xBF");
    Ok(Source {
        reader: Box::new(peek),
        fill,
    })
}

/// A file that counts the bytes read from it: one atomic add per read call.
struct Counted {
    inner: File,
    count: std::sync::Arc<AtomicU64>,
}

impl Read for Counted {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
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
