//! The source archive is the same bytes on every run and with any number of compression
//! threads, on a tree large and mixed enough to be cut into many 1 MiB pieces.

mod bundle_util;
mod support;

use support::TestRepo;

/// A deterministic generator (xorshift), so every run of the test builds the same tree.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// Indented code-like text: what real repositories are made of, and where the compressor's
/// choices depend on runs of spaces that recur across the pieces.
fn code(rng: &mut Rng, bytes: usize) -> Vec<u8> {
    const WORDS: &[&str] = &[
        "let", "fn", "return", "self", "value", "match", "Some", "None", "if", "else", "for", "in", "struct", "impl",
        "pub", "use", "mut", "&", "=", "==", "{", "}", "(", ")", ";", "Ok(())", "Err(e)", "x", "y", "count", "index",
    ];
    let mut out = Vec::with_capacity(bytes + 200);
    while out.len() < bytes {
        let depth = rng.below(6) as usize;
        out.extend(std::iter::repeat_n(b' ', depth * 4));
        for i in 0..1 + rng.below(10) {
            if i > 0 {
                out.push(b' ');
            }
            out.extend_from_slice(WORDS[rng.below(WORDS.len() as u64) as usize].as_bytes());
        }
        if rng.below(7) == 0 {
            out.extend_from_slice(format!(" // {}", rng.next()).as_bytes());
        }
        out.push(b'\n');
    }
    out
}

/// About 8 MiB in 60 files: code of every size, a few incompressible files and long runs.
fn mixed_tree() -> TestRepo {
    let repo = bundle_util::versioned("mixed", "1.4.0", "");
    let mut rng = Rng(0x5eed_cafe_f00d_d00d);
    for i in 0..60 {
        let path = format!("src/m{}/f{i}.rs", i % 9);
        let size = match i % 10 {
            0 => 700_000 + rng.below(500_000) as usize,
            1..=3 => 100_000 + rng.below(100_000) as usize,
            _ => 1_000 + rng.below(60_000) as usize,
        };
        let bytes = match i % 15 {
            7 => (0..size).map(|_| rng.next() as u8).collect(),
            11 => vec![b'='; size],
            _ => code(&mut rng, size),
        };
        repo.write(&path, bytes);
    }
    repo.commit_all("chore: a large mixed tree");
    repo
}

/// The source archive's name and bytes.
fn source_archive(repo: &TestRepo, threads: &str, out: &str) -> (String, Vec<u8>) {
    let run = repo.xtask_with(&["bundle", "--only", "source", "--out", out], |cmd| {
        cmd.env("XTASK_BUNDLE_THREADS", threads);
    });
    run.code(0);
    let dir = repo.path(out);
    let name = bundle_util::names(&dir).into_iter().find(|n| n.ends_with(".tar.gz")).expect("a source archive");
    let bytes = std::fs::read(dir.join(&name)).unwrap();
    (name, bytes)
}

#[test]
fn the_source_archive_is_the_same_bytes_on_every_run_and_any_thread_count() {
    let repo = mixed_tree();
    let (name, reference) = source_archive(&repo, "1", "out-1");
    assert!(reference.len() > 2 << 20, "the archive is several pieces: {} bytes", reference.len());
    let mut differ = Vec::new();
    for run in 0..5 {
        let threads = ["2", "3"][run % 2];
        let (_, bytes) = source_archive(&repo, threads, &format!("out-{run}-{threads}"));
        if bytes != reference {
            differ.push(format!("run {run} with {threads} threads ({} bytes)", bytes.len()));
        }
    }
    assert!(differ.is_empty(), "differs from the 1-thread archive: {}", differ.join(", "));
    // And the archive reads back as exactly the tracked files.
    let listing = bundle_util::tool(&repo.path("out-1"), "tar", &["-tzf", &name]);
    assert_eq!(listing.lines().filter(|l| !l.ends_with('/')).count(), 62, "{listing}");
}

#[test]
fn a_bad_thread_count_is_refused_before_anything_is_written() {
    let repo = TestRepo::new();
    repo.write("VERSION", "1.0.0\n");
    repo.commit_all("chore: start");
    for bad in ["0", "many"] {
        let run = repo.xtask_with(&["bundle", "--only", "source"], |cmd| {
            cmd.env("XTASK_BUNDLE_THREADS", bad);
        });
        run.code(2);
        assert!(run.stderr.contains(&format!("XTASK_BUNDLE_THREADS={bad} is not a number of threads")), "{run}");
        assert!(!repo.path("dist").exists(), "{run}");
    }
}
