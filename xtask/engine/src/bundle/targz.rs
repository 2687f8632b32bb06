//! Our reproducible tar.gz writer: a ustar stream (pax records only for what ustar cannot hold)
//! with one timestamp, modes 0644/0755, no owners, deflated in parallel pieces the pigz way
//! into one gzip member whose header carries no name and no time.

use std::io::{Read, Write};

use anyhow::{Context, Result, bail};
use flate2::Crc;

use super::entry::{self, Entry, Kind, Open};
use super::pipeline::{self, Done, Feed, Mode, Piece, WINDOW};
use super::zip::{Options, Written};

/// gzip: magic, deflate, no flags, no time, no extra flags, OS = Unix (fixed, whatever builds it).
const GZIP_HEADER: [u8; 10] = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3];

/// Tar archives end on a multiple of this (GNU tar's default blocking factor of 20).
const RECORD: u64 = 10_240;

/// Write `entries` (in the order given) as a tar.gz archive.
pub fn write<W: Write>(out: &mut W, entries: &[Entry], open: &mut dyn Open, opts: &Options) -> Result<Written> {
    for e in entries {
        entry::check_name(&e.name)?;
    }
    write_stream(out, opts, |tar| {
        for e in entries {
            let mut content = open.open(e)?;
            tar.append(&e.name, &e.kind, e.size, &mut content, entry::shown(e))?;
        }
        Ok(())
    })
}

/// Write a tar.gz whose members `produce` appends (on the reader thread) in order.
pub fn write_stream<W, P>(out: &mut W, opts: &Options, produce: P) -> Result<Written>
where
    W: Write,
    P: FnOnce(&mut TarStream<'_>) -> Result<()> + Send,
{
    out.write_all(&GZIP_HEADER).context("cannot write the archive")?;
    let mut crc = Crc::new();
    let mut total_in = 0u64;
    let mut total_out = GZIP_HEADER.len() as u64;
    let mut entries = 0usize;
    let entries_ref = &mut entries;
    pipeline::run(
        opts.threads,
        opts.in_flight(),
        |feed: &mut Feed<()>| {
            let mut tar = TarStream {
                feed,
                buf: Vec::with_capacity(opts.piece),
                dict: Vec::new(),
                piece: opts.piece,
                epoch: opts.epoch,
                len: 0,
                entries: 0,
            };
            produce(&mut tar)?;
            *entries_ref = tar.entries;
            tar.finish()
        },
        |done: Done<()>| {
            let Some(packed) = done.packed else { return Ok(()) };
            out.write_all(&packed.data).context("cannot write the archive")?;
            crc.combine(&packed.crc);
            total_in += packed.len;
            total_out += packed.data.len() as u64;
            Ok(())
        },
    )?;
    let mut trailer = [0u8; 8];
    trailer[..4].copy_from_slice(&crc.sum().to_le_bytes());
    trailer[4..].copy_from_slice(&(total_in as u32).to_le_bytes());
    out.write_all(&trailer).context("cannot write the archive")?;
    out.flush().context("cannot write the archive")?;
    Ok(Written { entries, bytes_in: total_in, bytes_out: total_out + 8 })
}

/// The tar stream being cut into pieces for the deflate workers.
pub struct TarStream<'f> {
    feed: &'f mut Feed<()>,
    buf: Vec<u8>,
    dict: Vec<u8>,
    piece: usize,
    epoch: i64,
    len: u64,
    entries: usize,
}

impl TarStream<'_> {
    /// Append one member: its header(s), then exactly `size` bytes of `content`.
    pub fn append(&mut self, name: &str, kind: &Kind, size: u64, content: &mut dyn Read, shown: &str) -> Result<()> {
        entry::check_name(name)?;
        let mode = match kind {
            Kind::File { executable: true } | Kind::Dir => 0o755,
            Kind::File { executable: false } => 0o644,
            Kind::Symlink { .. } => 0o777,
        };
        let (flag, link, size) = match kind {
            Kind::File { .. } => (b'0', "", size),
            Kind::Symlink { target } => (b'2', target.as_str(), 0),
            Kind::Dir => (b'5', "", 0),
        };
        let name = match kind {
            Kind::Dir if !name.ends_with('/') => format!("{name}/"),
            _ => name.to_string(),
        };
        let header = header(&name, mode, size, self.epoch, flag, link);
        self.push(&header)?;
        if size > 0 {
            let mut left = size;
            let mut block = vec![0u8; 64 * 1024];
            while left > 0 {
                let want = left.min(block.len() as u64) as usize;
                let n = content.read(&mut block[..want]).with_context(|| format!("{shown}: cannot read the file"))?;
                if n == 0 {
                    bail!("{shown}: the file shrank while it was archived; run the bundle again");
                }
                self.push(&block[..n])?;
                left -= n as u64;
            }
            if content.read(&mut block[..1]).with_context(|| format!("{shown}: cannot read the file"))? != 0 {
                bail!("{shown}: the file grew while it was archived; run the bundle again");
            }
            let pad = (512 - size % 512) % 512;
            self.push(&vec![0u8; pad as usize])?;
        }
        self.entries += 1;
        Ok(())
    }

    fn push(&mut self, mut bytes: &[u8]) -> Result<()> {
        self.len += bytes.len() as u64;
        while !bytes.is_empty() {
            let room = self.piece - self.buf.len();
            let take = room.min(bytes.len());
            self.buf.extend_from_slice(&bytes[..take]);
            bytes = &bytes[take..];
            if self.buf.len() == self.piece {
                self.emit(false)?;
            }
        }
        Ok(())
    }

    fn emit(&mut self, finish: bool) -> Result<()> {
        let data = std::mem::replace(&mut self.buf, Vec::with_capacity(self.piece));
        let next_dict = if finish { Vec::new() } else { data[data.len().saturating_sub(WINDOW)..].to_vec() };
        let dict = std::mem::replace(&mut self.dict, next_dict);
        self.feed.piece((), Piece { data, dict, mode: Mode::Deflate { finish } })
    }

    /// The end-of-archive blocks, padding to a whole record, and the end of the deflate stream.
    fn finish(mut self) -> Result<()> {
        let end = self.len + 1024;
        let padded = end.div_ceil(RECORD) * RECORD;
        self.push(&vec![0u8; (padded - self.len) as usize])?;
        self.emit(true)
    }
}

/// The header block(s) of one member: a pax record first when the name, the link or the size
/// does not fit ustar.
pub fn header(name: &str, mode: u32, size: u64, mtime: i64, flag: u8, link: &str) -> Vec<u8> {
    let split = split_name(name);
    let mut pax = String::new();
    if split.is_none() {
        pax.push_str(&record("path", name));
    }
    if link.len() > 100 {
        pax.push_str(&record("linkpath", link));
    }
    let big = size > 0o77_777_777_777;
    if big {
        pax.push_str(&record("size", &size.to_string()));
    }
    let mut out = Vec::with_capacity(1536);
    if !pax.is_empty() {
        let body = pax.into_bytes();
        out.extend_from_slice(&block("././@PaxHeader", "", 0o644, body.len() as u64, mtime, b'x', ""));
        out.extend_from_slice(&body);
        out.resize(out.len().div_ceil(512) * 512, 0);
    }
    let (prefix, short) = split.unwrap_or(("", truncate(name, 100)));
    out.extend_from_slice(&block(short, prefix, mode, if big { 0 } else { size }, mtime, flag, truncate(link, 100)));
    out
}

/// A pax record: `LEN key=value\n`, where LEN counts the whole record including itself.
fn record(key: &str, value: &str) -> String {
    let body = key.len() + value.len() + 3;
    let mut len = body + body.to_string().len();
    if len.to_string().len() > body.to_string().len() {
        len += 1;
    }
    format!("{len} {key}={value}\n")
}

/// ustar's name (100 bytes) and prefix (155 bytes) split at a `/`; `None` when it cannot fit.
fn split_name(name: &str) -> Option<(&str, &str)> {
    if name.len() <= 100 {
        return Some(("", name));
    }
    let bytes = name.as_bytes();
    (0..name.len().min(156))
        .filter(|&i| bytes[i] == b'/')
        .find(|&i| name.len() - i - 1 <= 100 && name.len() - i - 1 > 0)
        .map(|i| (&name[..i], &name[i + 1..]))
}

fn truncate(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

fn block(name: &str, prefix: &str, mode: u32, size: u64, mtime: i64, flag: u8, link: &str) -> [u8; 512] {
    let mut h = [0u8; 512];
    let put = |h: &mut [u8; 512], at: usize, bytes: &[u8]| h[at..at + bytes.len()].copy_from_slice(bytes);
    let octal = |h: &mut [u8; 512], at: usize, width: usize, value: u64| {
        let text = format!("{value:0w$o}", w = width - 1);
        h[at..at + width - 1].copy_from_slice(text.as_bytes());
    };
    put(&mut h, 0, name.as_bytes());
    octal(&mut h, 100, 8, u64::from(mode));
    octal(&mut h, 108, 8, 0);
    octal(&mut h, 116, 8, 0);
    octal(&mut h, 124, 12, size);
    octal(&mut h, 136, 12, mtime.clamp(0, 0o77_777_777_777) as u64);
    h[156] = flag;
    put(&mut h, 157, link.as_bytes());
    put(&mut h, 257, b"ustar\0");
    put(&mut h, 263, b"00");
    octal(&mut h, 329, 8, 0);
    octal(&mut h, 337, 8, 0);
    put(&mut h, 345, prefix.as_bytes());
    h[148..156].fill(b' ');
    let sum: u32 = h.iter().map(|&b| u32::from(b)).sum();
    let text = format!("{sum:06o}\0 ");
    h[148..156].copy_from_slice(text.as_bytes());
    h
}

#[cfg(test)]
#[path = "targz_tests.rs"]
mod tests;
