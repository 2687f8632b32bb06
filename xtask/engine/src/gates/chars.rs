//! The non-ASCII characters people paste into docs: their Unicode names (for findings) and the
//! ASCII that `--fix` writes for them.
//!
//! The replacements are the Lot Genius release-notes table (`scripts/release_notes.py`,
//! `sanitize_text`: check marks, arrows, comparison signs, Greek letters, dashes, box drawing)
//! plus smart quotes, the horizontal ellipsis, no-break spaces and a few close relatives.
//! Characters without a replacement stay findings: a person decides what they should be.

/// One known character: its name, and its ASCII replacement when there is an obvious one.
struct Known {
    ch: char,
    name: &'static str,
    ascii: Option<&'static str>,
}

const fn k(ch: char, name: &'static str, ascii: Option<&'static str>) -> Known {
    Known { ch, name, ascii }
}

/// Sorted by character (binary search).
const TABLE: &[Known] = &[
    k('\u{00A0}', "NO-BREAK SPACE", Some(" ")),
    k('\u{00A9}', "COPYRIGHT SIGN", Some("(c)")),
    k('\u{00AB}', "LEFT-POINTING DOUBLE ANGLE QUOTATION MARK", Some("<<")),
    k('\u{00AD}', "SOFT HYPHEN", None),
    k('\u{00AE}', "REGISTERED SIGN", Some("(R)")),
    k('\u{00B0}', "DEGREE SIGN", None),
    k('\u{00B1}', "PLUS-MINUS SIGN", Some("+/-")),
    k('\u{00B7}', "MIDDLE DOT", None),
    k('\u{00BB}', "RIGHT-POINTING DOUBLE ANGLE QUOTATION MARK", Some(">>")),
    k('\u{00D7}', "MULTIPLICATION SIGN", Some("x")),
    k('\u{00E9}', "LATIN SMALL LETTER E WITH ACUTE", None),
    k('\u{00F7}', "DIVISION SIGN", Some("/")),
    k('\u{00FC}', "LATIN SMALL LETTER U WITH DIAERESIS", None),
    k('\u{0394}', "GREEK CAPITAL LETTER DELTA", Some("Delta")),
    k('\u{03B1}', "GREEK SMALL LETTER ALPHA", Some("alpha")),
    k('\u{03B2}', "GREEK SMALL LETTER BETA", Some("beta")),
    k('\u{03B3}', "GREEK SMALL LETTER GAMMA", Some("gamma")),
    k('\u{03B4}', "GREEK SMALL LETTER DELTA", Some("delta")),
    k('\u{03B5}', "GREEK SMALL LETTER EPSILON", Some("epsilon")),
    k('\u{03BB}', "GREEK SMALL LETTER LAMDA", Some("lambda")),
    k('\u{03BC}', "GREEK SMALL LETTER MU", Some("mu")),
    k('\u{03C3}', "GREEK SMALL LETTER SIGMA", Some("sigma")),
    k('\u{200B}', "ZERO WIDTH SPACE", None),
    k('\u{2010}', "HYPHEN", Some("-")),
    k('\u{2011}', "NON-BREAKING HYPHEN", Some("-")),
    k('\u{2012}', "FIGURE DASH", Some("-")),
    k('\u{2013}', "EN DASH", Some("-")),
    k('\u{2014}', "EM DASH", Some("--")),
    k('\u{2015}', "HORIZONTAL BAR", Some("--")),
    k('\u{2018}', "LEFT SINGLE QUOTATION MARK", Some("'")),
    k('\u{2019}', "RIGHT SINGLE QUOTATION MARK", Some("'")),
    k('\u{201A}', "SINGLE LOW-9 QUOTATION MARK", Some(",")),
    k('\u{201C}', "LEFT DOUBLE QUOTATION MARK", Some("\"")),
    k('\u{201D}', "RIGHT DOUBLE QUOTATION MARK", Some("\"")),
    k('\u{201E}', "DOUBLE LOW-9 QUOTATION MARK", Some("\"")),
    k('\u{2022}', "BULLET", Some("*")),
    k('\u{2026}', "HORIZONTAL ELLIPSIS", Some(concat!("..", "."))),
    k('\u{202F}', "NARROW NO-BREAK SPACE", Some(" ")),
    k('\u{2032}', "PRIME", Some("'")),
    k('\u{2033}', "DOUBLE PRIME", Some("\"")),
    k('\u{2122}', "TRADE MARK SIGN", Some("(TM)")),
    k('\u{2190}', "LEFTWARDS ARROW", Some("<-")),
    k('\u{2191}', "UPWARDS ARROW", Some("^")),
    k('\u{2192}', "RIGHTWARDS ARROW", Some("->")),
    k('\u{2193}', "DOWNWARDS ARROW", Some("v")),
    k('\u{2194}', "LEFT RIGHT ARROW", Some("<->")),
    k('\u{21D0}', "LEFTWARDS DOUBLE ARROW", Some("<=")),
    k('\u{21D2}', "RIGHTWARDS DOUBLE ARROW", Some("=>")),
    k('\u{2212}', "MINUS SIGN", Some("-")),
    k('\u{2248}', "ALMOST EQUAL TO", Some("~=")),
    k('\u{2260}', "NOT EQUAL TO", Some("!=")),
    k('\u{2264}', "LESS-THAN OR EQUAL TO", Some("<=")),
    k('\u{2265}', "GREATER-THAN OR EQUAL TO", Some(">=")),
    k('\u{2500}', "BOX DRAWINGS LIGHT HORIZONTAL", Some("-")),
    k('\u{2502}', "BOX DRAWINGS LIGHT VERTICAL", Some("|")),
    k('\u{2514}', "BOX DRAWINGS LIGHT UP AND RIGHT", Some("`-")),
    k('\u{251C}', "BOX DRAWINGS LIGHT VERTICAL AND RIGHT", Some("|-")),
    k('\u{26A0}', "WARNING SIGN", Some("[!]")),
    k('\u{2705}', "WHITE HEAVY CHECK MARK", Some("[OK]")),
    k('\u{2713}', "CHECK MARK", Some("[OK]")),
    k('\u{2714}', "HEAVY CHECK MARK", Some("[OK]")),
    k('\u{2717}', "BALLOT X", Some("[FAIL]")),
    k('\u{2718}', "HEAVY BALLOT X", Some("[FAIL]")),
    k('\u{274C}', "CROSS MARK", Some("[FAIL]")),
    k('\u{FEFF}', "ZERO WIDTH NO-BREAK SPACE (byte order mark)", None),
    k('\u{FFFD}', "REPLACEMENT CHARACTER", None),
    k('\u{1F600}', "GRINNING FACE", None),
    k('\u{1F680}', "ROCKET", None),
];

fn lookup(ch: char) -> Option<&'static Known> {
    TABLE.binary_search_by(|k| k.ch.cmp(&ch)).ok().map(|i| &TABLE[i])
}

/// The Unicode name of a common character (`None` for the rest).
pub fn name(ch: char) -> Option<&'static str> {
    lookup(ch).map(|k| k.name)
}

/// What `--fix` writes instead of `ch` (`None`: leave it, it stays a finding).
pub fn ascii(ch: char) -> Option<&'static str> {
    lookup(ch).and_then(|k| k.ascii)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_sorted_and_replacements_are_ascii() {
        assert!(TABLE.windows(2).all(|w| w[0].ch < w[1].ch), "TABLE must stay sorted for the binary search");
        for k in TABLE {
            assert!(!k.ch.is_ascii());
            assert!(k.ascii.is_none_or(|a| a.is_ascii()), "{:?}", k.ch);
        }
    }

    #[test]
    fn the_lot_genius_table() {
        let expect = [
            ('\u{2705}', "[OK]"),
            ('\u{274C}', "[FAIL]"),
            ('\u{2192}', "->"),
            ('\u{2190}', "<-"),
            ('\u{2191}', "^"),
            ('\u{2193}', "v"),
            ('\u{2265}', ">="),
            ('\u{2264}', "<="),
            ('\u{2260}', "!="),
            ('\u{03B1}', "alpha"),
            ('\u{03B2}', "beta"),
            ('\u{03B3}', "gamma"),
            ('\u{03B4}', "delta"),
            ('\u{03B5}', "epsilon"),
            ('\u{03BB}', "lambda"),
            ('\u{03BC}', "mu"),
            ('\u{03C3}', "sigma"),
            ('\u{0394}', "Delta"),
            ('\u{2014}', "--"),
            ('\u{2013}', "-"),
            ('\u{2011}', "-"),
            ('\u{00D7}', "x"),
            ('\u{251C}', "|-"),
            ('\u{2500}', "-"),
            ('\u{2514}', "`-"),
            ('\u{2018}', "'"),
            ('\u{2019}', "'"),
            ('\u{201C}', "\""),
            ('\u{201D}', "\""),
            ('\u{00A0}', " "),
        ];
        for (ch, want) in expect {
            assert_eq!(ascii(ch), Some(want), "U+{:04X}", ch as u32);
        }
        assert_eq!(ascii('\u{2026}'), Some(".".repeat(3).as_str()));
        assert_eq!(ascii('\u{1F680}'), None);
        assert_eq!(name('\u{2019}'), Some("RIGHT SINGLE QUOTATION MARK"));
        assert_eq!(name('\u{4E2D}'), None);
    }
}
