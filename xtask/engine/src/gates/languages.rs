//! The languages the `ellipsis` gate reads, by file name: each one's comment markers and
//! string quotes ([`Syntax`]), for the lexer in [`super::syntax`].

/// A language, as far as the lexer is concerned.
#[derive(Debug)]
pub struct Syntax {
    pub name: &'static str,
    /// Markers of comments that run to the end of the line.
    pub(super) line_comments: &'static [&'static str],
    /// Opening and closing markers of block comments.
    pub(super) block_comments: &'static [(&'static str, &'static str)],
    /// Quote characters of string literals.
    pub(super) quotes: &'static [u8],
    /// Quotes whose strings may run over several lines.
    pub(super) multiline: &'static [u8],
    /// Quotes that are tripled for a multi-line string (`"""`).
    pub(super) triple: &'static [u8],
    /// A backslash escapes the next character inside strings (not in shell's `'...'` nor
    /// Go's `` `...` ``).
    pub(super) escapes: bool,
    /// `'` is a character literal only when one character (or an escape) and a `'` follow:
    /// otherwise it is a Rust lifetime or a C++ digit separator.
    pub(super) char_literals: bool,
    /// `r"..."` and `r#"..."#` (Rust).
    pub(super) raw_strings: bool,
    /// `/.../` regular expression literals where an operand may start (JavaScript).
    pub(super) regex: bool,
    /// `#` starts a comment only at the start of a word (shell, YAML).
    pub(super) comment_at_word: bool,
    pub python: bool,
    /// A line of only `...` is YAML's end of a document.
    pub yaml: bool,
}

const fn syntax(name: &'static str) -> Syntax {
    Syntax {
        name,
        line_comments: &[],
        block_comments: &[],
        quotes: &[],
        multiline: &[],
        triple: &[],
        escapes: true,
        char_literals: false,
        raw_strings: false,
        regex: false,
        comment_at_word: false,
        python: false,
        yaml: false,
    }
}

const SLASH: &[&str] = &["//"];
const C_BLOCK: &[(&str, &str)] = &[("/*", "*/")];
const HASH: &[&str] = &["#"];

pub const PYTHON: Syntax =
    Syntax { line_comments: HASH, quotes: b"'\"", triple: b"'\"", multiline: b"", python: true, ..syntax("python") };
pub const JAVASCRIPT: Syntax = Syntax {
    line_comments: SLASH,
    block_comments: C_BLOCK,
    quotes: b"'\"`",
    multiline: b"`",
    regex: true,
    ..syntax("javascript")
};
const C_LIKE: Syntax = Syntax {
    line_comments: SLASH,
    block_comments: C_BLOCK,
    quotes: b"'\"",
    triple: b"\"",
    char_literals: true,
    ..syntax("c-like")
};
const RUST: Syntax = Syntax {
    line_comments: SLASH,
    block_comments: C_BLOCK,
    quotes: b"'\"",
    multiline: b"\"",
    char_literals: true,
    raw_strings: true,
    ..syntax("rust")
};
const GO: Syntax = Syntax {
    line_comments: SLASH,
    block_comments: C_BLOCK,
    quotes: b"'\"`",
    multiline: b"`",
    char_literals: true,
    ..syntax("go")
};
const SHELL: Syntax =
    Syntax { line_comments: HASH, quotes: b"'\"", multiline: b"'\"", comment_at_word: true, ..syntax("shell") };
const HASH_CONFIG: Syntax = Syntax { line_comments: HASH, quotes: b"'\"", triple: b"'\"", ..syntax("hash") };
const YAML: Syntax =
    Syntax { line_comments: HASH, quotes: b"'\"", comment_at_word: true, yaml: true, ..syntax("yaml") };
const INI: Syntax = Syntax { line_comments: &["#", ";"], ..syntax("ini") };
const DASHES: Syntax = Syntax { line_comments: &["--"], block_comments: C_BLOCK, quotes: b"'\"", ..syntax("sql") };
const LUA: Syntax =
    Syntax { line_comments: &["--"], block_comments: &[("--[[", "]]")], quotes: b"'\"", ..syntax("lua") };
const MARKUP: Syntax = Syntax { block_comments: &[("<!--", "-->")], ..syntax("markup") };
/// Single-file components: markup around scripts and styles. `//` starts a comment only at the
/// start of a word, so the URLs in the markup stay text.
const COMPONENT: Syntax = Syntax {
    line_comments: SLASH,
    block_comments: &[("<!--", "-->"), ("/*", "*/")],
    comment_at_word: true,
    ..syntax("component")
};
const CSS: Syntax = Syntax { block_comments: C_BLOCK, quotes: b"'\"", ..syntax("css") };
const SCSS: Syntax = Syntax { line_comments: SLASH, block_comments: C_BLOCK, quotes: b"'\"", ..syntax("scss") };
pub const PLAIN: Syntax = syntax("plain");

/// Every syntax, for the table of [`starts`].
const ALL: &[&Syntax] = &[
    &PYTHON,
    &JAVASCRIPT,
    &C_LIKE,
    &RUST,
    &GO,
    &SHELL,
    &HASH_CONFIG,
    &YAML,
    &INI,
    &DASHES,
    &LUA,
    &MARKUP,
    &COMPONENT,
    &CSS,
    &SCSS,
    &PLAIN,
];

/// Per syntax, the bytes where something may start in code (a comment, a string, a bracket
/// Python counts): the search skips the rest of a line at once, so a megabyte line of prose
/// costs what its searches cost.
pub(super) fn starts(syntax: &Syntax) -> Option<&'static crate::bytes::ByteSet> {
    static TABLE: std::sync::LazyLock<Vec<(&'static str, Option<crate::bytes::ByteSet>)>> =
        std::sync::LazyLock::new(|| {
            ALL.iter()
                .map(|s| {
                    let mut bytes: Vec<u8> = Vec::new();
                    bytes.extend(s.line_comments.iter().map(|m| m.as_bytes()[0]));
                    bytes.extend(s.block_comments.iter().map(|(open, _)| open.as_bytes()[0]));
                    bytes.extend_from_slice(s.quotes);
                    if s.regex {
                        bytes.push(b'/');
                    }
                    if s.python {
                        bytes.extend_from_slice(b"()[]{}");
                    }
                    (s.name, (!bytes.is_empty()).then(|| crate::bytes::ByteSet::new(bytes)))
                })
                .collect()
        });
    TABLE.iter().find(|(name, _)| *name == syntax.name).and_then(|(_, set)| set.as_ref())
}

/// The language of a file, from its name.
pub fn for_path(path: &str) -> &'static Syntax {
    let name = path.rsplit('/').next().unwrap_or(path);
    let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
    match ext.as_str() {
        "py" | "pyw" | "pyi" => &PYTHON,
        "js" | "jsx" | "mjs" | "cjs" | "ts" | "tsx" | "mts" | "cts" => &JAVASCRIPT,
        "c" | "h" | "cc" | "cpp" | "cxx" | "hpp" | "hh" | "hxx" | "java" | "cs" | "kt" | "kts" | "scala" | "swift"
        | "dart" | "groovy" | "gradle" | "m" | "mm" | "php" | "proto" => &C_LIKE,
        "rs" => &RUST,
        "go" => &GO,
        "sh" | "bash" | "zsh" | "ksh" | "fish" => &SHELL,
        "yaml" | "yml" => &YAML,
        "toml" | "cfg" | "conf" | "rb" | "pl" | "pm" | "r" | "cmake" | "ps1" | "tf" | "hcl" | "nix" | "mk"
        | "properties" | "dockerfile" => &HASH_CONFIG,
        "ini" => &INI,
        "sql" | "hs" | "elm" => &DASHES,
        "lua" => &LUA,
        "html" | "htm" | "xhtml" | "xml" | "svg" | "md" | "markdown" => &MARKUP,
        "vue" | "svelte" | "astro" => &COMPONENT,
        "css" => &CSS,
        "scss" | "sass" | "less" => &SCSS,
        _ => match name {
            "Makefile" | "makefile" | "GNUmakefile" | "Dockerfile" | "Containerfile" | "CMakeLists.txt" | "Gemfile"
            | "Rakefile" | "Pipfile" | "BUILD" | "WORKSPACE" => &HASH_CONFIG,
            _ => &PLAIN,
        },
    }
}
