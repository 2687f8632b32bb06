//! Our zip reader, for archives anyone wrote (collected wheels, bundles under `--verify`): the
//! central directory (Zip64 too), and each member streamed from its local header with its
//! CRC-32 and size checked. Stored and deflate only. The input may be hostile: every size and
//! offset is checked against the file before it is used, and none of them sizes an allocation.

use std::io::{self, Read, Seek, SeekFrom, Take};

use anyhow::{Context, Result, bail, ensure};
use flate2::read::DeflateDecoder;

const MAX16: u64 = 0xFFFF;
const MAX32: u64 = 0xFFFF_FFFF;
const EOCD_LEN: u64 = 22;
const LOCATOR_LEN: u64 = 20;
const EOCD64_LEN: u64 = 56;
const CENTRAL_LEN: usize = 46;
const LOCAL_LEN: usize = 30;
/// The end record is followed by a comment of at most 65,535 bytes.
const TAIL_MAX: u64 = EOCD_LEN + MAX16;
/// End record signatures tried, last first: enough for a comment or junk that holds one, and
/// no quadratic work for a file full of them.
const MAX_CANDIDATES: usize = 8;

const EOCD_SIG: u32 = 0x0605_4b50;
const LOCATOR_SIG: u32 = 0x0706_4b50;
const EOCD64_SIG: u32 = 0x0606_4b50;
const CENTRAL_SIG: u32 = 0x0201_4b50;
const LOCAL_SIG: u32 = 0x0403_4b50;
const ZIP64_EXTRA: u16 = 0x0001;

const FLAG_ENCRYPTED: u16 = 1;
const FLAG_DATA_DESCRIPTOR: u16 = 1 << 3;
const HOST_DOS: u8 = 0;
const HOST_UNIX: u8 = 3;
pub const STORED: u16 = 0;
pub const DEFLATED: u16 = 8;

/// One member as the central directory lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// The name's bytes as stored (UTF-8 in practice; no encoding is applied).
    pub name: Vec<u8>,
    /// The Unix mode with its file type bits, when the archive says one.
    pub mode: Option<u32>,
    pub flags: u16,
    pub method: u16,
    /// MS-DOS time and date of the last change.
    pub dos_time: u16,
    pub dos_date: u16,
    pub crc: u32,
    pub compressed: u64,
    pub size: u64,
    /// Where the member's local header starts.
    pub offset: u64,
    /// Bytes of extra fields in the central record.
    pub extra_len: usize,
}

impl Record {
    /// A folder: its name ends with `/`.
    pub fn is_dir(&self) -> bool {
        self.name.ends_with(b"/")
    }

    /// The type bits of the mode say symlink.
    pub fn is_symlink(&self) -> bool {
        self.mode.is_some_and(|m| m & 0o170_000 == 0o120_000)
    }

    /// The year of the last change (the DOS date counts from 1980).
    pub fn year(&self) -> u16 {
        1980 + (self.dos_date >> 9)
    }

    /// The name for messages: lossy UTF-8.
    pub fn shown(&self) -> String {
        String::from_utf8_lossy(&self.name).into_owned()
    }
}

/// A zip archive opened for reading.
pub struct Archive<R> {
    reader: R,
    /// Where the central directory starts: every member's data ends before it.
    data_end: u64,
    records: Vec<Record>,
}

impl<R: Read + Seek> Archive<R> {
    /// Read the end records and the central directory. Like the zip crate and Python's
    /// zipfile, bytes before the archive (a self-extracting stub) or after its end record
    /// (junk appended to the file) are allowed.
    pub fn new(mut reader: R) -> Result<Archive<R>> {
        let len = reader.seek(SeekFrom::End(0)).context("cannot read the archive")?;
        ensure!(len >= EOCD_LEN, "not a zip archive ({len} bytes, too short for the end record)");
        let tail_len = len.min(TAIL_MAX);
        let tail_start = len - tail_len;
        let tail = read_at(&mut reader, tail_start, tail_len as usize).context("cannot read the end of the archive")?;
        let mut first_error = None;
        for pos in end_candidates(&tail).take(MAX_CANDIDATES) {
            match directory(&mut reader, &tail[pos..], tail_start + pos as u64) {
                Ok((data_end, records)) => return Ok(Archive { reader, data_end, records }),
                Err(err) => {
                    first_error.get_or_insert(err);
                }
            }
        }
        Err(first_error
            .unwrap_or_else(|| anyhow::anyhow!("no end of central directory record: not a zip archive, or truncated")))
    }

    pub fn len(&self) -> usize {
        self.records.len()
    }

    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    pub fn records(&self) -> &[Record] {
        &self.records
    }

    /// Open member `i`: its local header is checked against the central record, and the
    /// reader fails at the end when the CRC-32 or the size differs.
    pub fn open(&mut self, i: usize) -> Result<MemberReader<'_, R>> {
        let record = self.records.get(i).with_context(|| format!("there is no member {i}"))?;
        let shown = record.shown();
        ensure!(record.flags & FLAG_ENCRYPTED == 0, "{shown}: encrypted members cannot be read");
        ensure!(
            matches!(record.method, STORED | DEFLATED),
            "{shown}: compression method {} is not supported (only stored and deflate)",
            record.method
        );
        ensure!(
            record.method != STORED || record.compressed == record.size,
            "{shown}: a stored member of {} bytes takes {} bytes in the archive",
            record.size,
            record.compressed
        );
        let start = data_start(&mut self.reader, record, self.data_end)?;
        self.reader.seek(SeekFrom::Start(start)).with_context(|| format!("{shown}: cannot read the member"))?;
        let raw = (&mut self.reader).take(record.compressed);
        let body = match record.method {
            STORED => Body::Stored(raw),
            _ => Body::Deflated(DeflateDecoder::new(raw)),
        };
        Ok(MemberReader { record, body, crc: flate2::Crc::new(), read: 0 })
    }
}

/// The end of central directory, Zip64's values when it has them.
struct End {
    /// Where the end record (the Zip64 one when present) starts.
    at: u64,
    count: u64,
    cd_size: u64,
    cd_offset: u64,
}

/// Where an end record may start in `tail` (the end of the file), last first: its signature,
/// and a comment that ends inside the file.
fn end_candidates(tail: &[u8]) -> impl Iterator<Item = usize> + '_ {
    (0..=tail.len() - EOCD_LEN as usize)
        .rev()
        .filter(|&p| u32_at(tail, p) == EOCD_SIG && p + EOCD_LEN as usize + u16_at(tail, p + 20) as usize <= tail.len())
}

/// The central directory of the end record `r` (at `at` in the file): where the members' data
/// ends, and the records, their offsets moved by any bytes before the archive.
fn directory<R: Read + Seek>(reader: &mut R, r: &[u8], at: u64) -> Result<(u64, Vec<Record>)> {
    let end = end_record(reader, r, at)?;
    ensure!(
        end.cd_offset.checked_add(end.cd_size).is_some_and(|e| e <= end.at),
        "the central directory ({} bytes at offset {}) lies outside the file; the archive is truncated or damaged",
        end.cd_size,
        end.cd_offset
    );
    // Each record takes at least 46 bytes, so the count cannot claim more than fit.
    ensure!(
        end.count <= end.cd_size / CENTRAL_LEN as u64,
        "the end record lists {} members, more than its {}-byte central directory can hold",
        end.count,
        end.cd_size
    );
    // The directory ends where the end record starts; when it is not where the end record
    // says, that many bytes came before the archive (as Python's zipfile reads it).
    let prefix = end.at - end.cd_offset - end.cd_size;
    let prefix = if prefix > 0 && read_at(reader, end.cd_offset, 4).is_ok_and(|sig| u32_at(&sig, 0) == CENTRAL_SIG) {
        0
    } else {
        prefix
    };
    let cd_start = end.cd_offset + prefix;
    let mut cd = Vec::new();
    reader.seek(SeekFrom::Start(cd_start)).context("cannot read the central directory")?;
    reader.by_ref().take(end.cd_size).read_to_end(&mut cd).context("cannot read the central directory")?;
    ensure!(cd.len() as u64 == end.cd_size, "the central directory is truncated");
    let mut records = parse_central(&cd, end.count)?;
    for r in &mut records {
        r.offset = r.offset.checked_add(prefix).context("a member's offset overflows")?;
    }
    Ok((cd_start, records))
}

/// The end record `r` (at `at`), or the Zip64 one it leads to.
fn end_record<R: Read + Seek>(reader: &mut R, r: &[u8], at: u64) -> Result<End> {
    let (disk, cd_disk) = (u16_at(r, 4), u16_at(r, 6));
    let count = u64::from(u16_at(r, 10));
    let cd_size = u64::from(u32_at(r, 12));
    let cd_offset = u64::from(u32_at(r, 16));
    if at >= LOCATOR_LEN {
        let loc = read_at(reader, at - LOCATOR_LEN, LOCATOR_LEN as usize)?;
        if u32_at(&loc, 0) == LOCATOR_SIG {
            return zip64_end(reader, &loc, at - LOCATOR_LEN);
        }
    }
    ensure!(
        count != MAX16 && cd_size != MAX32 && cd_offset != MAX32,
        "the end record asks for Zip64 values, but there is no Zip64 end record"
    );
    ensure!(disk == 0 && cd_disk == 0, "a multi-part (spanned) archive, which cannot be read");
    Ok(End { at, count, cd_size, cd_offset })
}

/// The Zip64 end record that the locator (at `locator_at`) points to.
fn zip64_end<R: Read + Seek>(reader: &mut R, loc: &[u8], locator_at: u64) -> Result<End> {
    ensure!(u32_at(loc, 4) == 0 && u32_at(loc, 16) <= 1, "a multi-part (spanned) archive, which cannot be read");
    // Where the locator says, or (with bytes before the archive) just before the locator.
    let said = u64_at(loc, 8);
    let before = locator_at.checked_sub(EOCD64_LEN);
    let found = [Some(said), before]
        .into_iter()
        .flatten()
        .filter(|at| at.checked_add(EOCD64_LEN).is_some_and(|e| e <= locator_at))
        .find_map(|at| {
            read_at(reader, at, EOCD64_LEN as usize).ok().filter(|r| u32_at(r, 0) == EOCD64_SIG).map(|r| (at, r))
        });
    let (at, r) = found.with_context(|| format!("no Zip64 end record at offset {said}, where the locator points"))?;
    ensure!(u32_at(&r, 16) == 0 && u32_at(&r, 20) == 0, "a multi-part (spanned) archive, which cannot be read");
    Ok(End { at, count: u64_at(&r, 32), cd_size: u64_at(&r, 40), cd_offset: u64_at(&r, 48) })
}

fn parse_central(cd: &[u8], count: u64) -> Result<Vec<Record>> {
    let mut records = Vec::with_capacity(count as usize);
    let mut at = 0usize;
    for i in 0..count {
        let fixed = cd.get(at..at + CENTRAL_LEN).with_context(|| format!("central record {i} is truncated"))?;
        ensure!(u32_at(fixed, 0) == CENTRAL_SIG, "central record {i} has a bad signature; the archive is damaged");
        let (name_len, extra_len, comment_len) =
            (u16_at(fixed, 28) as usize, u16_at(fixed, 30) as usize, u16_at(fixed, 32) as usize);
        let vars = at + CENTRAL_LEN;
        let next = vars + name_len + extra_len + comment_len;
        ensure!(next <= cd.len(), "central record {i} runs past the central directory");
        let name = cd[vars..vars + name_len].to_vec();
        let extra = &cd[vars + name_len..vars + name_len + extra_len];
        let mut sizes = Sizes {
            size: u64::from(u32_at(fixed, 24)),
            compressed: u64::from(u32_at(fixed, 20)),
            offset: Some(u64::from(u32_at(fixed, 42))),
        };
        sizes.widen(extra).with_context(|| format!("central record {i} ({})", String::from_utf8_lossy(&name)))?;
        let host = (u16_at(fixed, 4) >> 8) as u8;
        records.push(Record {
            name,
            mode: unix_mode(host, u32_at(fixed, 38)),
            flags: u16_at(fixed, 8),
            method: u16_at(fixed, 10),
            dos_time: u16_at(fixed, 12),
            dos_date: u16_at(fixed, 14),
            crc: u32_at(fixed, 16),
            compressed: sizes.compressed,
            size: sizes.size,
            offset: sizes.offset.unwrap_or_default(),
            extra_len,
        });
        at = next;
    }
    Ok(records)
}

/// The Unix mode in the high 16 bits of the external attributes: always for Unix hosts, and
/// for other hosts when set (as the zip crate and Info-ZIP read Windows-made archives), except
/// MS-DOS, whose attributes are not Unix modes.
fn unix_mode(host: u8, external: u32) -> Option<u32> {
    let mode = external >> 16;
    match host {
        HOST_UNIX => Some(mode),
        HOST_DOS => None,
        _ => (mode != 0).then_some(mode),
    }
}

/// A member's sizes and offset, read from 32-bit fields and the Zip64 extra field.
struct Sizes {
    size: u64,
    compressed: u64,
    /// Absent in a local header.
    offset: Option<u64>,
}

impl Sizes {
    /// Replace the fields marked 0xFFFFFFFF by the Zip64 extra field's values, which come in
    /// this order, only for the marked fields.
    fn widen(&mut self, extra: &[u8]) -> Result<()> {
        let marked = [self.size == MAX32, self.compressed == MAX32, self.offset == Some(MAX32)];
        if !marked.contains(&true) {
            return Ok(());
        }
        let mut values = find_extra(extra, ZIP64_EXTRA)
            .context("sizes of 0xFFFFFFFF without a Zip64 extra field")?
            .chunks_exact(8)
            .map(|c| u64::from_le_bytes(c.try_into().expect("8 bytes")));
        let mut next = || values.next().context("a Zip64 extra field too short for the values it should hold");
        if marked[0] {
            self.size = next()?;
        }
        if marked[1] {
            self.compressed = next()?;
        }
        if marked[2] {
            self.offset = Some(next()?);
        }
        Ok(())
    }
}

/// The data of the extra field with `id`, if present and well formed.
fn find_extra(mut extra: &[u8], id: u16) -> Option<&[u8]> {
    while extra.len() >= 4 {
        let (tag, len) = (u16_at(extra, 0), u16_at(extra, 2) as usize);
        let data = extra.get(4..4 + len)?;
        if tag == id {
            return Some(data);
        }
        extra = &extra[4 + len..];
    }
    None
}

/// Where `record`'s data starts, after its local header, which must agree with the central
/// record (an unpacker that streams reads the local one) and leave the data inside the file.
fn data_start<R: Read + Seek>(reader: &mut R, record: &Record, data_end: u64) -> Result<u64> {
    let shown = record.shown();
    ensure!(
        record.offset.checked_add(LOCAL_LEN as u64).is_some_and(|e| e <= data_end),
        "{shown}: the local header (at offset {}) lies outside the archive's data",
        record.offset
    );
    let fixed =
        read_at(reader, record.offset, LOCAL_LEN).with_context(|| format!("{shown}: cannot read the member"))?;
    ensure!(u32_at(&fixed, 0) == LOCAL_SIG, "{shown}: no local header at offset {}", record.offset);
    let (name_len, extra_len) = (u64::from(u16_at(&fixed, 26)), u64::from(u16_at(&fixed, 28)));
    let start = record.offset + LOCAL_LEN as u64 + name_len + extra_len;
    ensure!(
        start.checked_add(record.compressed).is_some_and(|e| e <= data_end),
        "{shown}: its data ({} bytes at offset {start}) lies outside the archive",
        record.compressed
    );
    let vars = read_at(reader, record.offset + LOCAL_LEN as u64, (name_len + extra_len) as usize)
        .with_context(|| format!("{shown}: cannot read the member"))?;
    let (name, extra) = vars.split_at(name_len as usize);
    ensure!(
        name == record.name.as_slice(),
        "{shown}: the local header names it `{}`; the archive is damaged or crafted",
        String::from_utf8_lossy(name)
    );
    let flags = u16_at(&fixed, 6);
    ensure!(
        u16_at(&fixed, 8) == record.method && flags & FLAG_ENCRYPTED == record.flags & FLAG_ENCRYPTED,
        "{shown}: the local header's method or flags differ from the central directory's"
    );
    let mut local =
        Sizes { size: u64::from(u32_at(&fixed, 22)), compressed: u64::from(u32_at(&fixed, 18)), offset: None };
    local.widen(extra).with_context(|| format!("{shown}: local header"))?;
    let crc = u32_at(&fixed, 14);
    // With a data descriptor, the local header may leave the values as zero.
    let deferred = flags & FLAG_DATA_DESCRIPTOR != 0;
    let agrees = |local: u64, central: u64| local == central || (deferred && local == 0);
    ensure!(
        agrees(u64::from(crc), u64::from(record.crc))
            && agrees(local.size, record.size)
            && agrees(local.compressed, record.compressed),
        "{shown}: the local header's CRC-32 or sizes differ from the central directory's"
    );
    Ok(start)
}

enum Body<'a, R> {
    Stored(Take<&'a mut R>),
    Deflated(DeflateDecoder<Take<&'a mut R>>),
}

/// A member's uncompressed bytes; the end of the stream is an error when the CRC-32 or the
/// size is not the central directory's.
pub struct MemberReader<'a, R> {
    pub record: &'a Record,
    body: Body<'a, R>,
    crc: flate2::Crc,
    read: u64,
}

impl<R: Read> Read for MemberReader<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = match &mut self.body {
            Body::Stored(r) => r.read(buf)?,
            Body::Deflated(r) => r.read(buf)?,
        };
        self.crc.update(&buf[..n]);
        self.read += n as u64;
        // Callers name the member in their context.
        let bad = |why: String| io::Error::new(io::ErrorKind::InvalidData, why);
        if self.read > self.record.size {
            return Err(bad(format!("more data than the {} bytes the archive lists", self.record.size)));
        }
        if n == 0 && !buf.is_empty() {
            if self.read != self.record.size {
                return Err(bad(format!("{} bytes of data, the archive lists {}", self.read, self.record.size)));
            }
            if self.crc.sum() != self.record.crc {
                return Err(bad(format!("CRC-32 {:08x}, the archive lists {:08x}", self.crc.sum(), self.record.crc)));
            }
        }
        Ok(n)
    }
}

fn read_at<R: Read + Seek>(reader: &mut R, at: u64, len: usize) -> Result<Vec<u8>> {
    reader.seek(SeekFrom::Start(at))?;
    let mut buf = Vec::new();
    reader.by_ref().take(len as u64).read_to_end(&mut buf)?;
    if buf.len() != len {
        bail!("the archive ends early (at offset {})", at + buf.len() as u64);
    }
    Ok(buf)
}

fn u16_at(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([b[at], b[at + 1]])
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(b[at..at + 4].try_into().expect("4 bytes"))
}

fn u64_at(b: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(b[at..at + 8].try_into().expect("8 bytes"))
}

#[cfg(test)]
#[path = "unzip_tests.rs"]
mod tests;
