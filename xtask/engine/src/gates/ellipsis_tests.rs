//! Unit tests of the `ellipsis` gate: both modes, line by line, on the idioms of each language.

use super::*;
use crate::report::Finding;

/// The three dots, written so that this file passes the gate in any mode.
fn d() -> &'static str {
    DOTS
}

fn check(mode: Mode, allow: &[&str], path: &str, text: &str) -> Vec<Finding> {
    let gate = Ellipsis::new(&allow.iter().map(|s| s.to_string()).collect::<Vec<_>>(), mode).unwrap();
    let mut out = Vec::new();
    let mut found = Found::new(path, &mut out);
    gate.check(text.as_bytes(), &mut found);
    found.finish();
    out
}

fn at(mode: Mode, path: &str, text: &str) -> Vec<(usize, usize)> {
    check(mode, &[], path, text).iter().map(|f| (f.line, f.column)).collect()
}

/// `...` written as `~~~` in the fixtures below, so they read like the code they stand for.
fn dots(text: &str) -> String {
    text.replace("~~~", d())
}

#[test]
fn any_mode_reports_every_line_of_code_with_dots_at_the_first_dots() {
    let text = dots("a = 1\ndef f():\n    ~~~\nx = [~~~, ~~~]\n\u{00E9}\u{00E9}~~~\n~~~.\n\nlast~~~");
    assert_eq!(at(Mode::Any, "f.py", &text), vec![(3, 5), (4, 6), (5, 3), (6, 1), (8, 5)]);
    assert!(at(Mode::Any, "f.py", "a..b\n\u{2026}\n. . .\n").is_empty());
    // Strings and comments count too: the strict check.
    assert_eq!(at(Mode::Any, "a.js", &dots("const s = \"Loading~~~\"; // ~~~\n")), vec![(1, 19)]);
}

#[test]
fn markers_and_allow_patterns_in_both_modes() {
    let text = dots(&format!(
        "x = Field(~~~)\ny = f(~~~)  # {MARKER}\nz = {{~~~a}} // {MARKER}\n/* ~~~ {MARKER} */\n<!-- ~~~ {MARKER} -->\nw = ~~~\n"
    ));
    let positions = |allow: &[&str]| check(Mode::Any, allow, "f.txt", &text).iter().map(|f| f.line).collect::<Vec<_>>();
    assert_eq!(positions(&[r"Field\(\.\.\.\)"]), vec![6]);
    assert_eq!(positions(&[]), vec![1, 6]);
    let commented = dots(&format!("// ~~~ rest here  // {MARKER}\n// ~~~\n"));
    assert_eq!(at(Mode::Placeholders, "a.ts", &commented), vec![(2, 4)]);
    assert!(check(Mode::Placeholders, &[r"^\s*//"], "a.ts", &commented).is_empty());
}

#[test]
fn binary_files_are_skipped_even_when_the_dots_come_first() {
    for mode in [Mode::Any, Mode::Placeholders] {
        assert!(at(mode, "f.py", &format!("{}\n\0", d())).is_empty());
    }
}

#[test]
fn crlf_lines() {
    let text = dots("a\r\nb = ~~~\r\nc\r\n");
    assert_eq!(at(Mode::Any, "f.txt", &text), vec![(2, 5)]);
    assert!(at(Mode::Any, "f.txt", &dots(&format!("a\r\nb = ~~~  # {MARKER}\r\n"))).is_empty());
    assert_eq!(at(Mode::Placeholders, "f.py", &dots("def f():\r\n    ~~~\r\n")), vec![(2, 5)]);
}

#[test]
fn python_placeholders_and_the_idioms_that_are_not() {
    let text = dots(
        "from typing import Protocol, overload\n\
         \n\
         class Item(BaseModel):\n\
         \x20   name: str = Field(~~~, min_length=1)\n\
         \x20   shape: Tuple[int, ~~~] = (1,)\n\
         \x20   grid = a[~~~, 0]\n\
         \n\
         class Store(Protocol):\n\
         \x20   def get(self, key: str) -> bytes: ~~~\n\
         \x20   def put(self, key: str,\n\
         \x20           value: bytes) -> None:\n\
         \x20       ~~~\n\
         \n\
         @overload\n\
         def load(x: int) -> int: ~~~\n\
         def load(x):\n\
         \x20   \"\"\"Load it.\n\
         \n\
         \x20   >>> load(1)\n\
         \x20   ~~~\n\
         \x20   Loading~~~\n\
         \x20   \"\"\"\n\
         \x20   print(\"Loading~~~\", '~~~')\n\
         \x20   return x\n\
         \n\
         def handler(request):\n\
         \x20   ~~~\n\
         \n\
         def later(): ~~~  # fill in\n\
         \n\
         def call():\n\
         \x20   return run(\n\
         \x20       ~~~\n\
         \x20   )\n\
         \n\
         # ~~~ the rest of the handlers\n\
         x = compute()  # wait for it~~~\n\
         s = r'''\n\
         ~~~\n\
         '''\n",
    );
    let got = check(Mode::Placeholders, &[], "api.py", &text);
    let short: Vec<(usize, usize, &str)> = got.iter().map(|f| (f.line, f.column, f.message.as_str())).collect();
    assert_eq!(
        short,
        vec![
            (27, 5, &*format!("placeholder {} as the body of def handler: '{}'", d(), d())),
            (29, 14, &*format!("placeholder {} as the body of def later: 'def later(): {}  # fill in'", d(), d())),
            (36, 3, &*format!("placeholder {} in a comment: '# {} the rest of the handlers'", d(), d())),
            (37, 29, &*format!("placeholder {} in a comment: 'x = compute()  # wait for it{}'", d(), d())),
        ],
        "{got:#?}"
    );
    // The same file in the strict mode: every line of code with the dots.
    assert_eq!(check(Mode::Any, &[], "api.py", &text).len(), 15);
}

#[test]
fn stubs_and_abstract_methods_may_use_dots() {
    let stub = dots("def f(x: int) -> int: ~~~\nclass C:\n    def g(self): ~~~\n    x: int\n~~~\n");
    assert!(at(Mode::Placeholders, "api.pyi", &stub).is_empty());
    assert_eq!(at(Mode::Placeholders, "api.py", &stub), vec![(1, 23), (3, 18), (5, 1)]);
    let abc =
        dots("class A(ABC):\n    @abc.abstractmethod\n    def run(self):\n        \"\"\"Run.\"\"\"\n        ~~~\n");
    assert!(at(Mode::Placeholders, "a.py", &abc).is_empty());
}

#[test]
fn javascript_spreads_rest_parameters_strings_and_regexes_are_code() {
    let text = dots(
        "const a = { ~~~b, c };\n\
         function f(~~~args) { return [~~~args, ~~~rest]; }\n\
         const s = \"Loading~~~\" + 'Saving~~~' + `Wait~~~ ${n}`;\n\
         const t = `multi\n\
         ~~~\n\
         line`;\n\
         const re = /a~~~b/g, half = x / 2;\n\
         <p>Loading~~~</p>\n\
         // ~~~\n\
         /* ~~~ */\n\
         /**\n\
         \x20* ~~~ more\n\
         \x20*/\n\
         const u = 'http://x.org/~~~'; // ok~~~\n\
         \x20 ~~~\n\
         {/* ~~~ */}\n",
    );
    assert_eq!(at(Mode::Placeholders, "app.tsx", &text), vec![(9, 4), (10, 4), (12, 4), (14, 36), (15, 3), (16, 5)]);
    assert_eq!(at(Mode::Any, "app.tsx", &text).len(), 12);
}

#[test]
fn rust_go_c_and_shell() {
    let rust = dots(
        "let s = \"a~~~\n~~~\nb\";\nlet r = r#\"~~~ \"quoted\" ~~~\"#;\nfn f<'a>(x: &'a str) { let c = '.'; } // ~~~\n~~~\n",
    );
    assert_eq!(at(Mode::Placeholders, "lib.rs", &rust), vec![(5, 42), (6, 1)]);
    let go = dots("func f(xs ...int) { g(xs~~~) }\ns := `raw\n~~~`\n// ~~~\n");
    assert_eq!(at(Mode::Placeholders, "main.go", &go), vec![(4, 4)]);
    let c = dots("int printf(const char *fmt, ~~~);\nchar q = '\"'; /* ~~~ */\nx = 1'000; // ~~~\n");
    assert_eq!(at(Mode::Placeholders, "a.c", &c), vec![(2, 18), (3, 15)]);
    let sh = dots("echo \"Loading~~~\"  # ~~~\necho ${#arr[@]} 'it~~~'\n~~~\n");
    assert_eq!(at(Mode::Placeholders, "run.sh", &sh), vec![(1, 22), (3, 1)]);
}

#[test]
fn yaml_document_ends_markup_comments_and_plain_text() {
    let yaml = dots("a: 1\n~~~\nb: \"wait~~~\"  # ~~~\n");
    assert_eq!(at(Mode::Placeholders, "ci.yml", &yaml), vec![(3, 17)]);
    let html = dots("<p>Loading~~~</p>\n<!-- ~~~ -->\n");
    assert_eq!(at(Mode::Placeholders, "index.html", &html), vec![(2, 6)]);
    let plain = dots("Wait~~~ then go.\n~~~\n# ~~~\n  // ~~~ \n");
    assert_eq!(at(Mode::Placeholders, "notes.txt", &plain), vec![(2, 1), (3, 3), (4, 6)]);
}

#[test]
fn quotes_keep_the_real_text_and_stop_at_eighty_characters() {
    let line = format!("x = \u{201C}{}\u{201D} # {}", "y".repeat(100), d());
    let got = check(Mode::Placeholders, &[], "a.py", &line);
    assert_eq!(got[0].message, format!("placeholder {} in a comment: 'x = \u{201C}{}{}'", d(), "y".repeat(75), d()));
}
