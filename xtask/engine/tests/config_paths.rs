//! Paths in `xtask.toml` that leave the repository are refused when the configuration is
//! loaded (exit 2, naming xtask.toml, the key and its line), before any file is read or
//! written: neither the repository nor the file outside it changes.

mod support;

use support::{TestRepo, assert_same};

/// A repository at version 1.0.0 with a file beside it, outside, that holds a version too.
struct Outside {
    repo: TestRepo,
    file: std::path::PathBuf,
}

impl Outside {
    fn new() -> Outside {
        let repo = TestRepo::new();
        repo.write("VERSION", "1.0.0\n");
        repo.write("CHANGELOG.md", "# Changelog\n");
        repo.write("docs/README.md", "# Docs\n");
        repo.commit_all("feat: start");
        repo.tag("v1.0.0");
        repo.write("src.txt", "x\n");
        repo.commit_all("fix: a fix");
        let name = format!("{}-outside.txt", repo.root().file_name().unwrap().to_string_lossy());
        let file = repo.root().parent().unwrap().join(name);
        std::fs::write(&file, "1.0.0\n").unwrap();
        Outside { repo, file }
    }

    fn configure(&self, toml: &str) {
        self.repo.write("xtask.toml", toml);
        self.repo.commit_all("chore: configure");
    }
}

impl Drop for Outside {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.file);
    }
}

#[track_caller]
fn refused(o: &Outside, args: &[&str], key: &str, line: usize) {
    let before = o.repo.snapshot();
    let outside = std::fs::read(&o.file).unwrap();
    let run = o.repo.xtask(args);
    run.code(2);
    assert!(run.stderr.contains("xtask.toml: "), "names the file\n{run}");
    assert!(run.stderr.contains(&format!("line {line}: {key} ")), "names the key and line\n{run}");
    assert!(run.stderr.contains("outside the repository"), "{run}");
    assert_same(&before, &o.repo.snapshot());
    assert_eq!(std::fs::read(&o.file).unwrap(), outside, "the file outside changed\n{run}");
}

#[test]
fn a_version_source_outside_is_neither_read_nor_written() {
    let o = Outside::new();
    let rel = format!("../{}", o.file.file_name().unwrap().to_string_lossy());
    o.configure(&format!(
        "[release]\nname = \"p\"\n\n[[version]]\npath = \"VERSION\"\n[[version]]\npath = \"{rel}\"\n"
    ));
    for args in
        [&["release", "patch", "--no-verify"][..], &["release", "patch", "--dry-run"], &["version"], &["bundle"]]
    {
        refused(&o, args, "[[version]] path", 7);
    }
    let abs = o.file.display().to_string();
    o.configure(&format!("[[version]]\npath = \"{abs}\"\n"));
    refused(&o, &["release", "patch", "--no-verify"], "[[version]] path", 2);
}

#[test]
fn a_changelog_gate_path_or_bundle_folder_outside_is_refused() {
    let o = Outside::new();
    o.configure("[release]\nchangelog = \"../X.md\"\n");
    refused(&o, &["release", "patch", "--no-verify"], "[release] changelog", 2);
    o.configure("[gates.links]\npaths = [\"docs\", \"../..\"]\n");
    refused(&o, &["quality-check"], "[gates.links] paths", 2);
    o.configure("[[bundle]]\nname = \"x.zip\"\ncwd = \"/etc\"\ninclude = [\"**\"]\n");
    refused(&o, &["bundle"], "[[bundle]] cwd", 3);
}

#[test]
fn a_folder_that_links_outside_is_refused() {
    let o = Outside::new();
    std::os::unix::fs::symlink(o.file.parent().unwrap(), o.repo.path("up")).unwrap();
    let through = format!("up/{}", o.file.file_name().unwrap().to_string_lossy());
    o.configure(&format!("[[version]]\npath = \"VERSION\"\n[[version]]\npath = \"{through}\"\n"));
    let before = o.repo.snapshot();
    let run = o.repo.xtask(&["release", "patch", "--no-verify"]);
    run.code(2);
    assert!(run.stderr.contains("line 4: [[version]] path") && run.stderr.contains("through a symlink"), "{run}");
    assert_same(&before, &o.repo.snapshot());
    assert_eq!(std::fs::read_to_string(&o.file).unwrap(), "1.0.0\n");
}
