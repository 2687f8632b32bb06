//! Unit tests of the deflate pipeline: pieces that make one stream, stored pieces, order,
//! errors, and output that depends on the piece alone.

use super::*;
use std::io::Read;

fn text(n: usize) -> Vec<u8> {
    (0..n).map(|i| b"the quick brown fox jumps over the lazy dog\n"[i % 44] ^ ((i / 997) as u8 & 1)).collect()
}

#[test]
fn pieces_with_windows_make_one_valid_stream() {
    let data = text(300_000);
    let mut deflater = Compress::new(Compression::new(LEVEL), false);
    let mut stream = Vec::new();
    let mut crc = Crc::new();
    let chunks: Vec<&[u8]> = data.chunks(70_000).collect();
    for (i, chunk) in chunks.iter().enumerate() {
        let start = (i * 70_000).saturating_sub(WINDOW);
        let dict = data[start..i * 70_000].to_vec();
        let finish = i + 1 == chunks.len();
        let packed = pack(&mut deflater, Piece { data: chunk.to_vec(), dict, mode: Mode::Deflate { finish } }).unwrap();
        crc.combine(&packed.crc);
        stream.extend_from_slice(&packed.data);
    }
    let mut back = Vec::new();
    flate2::read::DeflateDecoder::new(&stream[..]).read_to_end(&mut back).unwrap();
    assert_eq!(back, data);
    let mut whole = Crc::new();
    whole.update(&data);
    assert_eq!(crc.sum(), whole.sum());
    assert!(stream.len() < data.len() / 5, "the window carried over: {} bytes", stream.len());
}

/// A piece's bytes depend on the piece alone, never on what the worker compressed before.
/// zlib-rs's `set_dictionary` hashes the dictionary's last string with one byte past its
/// end, which in a reused compressor is whatever the previous stream left in the window:
/// here `R`, which files that last string under `xyzR` and cuts the older `xyzR` near the
/// end of the dictionary out of its hash chain, so the long match to it is lost.
#[test]
fn a_piece_compresses_the_same_whatever_came_before() {
    let mut x = 0x9e37_79b9_7f4a_7c15u64;
    let mut noise = |n: usize| -> Vec<u8> {
        (0..n)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                b'a' + (x % 16) as u8
            })
            .collect()
    };
    let phrase = [b"xyzR".to_vec(), noise(200)].concat();
    let dict = [noise(WINDOW - phrase.len() - 403), phrase.clone(), noise(400), b"xyz".to_vec()].concat();
    assert_eq!(dict.len(), WINDOW);
    let data = [b"Q".to_vec(), noise(2000), phrase, noise(300)].concat();
    let piece = || Piece { data: data.clone(), dict: dict.clone(), mode: Mode::Deflate { finish: false } };
    let fresh = pack(&mut Compress::new(Compression::new(LEVEL), false), piece()).unwrap().data;
    // A worker whose last stream had a whole window of dictionary and data starting with `R`.
    let mut used = Compress::new(Compression::new(LEVEL), false);
    let before = Piece { data: b"R".repeat(100), dict: noise(WINDOW), mode: Mode::Deflate { finish: true } };
    pack(&mut used, before).unwrap();
    let reused = pack(&mut used, piece()).unwrap().data;
    assert!(reused == fresh, "the same piece: {} bytes after another stream, {} fresh", reused.len(), fresh.len());

    // Pieces without a dictionary (whole small files of a zip) reuse the worker's
    // compressor: after any other piece they come out as from a fresh one.
    let pieces: Vec<Vec<u8>> =
        (0..12).map(|i| [text(500 + i * 3000), noise(i * 97), b"xyz".to_vec()].concat()).collect();
    let alone = |p: &[u8], mode| {
        pack(&mut Compress::new(Compression::new(LEVEL), false), Piece { data: p.to_vec(), dict: vec![], mode })
            .unwrap()
            .data
    };
    for (i, p) in pieces.iter().enumerate() {
        for mode in [Mode::TryDeflate, Mode::Deflate { finish: true }, Mode::Deflate { finish: false }] {
            pack(&mut used, Piece { data: pieces[(i * 5 + 3) % 12].clone(), dict: vec![], mode }).unwrap();
            let again = pack(&mut used, Piece { data: p.clone(), dict: vec![], mode }).unwrap().data;
            assert!(again == alone(p, mode), "piece {i} ({mode:?}) depends on the one before");
        }
    }
}

#[test]
fn incompressible_pieces_are_stored() {
    let mut x = 0x2545_f491_4f6c_dd1du64;
    let noise: Vec<u8> = (0..50_000)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect();
    let mut deflater = Compress::new(Compression::new(LEVEL), false);
    let packed = pack(&mut deflater, Piece { data: noise.clone(), dict: vec![], mode: Mode::TryDeflate }).unwrap();
    assert!(packed.stored);
    assert_eq!(packed.data, noise);
    let packed = pack(&mut deflater, Piece { data: text(50_000), dict: vec![], mode: Mode::TryDeflate }).unwrap();
    assert!(!packed.stored);
}

#[test]
fn results_arrive_in_order_with_bounded_flight() {
    let mut seen = Vec::new();
    run(
        3,
        4,
        |feed: &mut Feed<usize>| {
            for i in 0..200 {
                if i % 7 == 0 {
                    feed.mark(i)?;
                } else {
                    feed.piece(i, Piece { data: text(1000 + i * 37), dict: vec![], mode: Mode::TryDeflate })?;
                }
            }
            Ok(())
        },
        |done| {
            assert_eq!(done.packed.is_none(), done.meta % 7 == 0);
            seen.push(done.meta);
            Ok(())
        },
    )
    .unwrap();
    assert_eq!(seen, (0..200).collect::<Vec<_>>());
}

#[test]
fn errors_on_either_side_stop_the_run() {
    let err = run(
        2,
        2,
        |feed: &mut Feed<usize>| {
            for i in 0..10_000 {
                feed.mark(i)?;
            }
            Ok(())
        },
        |done| if done.meta == 5 { Err(anyhow!("disk full")) } else { Ok(()) },
    )
    .unwrap_err();
    assert_eq!(err.to_string(), "disk full");
    let err = run(
        2,
        2,
        |feed: &mut Feed<usize>| {
            feed.mark(0)?;
            Err(anyhow!("cannot read x"))
        },
        |_| Ok(()),
    )
    .unwrap_err();
    assert_eq!(err.to_string(), "cannot read x");
}
