//! Our reproducible zip writer: entries deflated in parallel, written in order; no extra fields
//! but Zip64's, one fixed timestamp, Unix modes 0644/0755; already-compressed data stored.

use std::io::{Read, Seek, SeekFrom, Write};

use anyhow::{Context, Result, bail};

use super::entry::{self, Entry, Kind, Open};
use super::pipeline::{self, Done, Feed, Mode, Piece, WINDOW};

/// How archives are written.
#[derive(Debug, Clone)]
pub struct Options {
    /// Seconds since the epoch for every entry (the commit time or `SOURCE_DATE_EPOCH`).
    pub epoch: i64,
    pub threads: usize,
    /// Input bytes per piece of work; a larger file becomes several pieces of one stream.
    pub piece: usize,
    /// Write Zip64 records even when nothing needs them (tests of the Zip64 path).
    pub force_zip64: bool,
}

impl Options {
    /// Every core (or `XTASK_BUNDLE_THREADS`), pieces of 1 MiB.
    pub fn new(epoch: i64) -> Result<Options> {
        Ok(Options { epoch, threads: pipeline::threads()?, piece: 1 << 20, force_zip64: false })
    }

    /// Pieces in flight: enough to keep every thread busy while the writer catches up.
    pub fn in_flight(&self) -> usize {
        self.threads * 2 + 2
    }
}

/// What was written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Written {
    pub entries: usize,
    pub bytes_in: u64,
    pub bytes_out: u64,
}

/// Above this size an entry gets Zip64 sizes (deflate can grow incompressible data a little).
const ZIP64_SIZE: u64 = 0xF000_0000;
const MAX32: u64 = 0xFFFF_FFFF;

/// Which piece of which entry.
struct Meta {
    entry: usize,
    first: bool,
    last: bool,
}

struct Record {
    name: Vec<u8>,
    flags: u16,
    method: u16,
    crc: u32,
    csize: u64,
    usize: u64,
    offset: u64,
    mode: u32,
    zip64: bool,
}

/// Write `entries` (in the order given) as a zip archive to `out`.
pub fn write<W: Write + Seek>(out: &mut W, entries: &[Entry], open: &mut dyn Open, opts: &Options) -> Result<Written> {
    for e in entries {
        entry::check_name(&e.name)?;
    }
    let (time, date) = dos_time(opts.epoch);
    let mut zip = ZipOut { out, offset: 0, records: Vec::with_capacity(entries.len()), time, date, current: None };
    pipeline::run(
        opts.threads,
        opts.in_flight(),
        |feed: &mut Feed<Meta>| produce(feed, entries, open, opts),
        |done: Done<Meta>| zip.consume(done, entries, opts),
    )?;
    let bytes_in = zip.records.iter().map(|r| r.usize).sum();
    zip.finish(opts.force_zip64)?;
    Ok(Written { entries: entries.len(), bytes_in, bytes_out: zip.offset })
}

fn produce(feed: &mut Feed<Meta>, entries: &[Entry], open: &mut dyn Open, opts: &Options) -> Result<()> {
    for (i, e) in entries.iter().enumerate() {
        let meta = |first, last| Meta { entry: i, first, last };
        let store = !matches!(e.kind, Kind::File { .. }) || e.size == 0 || entry::compressed_by_name(&e.name);
        if e.size <= opts.piece as u64 || !matches!(e.kind, Kind::File { .. }) {
            let data = read_all(open, e)?;
            let mode = if store { Mode::Store } else { Mode::TryDeflate };
            feed.piece(meta(true, true), Piece { data, dict: Vec::new(), mode })?;
            continue;
        }
        // A long file: pieces of one deflate stream (or stored pieces), each with the window before it.
        let shown = entry::shown(e).to_string();
        let mut reader = open.open(e)?;
        let mut left = e.size;
        let mut dict = Vec::new();
        let mut first = true;
        while left > 0 {
            let want = left.min(opts.piece as u64) as usize;
            let mut data = vec![0u8; want];
            reader.read_exact(&mut data).map_err(|err| changed_or(err, &shown))?;
            left -= want as u64;
            let last = left == 0;
            if last {
                ensure_ended(&mut reader, &shown)?;
            }
            let next_dict = if store || last { Vec::new() } else { data[data.len().saturating_sub(WINDOW)..].to_vec() };
            let mode = if store { Mode::Store } else { Mode::Deflate { finish: last } };
            feed.piece(meta(first, last), Piece { data, dict: std::mem::replace(&mut dict, next_dict), mode })?;
            first = false;
        }
    }
    Ok(())
}

/// The whole content of a small entry, checked against the size it was listed with.
pub fn read_all(open: &mut dyn Open, e: &Entry) -> Result<Vec<u8>> {
    let shown = entry::shown(e).to_string();
    let mut reader = open.open(e)?;
    let mut data = Vec::with_capacity(e.size as usize);
    reader.by_ref().take(e.size).read_to_end(&mut data).with_context(|| format!("{shown}: cannot read the file"))?;
    if data.len() as u64 != e.size {
        bail!(
            "{shown}: the file changed while it was archived ({} bytes, then {}); run the bundle again",
            e.size,
            data.len()
        );
    }
    ensure_ended(&mut reader, &shown)?;
    Ok(data)
}

fn ensure_ended(reader: &mut dyn Read, shown: &str) -> Result<()> {
    let mut probe = [0u8; 1];
    match reader.read(&mut probe) {
        Ok(0) => Ok(()),
        Ok(_) => bail!("{shown}: the file grew while it was archived; run the bundle again"),
        Err(err) => Err(err).with_context(|| format!("{shown}: cannot read the file")),
    }
}

fn changed_or(err: std::io::Error, shown: &str) -> anyhow::Error {
    if err.kind() == std::io::ErrorKind::UnexpectedEof {
        anyhow::anyhow!("{shown}: the file shrank while it was archived; run the bundle again")
    } else {
        anyhow::Error::new(err).context(format!("{shown}: cannot read the file"))
    }
}

struct ZipOut<'w, W: Write + Seek> {
    out: &'w mut W,
    offset: u64,
    records: Vec<Record>,
    time: u16,
    date: u16,
    /// The entry being written across several pieces: (record index, crc so far).
    current: Option<(usize, flate2::Crc)>,
}

impl<W: Write + Seek> ZipOut<'_, W> {
    fn put(&mut self, bytes: &[u8]) -> Result<()> {
        self.out.write_all(bytes).context("cannot write the archive")?;
        self.offset += bytes.len() as u64;
        Ok(())
    }

    fn consume(&mut self, done: Done<Meta>, entries: &[Entry], opts: &Options) -> Result<()> {
        let Some(packed) = done.packed else { return Ok(()) };
        let meta = done.meta;
        if meta.first {
            let e = &entries[meta.entry];
            let name = e.name.clone().into_bytes();
            let zip64 = opts.force_zip64 || e.size >= ZIP64_SIZE;
            let single = meta.last;
            let record = Record {
                flags: if e.name.is_ascii() { 0 } else { 1 << 11 },
                method: if packed.stored { 0 } else { 8 },
                crc: if single { packed.crc.sum() } else { 0 },
                csize: if single { packed.data.len() as u64 } else { 0 },
                usize: if single { packed.len } else { 0 },
                offset: self.offset,
                mode: e.unix_mode(),
                zip64,
                name,
            };
            let header = local_header(&record, self.time, self.date);
            self.put(&header)?;
            self.records.push(record);
            self.current = Some((self.records.len() - 1, flate2::Crc::new()));
        }
        let (index, mut crc) = self.current.take().context("a piece arrived before its entry")?;
        self.put(&packed.data)?;
        if !(meta.first && meta.last) {
            crc.combine(&packed.crc);
            let r = &mut self.records[index];
            r.csize += packed.data.len() as u64;
            r.usize += packed.len;
        }
        if meta.last {
            if !meta.first {
                let r = &mut self.records[index];
                r.crc = crc.sum();
                let header = local_header(r, self.time, self.date);
                let at = r.offset;
                self.out.seek(SeekFrom::Start(at)).context("cannot write the archive")?;
                self.out.write_all(&header).context("cannot write the archive")?;
                self.out.seek(SeekFrom::Start(self.offset)).context("cannot write the archive")?;
            }
        } else {
            self.current = Some((index, crc));
        }
        Ok(())
    }

    fn finish(&mut self, force_zip64: bool) -> Result<()> {
        let cd_start = self.offset;
        let records = std::mem::take(&mut self.records);
        for r in &records {
            let header = central_header(r, self.time, self.date);
            self.put(&header)?;
        }
        let cd_size = self.offset - cd_start;
        let count = records.len() as u64;
        let zip64 = force_zip64 || count >= 0xFFFF || cd_start >= MAX32 || cd_size >= MAX32;
        let mut tail = Vec::with_capacity(98);
        if zip64 {
            let eocd64 = self.offset;
            tail.extend_from_slice(&0x0606_4b50u32.to_le_bytes());
            tail.extend_from_slice(&44u64.to_le_bytes());
            tail.extend_from_slice(&VERSION_MADE_BY_64.to_le_bytes());
            tail.extend_from_slice(&45u16.to_le_bytes());
            tail.extend_from_slice(&0u32.to_le_bytes());
            tail.extend_from_slice(&0u32.to_le_bytes());
            tail.extend_from_slice(&count.to_le_bytes());
            tail.extend_from_slice(&count.to_le_bytes());
            tail.extend_from_slice(&cd_size.to_le_bytes());
            tail.extend_from_slice(&cd_start.to_le_bytes());
            tail.extend_from_slice(&0x0706_4b50u32.to_le_bytes());
            tail.extend_from_slice(&0u32.to_le_bytes());
            tail.extend_from_slice(&eocd64.to_le_bytes());
            tail.extend_from_slice(&1u32.to_le_bytes());
        }
        let count16 = if zip64 { 0xFFFF } else { count as u16 };
        tail.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
        tail.extend_from_slice(&0u16.to_le_bytes());
        tail.extend_from_slice(&0u16.to_le_bytes());
        tail.extend_from_slice(&count16.to_le_bytes());
        tail.extend_from_slice(&count16.to_le_bytes());
        tail.extend_from_slice(&(if zip64 { MAX32 } else { cd_size } as u32).to_le_bytes());
        tail.extend_from_slice(&(if zip64 { MAX32 } else { cd_start } as u32).to_le_bytes());
        tail.extend_from_slice(&0u16.to_le_bytes());
        self.put(&tail)?;
        self.out.flush().context("cannot write the archive")
    }
}

/// Unix (3) in the high byte; spec version 2.0, or 4.5 with Zip64.
const VERSION_MADE_BY: u16 = 0x0314;
const VERSION_MADE_BY_64: u16 = 0x032D;

fn local_header(r: &Record, time: u16, date: u16) -> Vec<u8> {
    let mut h = Vec::with_capacity(30 + r.name.len() + 20);
    h.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
    h.extend_from_slice(&(if r.zip64 { 45u16 } else { 20 }).to_le_bytes());
    h.extend_from_slice(&r.flags.to_le_bytes());
    h.extend_from_slice(&r.method.to_le_bytes());
    h.extend_from_slice(&time.to_le_bytes());
    h.extend_from_slice(&date.to_le_bytes());
    h.extend_from_slice(&r.crc.to_le_bytes());
    let (csize, usize) = if r.zip64 { (MAX32, MAX32) } else { (r.csize, r.usize) };
    h.extend_from_slice(&(csize as u32).to_le_bytes());
    h.extend_from_slice(&(usize as u32).to_le_bytes());
    h.extend_from_slice(&(r.name.len() as u16).to_le_bytes());
    h.extend_from_slice(&(if r.zip64 { 20u16 } else { 0 }).to_le_bytes());
    h.extend_from_slice(&r.name);
    if r.zip64 {
        h.extend_from_slice(&1u16.to_le_bytes());
        h.extend_from_slice(&16u16.to_le_bytes());
        h.extend_from_slice(&r.usize.to_le_bytes());
        h.extend_from_slice(&r.csize.to_le_bytes());
    }
    h
}

fn central_header(r: &Record, time: u16, date: u16) -> Vec<u8> {
    // Zip64 fields appear for the values marked 0xFFFFFFFF, in this order; an entry with Zip64
    // sizes carries its offset there too.
    let big_sizes = r.zip64;
    let big_offset = r.zip64 || r.offset >= MAX32;
    let mut extra = Vec::new();
    if big_sizes {
        extra.extend_from_slice(&r.usize.to_le_bytes());
        extra.extend_from_slice(&r.csize.to_le_bytes());
    }
    if big_offset {
        extra.extend_from_slice(&r.offset.to_le_bytes());
    }
    let zip64 = big_sizes || big_offset;
    let mut h = Vec::with_capacity(46 + r.name.len() + 28);
    h.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
    h.extend_from_slice(&(if zip64 { VERSION_MADE_BY_64 } else { VERSION_MADE_BY }).to_le_bytes());
    h.extend_from_slice(&(if zip64 { 45u16 } else { 20 }).to_le_bytes());
    h.extend_from_slice(&r.flags.to_le_bytes());
    h.extend_from_slice(&r.method.to_le_bytes());
    h.extend_from_slice(&time.to_le_bytes());
    h.extend_from_slice(&date.to_le_bytes());
    h.extend_from_slice(&r.crc.to_le_bytes());
    let (csize, usize) = if big_sizes { (MAX32, MAX32) } else { (r.csize, r.usize) };
    h.extend_from_slice(&(csize as u32).to_le_bytes());
    h.extend_from_slice(&(usize as u32).to_le_bytes());
    h.extend_from_slice(&(r.name.len() as u16).to_le_bytes());
    h.extend_from_slice(&(if extra.is_empty() { 0u16 } else { extra.len() as u16 + 4 }).to_le_bytes());
    h.extend_from_slice(&0u16.to_le_bytes()); // comment
    h.extend_from_slice(&0u16.to_le_bytes()); // disk
    h.extend_from_slice(&0u16.to_le_bytes()); // internal attributes
    let dos_dir = if r.mode & 0o170_000 == 0o040_000 { 0x10 } else { 0 };
    h.extend_from_slice(&((r.mode << 16) | dos_dir).to_le_bytes());
    h.extend_from_slice(&(if big_offset { MAX32 } else { r.offset } as u32).to_le_bytes());
    h.extend_from_slice(&r.name);
    if !extra.is_empty() {
        h.extend_from_slice(&1u16.to_le_bytes());
        h.extend_from_slice(&(extra.len() as u16).to_le_bytes());
        h.extend_from_slice(&extra);
    }
    h
}

/// MS-DOS time and date of `epoch` read as UTC, clamped to what the format holds (1980-2107).
pub fn dos_time(epoch: i64) -> (u16, u16) {
    let min = 315_532_800; // 1980-01-01T00:00:00Z
    let max = 4_354_819_198; // 2107-12-31T23:59:58Z
    let t = epoch.clamp(min, max);
    let (days, secs) = (t.div_euclid(86_400), t.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    let time = (((secs / 3600) << 11) | ((secs % 3600 / 60) << 5) | ((secs % 60) / 2)) as u16;
    let date = (((y - 1980) << 9) | (m << 5) | d) as u16;
    (time, date)
}

/// Days since 1970-01-01 to (year, month, day) in the proleptic Gregorian calendar.
pub fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

#[cfg(test)]
#[path = "zip_tests.rs"]
mod tests;
