//! The ordered parallel deflate pipeline under the zip and tar.gz writers: one producer reads
//! and cuts the input into pieces, every core deflates pieces, and the consumer receives the
//! results in the producer's order. Memory is bounded by the pieces in flight, never by the
//! size of the input.

use std::collections::BTreeMap;
use std::sync::mpsc::{self, Receiver, SyncSender};
use std::sync::{Arc, Mutex};

use anyhow::{Context, Result, anyhow};
use flate2::{Compress, Compression, Crc, FlushCompress, Status};

/// The deflate level of every archive (zlib's default; what `zip -6` and `gzip -6` use).
pub const LEVEL: u32 = 6;

/// The deflate window: the dictionary a piece borrows from the one before it.
pub const WINDOW: usize = 32 * 1024;

/// How a piece is compressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Kept as it is (already-compressed data, symlink targets, empty files); only the CRC.
    Store,
    /// Deflated as a complete stream; kept as it is when deflate does not make it smaller.
    TryDeflate,
    /// Part of a longer raw deflate stream: `finish` ends the stream, otherwise the piece ends
    /// with a sync flush so the next piece starts on a byte boundary.
    Deflate { finish: bool },
}

/// One piece of input, with the bytes before it that deflate may refer back to.
pub struct Piece {
    pub data: Vec<u8>,
    /// Up to [`WINDOW`] bytes that precede `data` in the same stream (empty at its start).
    pub dict: Vec<u8>,
    pub mode: Mode,
}

/// A piece after compression.
pub struct Packed {
    /// The deflated bytes, or the original ones when `stored`.
    pub data: Vec<u8>,
    pub stored: bool,
    /// CRC-32 of the original bytes.
    pub crc: Crc,
    /// Length of the original bytes.
    pub len: u64,
}

/// What the consumer receives, in order: the producer's label and, for a piece, its result.
pub struct Done<M> {
    pub meta: M,
    pub packed: Option<Packed>,
}

/// The producer's end of the pipeline.
pub struct Feed<M> {
    tokens: Receiver<()>,
    work: SyncSender<(u64, M, Piece)>,
    done: mpsc::Sender<(u64, Result<Done<M>>)>,
    seq: u64,
}

/// The consumer stopped (an error of its own ends the run); the producer should return.
#[derive(Debug)]
pub struct Stopped;

impl std::fmt::Display for Stopped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the archive writer stopped")
    }
}

impl std::error::Error for Stopped {}

impl<M: Send> Feed<M> {
    fn token(&mut self) -> Result<u64> {
        crate::interrupt::check()?;
        self.tokens.recv().map_err(|_| anyhow!(Stopped))?;
        self.seq += 1;
        Ok(self.seq - 1)
    }

    /// Queue a piece for compression; blocks while too many pieces are in flight.
    pub fn piece(&mut self, meta: M, piece: Piece) -> Result<()> {
        let seq = self.token()?;
        self.work.send((seq, meta, piece)).map_err(|_| anyhow!(Stopped))
    }

    /// Pass a label through in order, without compressing anything.
    pub fn mark(&mut self, meta: M) -> Result<()> {
        let seq = self.token()?;
        self.done.send((seq, Ok(Done { meta, packed: None }))).map_err(|_| anyhow!(Stopped))
    }
}

/// The variable that sets how many threads compress (default: every core).
pub const THREADS_VAR: &str = "XTASK_BUNDLE_THREADS";

/// How many threads compress: `XTASK_BUNDLE_THREADS` when it is set, else every core. The
/// archives are the same bytes whatever the number.
pub fn threads() -> Result<usize> {
    match std::env::var(THREADS_VAR).ok().filter(|v| !v.trim().is_empty()) {
        Some(v) => match v.trim().parse::<usize>() {
            Ok(n) if n > 0 => Ok(n),
            _ => Err(anyhow!(
                "{THREADS_VAR}={v} is not a number of threads; unset it (every core) or set it to 1 or more"
            )),
        },
        None => Ok(std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)),
    }
}

/// Run `produce` on its own thread and `threads` deflate workers; call `consume` on this thread
/// with every result in the order produced. At most `in_flight` pieces exist at once.
pub fn run<M, P, C>(threads: usize, in_flight: usize, produce: P, mut consume: C) -> Result<()>
where
    M: Send,
    P: FnOnce(&mut Feed<M>) -> Result<()> + Send,
    C: FnMut(Done<M>) -> Result<()>,
{
    let threads = threads.max(1);
    let in_flight = in_flight.max(threads);
    let (token_tx, token_rx) = mpsc::sync_channel::<()>(in_flight);
    for _ in 0..in_flight {
        token_tx.send(()).expect("the token channel has room for every token");
    }
    let (work_tx, work_rx) = mpsc::sync_channel::<(u64, M, Piece)>(in_flight);
    let (done_tx, done_rx) = mpsc::channel::<(u64, Result<Done<M>>)>();
    let work_rx = Arc::new(Mutex::new(work_rx));

    std::thread::scope(|scope| {
        for _ in 0..threads {
            let work_rx = Arc::clone(&work_rx);
            let done_tx = done_tx.clone();
            scope.spawn(move || {
                let mut deflater = Compress::new(Compression::new(LEVEL), false);
                loop {
                    let job = match work_rx.lock() {
                        Ok(rx) => rx.recv(),
                        Err(_) => return,
                    };
                    let Ok((seq, meta, piece)) = job else { return };
                    let result = pack(&mut deflater, piece).map(|packed| Done { meta, packed: Some(packed) });
                    if done_tx.send((seq, result)).is_err() {
                        return;
                    }
                }
            });
        }
        // Only the workers may hold the work queue: when they are gone, the producer's sends fail
        // instead of blocking on a full queue.
        drop(work_rx);
        let mut feed = Feed { tokens: token_rx, work: work_tx, done: done_tx, seq: 0 };
        let producer = scope.spawn(move || {
            let result = produce(&mut feed);
            // Dropping the feed closes the work queue: the workers finish and exit.
            drop(feed);
            result
        });

        let consumed = consume_in_order(&done_rx, &token_tx, &mut consume);
        // Whatever happened, unblock the producer and the workers before joining them.
        drop(token_tx);
        drop(done_rx);
        let produced = producer.join().unwrap_or_else(|_| Err(anyhow!("the archive reader panicked")));
        match (produced, consumed) {
            (Err(err), _) if !err.is::<Stopped>() => Err(err),
            (_, Err(err)) => Err(err),
            (Err(err), Ok(())) => Err(err),
            (Ok(()), Ok(())) => Ok(()),
        }
    })
}

fn consume_in_order<M, C>(
    done_rx: &Receiver<(u64, Result<Done<M>>)>,
    token_tx: &SyncSender<()>,
    consume: &mut C,
) -> Result<()>
where
    C: FnMut(Done<M>) -> Result<()>,
{
    let mut next = 0u64;
    let mut waiting: BTreeMap<u64, Result<Done<M>>> = BTreeMap::new();
    // The loop ends when every sender is gone: the producer finished and the workers drained.
    for (seq, result) in done_rx.iter() {
        waiting.insert(seq, result);
        while let Some(result) = waiting.remove(&next) {
            next += 1;
            consume(result?)?;
            // The piece is written: let the producer read another.
            let _ = token_tx.try_send(());
        }
    }
    if let Some((seq, _)) = waiting.into_iter().next() {
        return Err(anyhow!("archive piece {seq} arrived without the ones before it"));
    }
    Ok(())
}

/// Compress one piece (on a worker thread). The bytes depend on the piece alone: `deflater`
/// (the worker's, reset here) is reused only for pieces without a dictionary.
pub fn pack(deflater: &mut Compress, piece: Piece) -> Result<Packed> {
    let mut crc = Crc::new();
    crc.update(&piece.data);
    let len = piece.data.len() as u64;
    let (flush, fallback) = match piece.mode {
        Mode::Store => return Ok(Packed { data: piece.data, stored: true, crc, len }),
        Mode::TryDeflate => (FlushCompress::Finish, true),
        Mode::Deflate { finish: true } => (FlushCompress::Finish, false),
        Mode::Deflate { finish: false } => (FlushCompress::Sync, false),
    };
    let out = if piece.dict.is_empty() {
        deflater.reset();
        deflate(deflater, &piece.data, flush)?
    } else {
        // A fresh compressor, never the worker's: zlib-rs's `set_dictionary` hashes the
        // dictionary's last string with the byte after it, which in a reused compressor is
        // whatever its previous stream left in the window. Which piece a worker did before
        // depends on scheduling, so reuse made the archive differ from run to run.
        let mut fresh = Compress::new(Compression::new(LEVEL), false);
        fresh.set_dictionary(&piece.dict).context("deflate refused the window of the previous piece")?;
        deflate(&mut fresh, &piece.data, flush)?
    };
    if fallback && out.len() >= piece.data.len() {
        return Ok(Packed { data: piece.data, stored: true, crc, len });
    }
    Ok(Packed { data: out, stored: false, crc, len })
}

fn deflate(deflater: &mut Compress, input: &[u8], flush: FlushCompress) -> Result<Vec<u8>> {
    // Deflate's worst case is a few bytes per 16 KiB stored block; start there.
    let mut out = Vec::with_capacity(input.len() + input.len() / 1000 + 64);
    let start = deflater.total_in();
    loop {
        let consumed = (deflater.total_in() - start) as usize;
        let status = deflater.compress_vec(&input[consumed..], &mut out, flush).context("deflate failed")?;
        let consumed = (deflater.total_in() - start) as usize;
        let room = out.len() < out.capacity();
        match (flush, status) {
            (FlushCompress::Finish, Status::StreamEnd) => return Ok(out),
            (FlushCompress::Sync, _) if consumed == input.len() && room => return Ok(out),
            _ => {}
        }
        if !room {
            out.reserve(out.capacity() / 4 + 1024);
        }
    }
}

#[cfg(test)]
#[path = "pipeline_tests.rs"]
mod tests;
