//! Python's blocks, as far as the `ellipsis` gate needs them: which `def`, `class` or compound
//! statement a line belongs to, and whether `...` is a legitimate body there (a stub file, a
//! `Protocol` class, an `@overload` or `@abstractmethod` definition).
//!
//! It is fed one logical line at a time (the lexer joins physical lines inside brackets, after
//! a backslash, and inside strings), as code with strings reduced to `""` and comments removed.

/// Decorators whose function's body may be `...` (by their last dotted name).
const EXEMPT_DECORATORS: &[&str] =
    &["overload", "abstractmethod", "abstractproperty", "abstractclassmethod", "abstractstaticmethod"];

/// The statement keywords that open a block.
const COMPOUND: &[&str] =
    &["if", "elif", "else", "for", "while", "try", "except", "finally", "with", "match", "case", "async"];

#[derive(Debug)]
struct Block {
    indent: usize,
    /// `...` is a legitimate body inside it.
    exempt: bool,
    /// `def name`, `class Name`, `if`: how a finding names it.
    name: String,
}

/// What a logical line that holds `...` means.
#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    /// `...` is the body (or a statement) where a placeholder is not allowed; the block's name.
    Placeholder(String),
    /// An expression (`Field(...)`, `Tuple[int, ...]`, a default), or an exempt body.
    Fine,
}

/// The blocks open at the current line.
#[derive(Debug, Default)]
pub struct Blocks {
    stub: bool,
    stack: Vec<Block>,
    decorators: Vec<String>,
}

impl Blocks {
    /// `stub`: a `.pyi` file, where every body may be `...`.
    pub fn new(stub: bool) -> Blocks {
        Blocks { stub, ..Blocks::default() }
    }

    /// Take one logical line (its indentation in columns, its code) and say what a `...` in it
    /// is, when it holds one.
    pub fn line(&mut self, indent: usize, code: &[u8]) -> Verdict {
        let code = code.trim_ascii();
        if code.is_empty() {
            return Verdict::Fine;
        }
        while self.stack.last().is_some_and(|b| b.indent >= indent) {
            self.stack.pop();
        }
        let inherited = self.stub || self.stack.last().is_some_and(|b| b.exempt);
        if let Some(decorator) = code.strip_prefix(b"@") {
            let name = decorator.split(|&c| c == b'(').next().unwrap_or_default();
            let last = name.rsplit(|&c| c == b'.').next().unwrap_or_default().trim_ascii();
            self.decorators.push(String::from_utf8_lossy(last).into_owned());
            return Verdict::Fine;
        }
        let decorators = std::mem::take(&mut self.decorators);
        if code == b"..." {
            return self.verdict(inherited, || self.stack.last().map_or("the module".into(), |b| b.name.clone()));
        }
        let words: Vec<&[u8]> =
            code.split(|c| !(c.is_ascii_alphanumeric() || *c == b'_')).filter(|w| !w.is_empty()).take(3).collect();
        let first = words.first().copied().unwrap_or_default();
        let (keyword, name) = match first {
            b"async" if words.get(1) == Some(&&b"def"[..]) => ("def", words.get(2)),
            b"def" | b"class" => (if first == b"def" { "def" } else { "class" }, words.get(1)),
            w if COMPOUND.iter().any(|k| k.as_bytes() == w) => ("", None),
            _ => return Verdict::Fine,
        };
        let Some(colon) = header_colon(code) else { return Verdict::Fine };
        let exempt = inherited
            || match keyword {
                "def" => decorators.iter().any(|d| EXEMPT_DECORATORS.contains(&d.as_str())),
                "class" => is_protocol(&code[..colon]),
                _ => false,
            };
        let name = match (keyword, name) {
            ("", _) => String::from_utf8_lossy(first).into_owned(),
            (k, Some(n)) => format!("{k} {}", String::from_utf8_lossy(n)),
            (k, None) => k.to_string(),
        };
        let body = code[colon + 1..].trim_ascii();
        if body.is_empty() {
            self.stack.push(Block { indent, exempt, name });
            return Verdict::Fine;
        }
        if body == b"..." { self.verdict(exempt, || name.clone()) } else { Verdict::Fine }
    }

    fn verdict(&self, exempt: bool, name: impl FnOnce() -> String) -> Verdict {
        if exempt { Verdict::Fine } else { Verdict::Placeholder(name()) }
    }
}

/// The `:` that ends a compound statement's header: the first one outside brackets that is not
/// `:=`.
fn header_colon(code: &[u8]) -> Option<usize> {
    let mut depth = 0usize;
    for (i, &c) in code.iter().enumerate() {
        match c {
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            b':' if depth == 0 && code.get(i + 1) != Some(&b'=') => return Some(i),
            _ => {}
        }
    }
    None
}

/// A class header whose bases name `Protocol` (`typing.Protocol`, `Protocol[T]`).
fn is_protocol(header: &[u8]) -> bool {
    let Some(open) = header.iter().position(|&c| c == b'(') else { return false };
    header[open..].split(|c| !(c.is_ascii_alphanumeric() || *c == b'_')).any(|w| w == b"Protocol")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(stub: bool, lines: &[(usize, &str)]) -> Vec<Verdict> {
        let mut blocks = Blocks::new(stub);
        lines.iter().map(|(indent, code)| blocks.line(*indent, code.as_bytes())).collect()
    }

    fn placeholder(name: &str) -> Verdict {
        Verdict::Placeholder(name.to_string())
    }

    #[test]
    fn bodies_of_only_dots_are_placeholders() {
        let got = run(
            false,
            &[
                (0, "def todo():"),
                (4, "..."),
                (0, "class Error(Exception): ..."),
                (0, "async def f(x=...) -> int: ..."),
                (0, "..."),
            ],
        );
        assert_eq!(
            got,
            [
                Verdict::Fine,
                placeholder("def todo"),
                placeholder("class Error"),
                placeholder("def f"),
                placeholder("the module")
            ]
        );
        let got = run(false, &[(0, "if x:"), (4, "..."), (0, "for a in b: ..."), (0, "while (n := f()): ...")]);
        assert_eq!(got, [Verdict::Fine, placeholder("if"), placeholder("for"), placeholder("while")]);
    }

    #[test]
    fn expressions_are_not_placeholders() {
        for code in ["x = Field(...)", "T = Tuple[int, ...]", "def f(x=...): return x", "y: int = ...", "f(...)"] {
            assert_eq!(run(false, &[(0, code)]), [Verdict::Fine], "{code}");
        }
        // A dictionary or slice colon inside brackets is not the header's.
        assert_eq!(run(false, &[(0, "if d[a:b] == {1: 2}: ...")]), [placeholder("if")]);
    }

    #[test]
    fn protocols_abstract_methods_overloads_and_stubs_may_use_dots() {
        let got = run(
            false,
            &[
                (0, "class Reader(typing.Protocol[T]):"),
                (4, "def read(self) -> bytes:"),
                (8, "..."),
                (4, "def close(self): ..."),
                (0, "class Base(ABC):"),
                (4, "@abc.abstractmethod"),
                (4, "def run(self): ..."),
                (4, "@property"),
                (4, "def name(self): ..."),
                (0, "@overload"),
                (0, "def f(x: int) -> int: ..."),
                (0, "def f(x): ..."),
                (0, "class P(Protocol): ..."),
            ],
        );
        let fine = |n: usize| std::iter::repeat_with(|| Verdict::Fine).take(n).collect::<Vec<_>>();
        let mut want = fine(8);
        want.push(placeholder("def name"));
        want.extend(fine(2));
        want.push(placeholder("def f"));
        want.push(Verdict::Fine);
        assert_eq!(got, want);
        assert_eq!(run(true, &[(0, "def f(): ..."), (0, "class C:"), (4, "...")]), fine(3));
    }
}
