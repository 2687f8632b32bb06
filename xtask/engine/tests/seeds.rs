//! The seeds' repositories as they are: a Jupyter extension's changelog markers, and tags
//! spelled the way each team spells them.

mod support;

use support::TestRepo;

/// A Jupyter extension released as `version`, tagged `tag`, with a feature commit since.
fn jupyter(pyproject_version: &str, npm_version: &str, tag: &str, changelog: &str) -> TestRepo {
    let repo = TestRepo::new();
    repo.write("pyproject.toml", format!("[project]\nname = \"ext\"\nversion = \"{pyproject_version}\"\n"))
        .write("package.json", format!("{{\n  \"name\": \"ext\",\n  \"version\": \"{npm_version}\"\n}}\n"))
        .write("CHANGELOG.md", changelog)
        .write("xtask.toml", "[release]\nname = \"ext\"\n");
    repo.commit_all("chore: initial import");
    repo.tag(tag);
    repo.tick();
    repo.write("src/feature.txt", "new\n");
    repo.commit_all("feat: a new panel");
    repo
}

const MARKED: &str = "\
# Changelog

<!-- <START NEW CHANGELOG ENTRY> -->

## 0.54.0

- Old things (#12)

<!-- <END NEW CHANGELOG ENTRY> -->

## 0.53.0

- Older things
";

#[test]
fn a_jupyter_releaser_changelog_gets_the_section_between_its_markers() {
    let repo = jupyter("0.54.0", "0.54.0", "v0.54.0", MARKED);
    let before = repo.snapshot();
    repo.xtask(&["release", "minor", "--no-verify", "--dry-run"]).code(0);
    support::assert_same(&before, &repo.snapshot());

    repo.xtask(&["release", "minor", "--no-verify"]).code(0);
    let text = repo.read("CHANGELOG.md");
    let start = text.find("<!-- <START NEW CHANGELOG ENTRY> -->").unwrap();
    let end = text.find("<!-- <END NEW CHANGELOG ENTRY> -->").unwrap();
    assert_eq!(text.matches("<!-- <START NEW CHANGELOG ENTRY> -->").count(), 1, "{text}");
    assert_eq!(text.matches("<!-- <END NEW CHANGELOG ENTRY> -->").count(), 1, "{text}");
    let newest = &text[start..end];
    assert!(newest.contains("## [0.55.0]") && newest.contains("a new panel"), "{text}");
    assert!(!newest.contains("0.54.0"), "{text}");
    assert!(text[end..].contains("\n\n## 0.54.0\n\n- Old things (#12)\n\n## 0.53.0\n"), "{text}");
    assert!(text.starts_with("# Changelog\n\n<!-- <START NEW CHANGELOG ENTRY> -->\n\n## [0.55.0]"), "{text}");
}
