//! The `ellipsis` gate on a realistic corpus (`fixtures/ellipsis-corpus`: a Pydantic backend
//! with Protocols, abstract methods, overloads, a stub and docstrings; a React/TypeScript
//! frontend with spreads, rest parameters, strings and JSX text; a shell script; a YAML file).
//! The default finds the nine placeholders a person left and nothing else; `mode = "any"`
//! finds every line `rg -F '...'` finds outside Markdown.

mod support;

use std::collections::BTreeSet;

use support::TestRepo;

fn lines(doc: &serde_json::Value) -> BTreeSet<(String, u64)> {
    doc["gates"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["path"].as_str().unwrap().to_string(), f["line"].as_u64().unwrap()))
        .collect()
}

/// Every line of a file (Markdown left out) that holds three dots: what `rg -F` reports.
fn every_line_with_dots(repo: &TestRepo) -> BTreeSet<(String, u64)> {
    let dots = ".".repeat(3);
    let files = repo.git(&["ls-files"]);
    let mut all = BTreeSet::new();
    for path in files.lines().filter(|p| !p.ends_with(".md")) {
        for (i, line) in repo.read(path).lines().enumerate() {
            if line.contains(&dots) {
                all.insert((path.to_string(), i as u64 + 1));
            }
        }
    }
    all
}

#[test]
fn the_default_finds_the_placeholders_and_any_finds_every_dot() {
    let repo = TestRepo::from_fixture("ellipsis-corpus");
    let run = repo.xtask(&["--json", "quality-check", "--only", "ellipsis"]);
    run.code(1);
    let expected: BTreeSet<(String, u64)> = [
        ("backend/inventory/service.py", 27),
        ("backend/inventory/service.py", 31),
        ("backend/inventory/service.py", 35),
        ("deploy/config.yaml", 5),
        ("frontend/src/components/BidForm.tsx", 15),
        ("frontend/src/components/LotList.tsx", 26),
        ("frontend/src/lib/api.ts", 22),
        ("frontend/src/lib/format.js", 10),
        ("scripts/deploy.sh", 7),
    ]
    .iter()
    .map(|(p, l)| (p.to_string(), *l))
    .collect();
    assert_eq!(lines(&run.json()), expected, "{run}");

    let every = every_line_with_dots(&repo);
    assert_eq!(every.len(), 68);
    repo.write("xtask.toml", "[gates.ellipsis]\nmode = \"any\"\n");
    let run = repo.xtask(&["--json", "quality-check", "--only", "ellipsis"]);
    run.code(1);
    assert_eq!(lines(&run.json()), every, "{run}");
}
