//! Byte searches that stay fast in the unoptimised build `cargo xtask` runs: they hand the
//! scanning to `memchr` and the standard library, both compiled with optimisation.

/// A small set of bytes searched for with `memchr` (optimised even in the unoptimised build
/// `cargo xtask` runs), three bytes per search.
#[derive(Debug)]
pub struct ByteSet {
    groups: Vec<Vec<u8>>,
}

/// The most groups of three a set holds: what a search remembers fits on the stack, so a
/// search per line allocates nothing.
const MAX_GROUPS: usize = 16;

impl ByteSet {
    pub fn new(mut bytes: Vec<u8>) -> ByteSet {
        bytes.sort_unstable();
        bytes.dedup();
        assert!(bytes.len() <= 3 * MAX_GROUPS, "a byte set holds at most {} bytes", 3 * MAX_GROUPS);
        ByteSet { groups: bytes.chunks(3).map(<[u8]>::to_vec).collect() }
    }

    /// A search over one line: each group's next hit is remembered, so the line is scanned at
    /// most once per group however many times it is asked.
    pub fn searcher(&self) -> ByteSearch<'_> {
        ByteSearch { set: self, next: [None; MAX_GROUPS] }
    }
}

/// The searches over one line of a [`ByteSet`].
#[derive(Debug)]
pub struct ByteSearch<'a> {
    set: &'a ByteSet,
    /// Per group: searched from where, and found where (`None`: nowhere after that).
    next: [Option<(usize, Option<usize>)>; MAX_GROUPS],
}

impl ByteSearch<'_> {
    /// The first byte of the set at or after `at`.
    pub fn find(&mut self, line: &[u8], at: usize) -> Option<usize> {
        let mut first: Option<usize> = None;
        for (group, next) in self.set.groups.iter().zip(&mut self.next) {
            let hit = match *next {
                Some((from, hit)) if from <= at && hit.is_none_or(|h| h >= at) => hit,
                _ => {
                    let rest = line.get(at..).unwrap_or_default();
                    let hit = match group[..] {
                        [a] => memchr::memchr(a, rest),
                        [a, b] => memchr::memchr2(a, b, rest),
                        [a, b, c] => memchr::memchr3(a, b, c, rest),
                        _ => unreachable!("groups hold one to three bytes"),
                    }
                    .map(|h| h + at);
                    *next = Some((at, hit));
                    hit
                }
            };
            first = match (first, hit) {
                (Some(f), Some(h)) => Some(f.min(h)),
                (f, h) => f.or(h),
            };
        }
        first
    }
}

/// Text is ASCII when it is valid UTF-8 with as many characters as bytes. Both steps run inside
/// the optimised standard library (SIMD-style, tens of GB/s), even in the unoptimised build,
/// where the inlined `<[u8]>::is_ascii` is compiled without optimisation and is some thirty
/// times slower.
pub fn is_ascii(bytes: &[u8]) -> bool {
    std::str::from_utf8(bytes).is_ok_and(|s| s.chars().count() == s.len())
}

/// The first byte at or after `at` that is not ASCII: whole chunks of ASCII are passed over by
/// [`is_ascii`], only a chunk that holds something else is read byte by byte.
pub fn next_non_ascii(line: &[u8], mut at: usize) -> Option<usize> {
    const CHUNK: usize = 256;
    while at < line.len() {
        let end = line.len().min(at + CHUNK);
        if !is_ascii(&line[at..end]) {
            return line[at..end].iter().position(|b| !b.is_ascii()).map(|n| at + n);
        }
        at = end;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(set: &ByteSet, line: &[u8]) -> Vec<u8> {
        let mut search = set.searcher();
        let mut found = Vec::new();
        let mut at = 0;
        while let Some(i) = search.find(line, at) {
            found.push(line[i]);
            at = i + 1;
        }
        found
    }

    #[test]
    fn finds_each_byte_of_the_set_in_order() {
        let set = ByteSet::new(b"#\"'()[]{}".to_vec());
        assert_eq!(all(&set, b"x = f(a, 'b') # c [d]"), b"('')#[]");
        assert_eq!(all(&set, b"no such bytes here"), b"");
        assert_eq!(all(&set, b"{}"), b"{}");
    }

    #[test]
    fn a_search_may_go_back_to_an_earlier_position() {
        let set = ByteSet::new(b"ab".to_vec());
        let line = b"..a...b..a";
        let mut search = set.searcher();
        assert_eq!(search.find(line, 3), Some(6));
        assert_eq!(search.find(line, 0), Some(2));
        assert_eq!(search.find(line, 7), Some(9));
        assert_eq!(search.find(line, 10), None);
        assert_eq!(search.find(line, 99), None);
    }
}
