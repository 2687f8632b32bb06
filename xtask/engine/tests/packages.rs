//! Several packages in one repository, first cut: `[[package]]` and `[[group]]` parse,
//! `version` lists every package, `changelog PACKAGE` scopes the notes by path, bad models are
//! exit 2 naming the line and change nothing, and workspaces detection only proposes.

mod support;

use support::{TestRepo, assert_same};

const PAIR_AND_APP: &str = r#"[[package]]
name = "backend"
folder = "backend"

[[package]]
name = "frontend"
folder = "frontend"

[[package]]
name = "app"
folder = "app"

[[group]]
name = "pair"
packages = ["backend", "frontend"]
mode = "fixed"

[[group]]
name = "apps"
packages = ["app"]
mode = "independent"
"#;

/// The issue's shape: a fixed backend+frontend pair at 0.1.0 (tag `v0.1.0`) and an
/// independent app at 1.0.0 (tag `app-v1.0.0`), then one commit per package and one that
/// touches two.
fn issue_shape(config: &str, app: &str) -> TestRepo {
    let repo = TestRepo::new();
    let app_file = if app.is_empty() { "package.json".to_string() } else { format!("{app}/package.json") };
    repo.write("backend/pyproject.toml", "[project]\nname = \"backend\"\nversion = \"0.1.0\"\n")
        .write("frontend/package.json", "{\n  \"name\": \"frontend\",\n  \"version\": \"0.1.0\"\n}\n")
        .write(&app_file, "{\n  \"name\": \"app\",\n  \"version\": \"1.0.0\"\n}\n")
        .write("xtask.toml", config);
    repo.commit_all("chore: initial import");
    repo.tag("v0.1.0");
    repo.tag("app-v1.0.0");
    let in_app = |name: &str| if app.is_empty() { name.to_string() } else { format!("{app}/{name}") };
    repo.write(&in_app("main.js"), "console.log(1);\n");
    repo.commit_all("feat(app): a start page");
    repo.write("backend/api.py", "x = 1\n");
    repo.commit_all("fix(backend): the api answers");
    repo.write("frontend/ui.js", "ui();\n").write(&in_app("ui.js"), "ui();\n");
    repo.commit_all("feat: one button in both");
    repo
}

#[test]
fn version_lists_both_groups_with_versions_and_newest_tags() {
    let repo = issue_shape(PAIR_AND_APP, "app");
    let run = repo.xtask(&["version"]);
    run.code(0);
    let rows: Vec<&str> = run.stdout.lines().collect();
    assert!(rows[0].starts_with("PACKAGE") && rows[0].contains("NEWEST TAG"), "{run}");
    let row = |name: &str| -> Vec<&str> {
        let line = rows.iter().find(|l| l.split_whitespace().next() == Some(name));
        line.unwrap_or_else(|| panic!("{name}\n{run}")).split_whitespace().collect()
    };
    assert_eq!(
        row("backend"),
        ["backend", "backend", "pair", "(fixed)", "0.1.0", "v0.1.0", "backend/pyproject.toml", "0.1.0"]
    );
    assert_eq!(row("frontend")[4..], ["0.1.0", "v0.1.0", "frontend/package.json", "0.1.0"]);
    assert_eq!(row("app"), ["app", "app", "apps", "(independent)", "1.0.0", "app-v1.0.0", "app/package.json", "1.0.0"]);

    let doc = repo.xtask(&["--json", "version"]).code(0).json();
    let packages = doc["packages"].as_array().unwrap();
    let names: Vec<&str> = packages.iter().map(|p| p["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["backend", "frontend", "app"]);
    assert_eq!(packages[2]["version"], "1.0.0");
    assert_eq!(packages[2]["newest_tag"], "app-v1.0.0");
    assert_eq!(packages[2]["tag_prefix"], "app-v");
    assert_eq!(packages[2]["changelog"], "app/CHANGELOG.md");
    assert_eq!(packages[0]["group"], "pair");
    assert_eq!(packages[0]["mode"], "fixed");
    assert_eq!(packages[0]["sources"][0]["file"], "backend/pyproject.toml");
    assert_eq!(doc["ok"], true);
    repo.xtask(&["version", "--check"]).code(0);
}

#[test]
fn version_check_fails_on_drift_inside_a_package_and_inside_a_fixed_group() {
    let config = format!(
        "{PAIR_AND_APP}\n# listed sources\n[[package.version]]\npath = \"app/package.json\"\n[[package.version]]\npath = \"app/VERSION\"\n"
    );
    let repo = issue_shape(&config, "app");
    repo.write("app/VERSION", "1.0.1\n");
    let run = repo.xtask(&["version", "--check"]);
    run.code(1);
    assert!(run.stderr.contains("package app: version sources out of sync"), "{run}");
    assert!(run.stderr.contains("app/VERSION:1 holds 1.0.1"), "{run}");
    assert!(run.stdout.lines().any(|l| l.starts_with("app") && l.ends_with("<- differs")), "{run}");

    let repo = issue_shape(PAIR_AND_APP, "app");
    repo.write("frontend/package.json", "{\n  \"name\": \"frontend\",\n  \"version\": \"0.2.0\"\n}\n");
    let run = repo.xtask(&["version", "--check"]);
    run.code(1);
    assert!(run.stderr.contains("fixed group pair: its packages disagree (backend 0.1.0, frontend 0.2.0)"), "{run}");
    // Without --check it is a warning, as for one version.
    let run = repo.xtask(&["version"]);
    run.code(0);
    assert!(run.stderr.contains("warning:") && run.stderr.contains("fixed group pair"), "{run}");
}

fn subjects(run: &support::Run) -> Vec<String> {
    run.json()["sections"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["entries"].as_array().unwrap().iter().map(|e| e["description"].as_str().unwrap().to_string()))
        .collect()
}

#[test]
fn changelog_of_a_package_has_only_the_commits_that_touch_its_folder() {
    let repo = issue_shape(PAIR_AND_APP, "app");
    let run = repo.xtask(&["--json", "changelog", "app"]);
    run.code(0);
    let mut app = subjects(&run);
    app.sort();
    assert_eq!(app, ["a start page", "one button in both"], "{run}");
    assert_eq!(run.json()["range"]["from"], "app-v1.0.0");
    assert_eq!(run.json()["package"], "app");

    let run = repo.xtask(&["--json", "changelog", "frontend"]);
    assert_eq!(subjects(run.code(0)), ["one button in both"], "{run}");
    assert_eq!(run.json()["range"]["from"], "v0.1.0");
    let run = repo.xtask(&["--json", "changelog", "backend"]);
    assert_eq!(subjects(run.code(0)), ["the api answers"], "{run}");

    // Markdown too.
    let run = repo.xtask(&["changelog", "app"]);
    assert!(run.code(0).stdout.contains("a start page") && !run.stdout.contains("the api answers"), "{run}");

    // A package's released notes: from its previous tag, only its own commits.
    repo.tag("app-v1.1.0");
    repo.write("backend/more.py", "y = 2\n");
    repo.commit_all("feat(backend): more");
    let run = repo.xtask(&["--json", "changelog", "app", "--tag", "app-v1.1.0"]);
    assert_eq!(run.code(0).json()["range"]["from"], "app-v1.0.0", "{run}");
    assert_eq!(subjects(&run).len(), 2, "{run}");
    let run = repo.xtask(&["--json", "changelog", "app"]);
    assert!(subjects(run.code(0)).is_empty(), "{run}");

    // Plain `changelog` is the whole repository as before.
    let run = repo.xtask(&["--json", "changelog", "--since", "v0.1.0"]);
    assert_eq!(subjects(run.code(0)).len(), 4, "{run}");
}

#[test]
fn a_root_package_leaves_out_the_folders_of_the_packages_nested_in_it() {
    let config = PAIR_AND_APP.replace("folder = \"app\"", "folder = \".\"");
    let repo = issue_shape(&config, "");
    repo.write("README.md", "# app\n");
    repo.commit_all("docs: the readme");
    let run = repo.xtask(&["--json", "changelog", "app"]);
    let mut app = subjects(run.code(0));
    app.sort();
    assert_eq!(app, ["a start page", "one button in both", "the readme"], "{run}");
    let doc = repo.xtask(&["--json", "version"]).code(0).json();
    let app = &doc["packages"][2];
    assert_eq!(app["folder"], ".");
    let files: Vec<&str> = app["sources"].as_array().unwrap().iter().map(|s| s["file"].as_str().unwrap()).collect();
    assert_eq!(files, ["package.json"], "the root package does not take its nested packages' files\n{doc}");
    assert_eq!(app["changelog"], "CHANGELOG.md");
}

#[test]
fn changelog_of_an_unknown_package_names_the_packages() {
    let repo = issue_shape(PAIR_AND_APP, "app");
    let run = repo.xtask(&["changelog", "web"]);
    run.code(2);
    assert!(run.stderr.contains("no such package; the packages of xtask.toml are backend, frontend, app"), "{run}");
    let repo = issue_shape("", "app");
    let run = repo.xtask(&["changelog", "app"]);
    run.code(2);
    assert!(run.stderr.contains("declares no [[package]]"), "{run}");
}

/// Each model that cannot hold: exit 2, `xtask.toml: line N:` and what to do, nothing changed.
#[test]
fn bad_package_models_are_exit_2_naming_the_line_and_change_nothing() {
    let two = |extra: &str| format!("{PAIR_AND_APP}{extra}");
    let cases: Vec<(String, &str, &str)> = vec![
        (
            PAIR_AND_APP.replace("folder = \"app\"", "folder = \"../app\""),
            "xtask.toml: line 11: ",
            "is outside the repository",
        ),
        (
            PAIR_AND_APP.replace("folder = \"app\"", "folder = \"web\""),
            "xtask.toml: line 11: ",
            "does not exist in the repository",
        ),
        (
            PAIR_AND_APP.replace("folder = \"app\"", "folder = \"frontend/\""),
            "xtask.toml: line 11: ",
            "two packages cannot share a folder",
        ),
        (
            PAIR_AND_APP.replace("packages = [\"app\"]", "packages = [\"app\", \"backend\"]"),
            "xtask.toml: line 20: ",
            "package \"backend\" is in group \"pair\" and in group \"apps\"",
        ),
        (
            PAIR_AND_APP.replace("packages = [\"app\"]", "packages = [\"app\", \"web\"]"),
            "xtask.toml: line 20: ",
            "lists \"web\", which no [[package]] declares (the packages are app, backend, frontend)",
        ),
        (
            two("\n[[package]]\nname = \"site\"\nfolder = \"frontend/site\"\ntag-format = \"app-v{version}\"\n"),
            "xtask.toml: line 26: ",
            "and package \"app\" would both write tags `app-v<version>`",
        ),
        (
            PAIR_AND_APP.replace("mode = \"independent\"", "mode = \"fixed\""),
            "xtask.toml: line 18: ",
            "group \"apps\" and group \"pair\" would both write tags `v<version>`",
        ),
        (
            two(
                "\n[[package]]\nname = \"site\"\nfolder = \"frontend/site\"\n[[package.version]]\npath = \"frontend/package.json\"\n\
                 [[package]]\nname = \"web\"\nfolder = \"frontend/web\"\n[[package.version]]\npath = \"frontend/package.json\"\n",
            ),
            "xtask.toml: line 32: ",
            "is already a version source of package \"site\"",
        ),
        (
            PAIR_AND_APP.replace("mode = \"fixed\"", "mode = \"locked\""),
            "xtask.toml: TOML parse error at line 16,",
            "unknown variant `locked`",
        ),
    ];
    for (config, line, what) in cases {
        let repo = issue_shape(PAIR_AND_APP, "app");
        repo.write("frontend/site/a.txt", "a\n").write("frontend/web/a.txt", "a\n");
        repo.write("xtask.toml", &config);
        let before = repo.snapshot();
        for args in [&["version"][..], &["changelog", "app"], &["--json", "version"]] {
            let run = repo.xtask(args);
            run.code(2);
            assert!(run.stderr.contains(line), "wanted {line}\n{config}\n{run}");
            assert!(run.stderr.contains(what), "wanted {what:?}\n{config}\n{run}");
        }
        assert_same(&before, &repo.snapshot());
    }
}

/// An npm workspace: `version` proposes its members as packages, with the snippet, and
/// still reports the one version; the snippet, adopted, lists them.
#[test]
fn detection_proposes_workspace_packages_without_imposing_them() {
    let repo = TestRepo::new();
    let member = |name: &str| format!("{{\n  \"name\": \"@acme/{name}\",\n  \"version\": \"2.0.0\"\n}}\n");
    repo.write(
        "package.json",
        "{\n  \"name\": \"root\",\n  \"version\": \"2.0.0\",\n  \"private\": true,\n  \"workspaces\": [\"packages/*\"]\n}\n",
    )
    .write("packages/ui/package.json", member("ui"))
    .write("packages/lib/package.json", member("lib"))
    .write("packages/docs/README.md", "no manifest here\n");
    repo.commit_all("chore: initial import");
    let before = repo.snapshot();

    let doc = repo.xtask(&["--json", "version"]).code(0).json();
    assert_eq!(doc["version"], "2.0.0");
    assert_eq!(doc["sources"].as_array().unwrap().len(), 3, "{doc}");
    let proposed: Vec<(&str, &str)> = doc["proposed_packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["name"].as_str().unwrap(), p["folder"].as_str().unwrap()))
        .collect();
    assert_eq!(proposed, [("lib", "packages/lib"), ("ui", "packages/ui")]);
    assert!(doc.get("packages").is_none(), "{doc}");

    let run = repo.xtask(&["version"]);
    run.code(0);
    assert!(run.stdout.contains("version 2.0.0 (all 3 sources agree)"), "{run}");
    assert!(
        run.stdout.contains("proposal:") && run.stdout.contains("ui in packages/ui/ (listed by package.json)"),
        "{run}"
    );
    let snippet = &run.stdout[run.stdout.find("[[package]]").expect("the snippet")..];
    assert_same(&before, &repo.snapshot());

    repo.write("xtask.toml", snippet);
    let doc = repo.xtask(&["--json", "version"]).code(0).json();
    let names: Vec<&str> = doc["packages"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["lib", "ui"]);
    assert_eq!(doc["packages"][1]["tag_prefix"], "ui-v");
    assert_eq!(doc["packages"][1]["version"], "2.0.0");
}

/// uv and Cargo workspaces: a member with a version of its own is proposed, a Cargo member
/// that inherits the workspace's version is not.
#[test]
fn uv_and_cargo_members_with_their_own_versions_are_proposed() {
    let repo = TestRepo::new();
    repo.write(
        "pyproject.toml",
        "[project]\nname = \"root\"\nversion = \"3.0.0\"\n\n[tool.uv.workspace]\nmembers = [\"libs/*\"]\n",
    )
    .write("libs/core/pyproject.toml", "[project]\nname = \"acme-core\"\nversion = \"3.0.0\"\n")
    .write(
        "rust/Cargo.toml",
        "[workspace]\nmembers = [\"own\", \"shared\"]\n\n[workspace.package]\nversion = \"3.0.0\"\n",
    )
    .write("rust/own/Cargo.toml", "[package]\nname = \"own\"\nversion = \"3.0.0\"\n")
    .write("rust/shared/Cargo.toml", "[package]\nname = \"shared\"\nversion.workspace = true\n");
    repo.commit_all("chore: initial import");
    let doc = repo.xtask(&["--json", "version"]).code(0).json();
    assert_eq!(doc["version"], "3.0.0", "{doc}");
    let proposed: Vec<(&str, &str, &str)> = doc["proposed_packages"]
        .as_array()
        .unwrap_or_else(|| panic!("{doc}"))
        .iter()
        .map(|p| (p["name"].as_str().unwrap(), p["folder"].as_str().unwrap(), p["workspace"].as_str().unwrap()))
        .collect();
    assert_eq!(proposed, [("acme-core", "libs/core", "pyproject.toml"), ("own", "rust/own", "rust/Cargo.toml")]);
}
