//! Detected sources left out by `[versions] exclude`, and the hint for a private package that
//! looks like it is not part of the release (a folder of tests, an example app).

use crate::glob::{GlobBuilder, GlobSetBuilder};

use super::sources::Reading;
use crate::project::{Origin, Project, SourceKind, VersionSpec};

/// `detected` without the sources that `exclude` (root-relative paths or globs) names.
pub fn drop_excluded(detected: Vec<VersionSpec>, exclude: &[String]) -> Vec<VersionSpec> {
    if exclude.is_empty() {
        return detected;
    }
    let mut set = GlobSetBuilder::new();
    for pattern in exclude {
        // The configuration checked every glob; one that fails here cannot match anything.
        let normalized = crate::repo::files::normalize_scope(pattern);
        if let Ok(glob) = GlobBuilder::new(&normalized).literal_separator(true).build() {
            set.add(glob);
        }
    }
    let set = set.build();
    detected.into_iter().filter(|spec| !set.is_match(&spec.path)).collect()
}

/// Folder names that hold tests or an app of their own rather than the released package.
const NOT_RELEASED: &[&str] =
    &["e2e", "example", "examples", "demo", "demos", "playground", "sandbox", "sample", "samples", "binder"];

/// Files whose presence marks a folder of browser or integration tests.
const TEST_CONFIGS: &[&str] = &["playwright.config", "cypress.config", "jest.config", "vitest.config"];

/// For a detected `package.json` that says `"private": true` and sits in a folder of tests or
/// of a separate app: what that folder is, and how to leave the file out.
pub fn private_hint(project: &Project, reading: &Reading) -> Option<String> {
    if reading.kind != SourceKind::PackageJson || !matches!(reading.spec.origin, Origin::Detected(_)) {
        return None;
    }
    let text = std::fs::read_to_string(project.repo.path(&reading.file)).ok()?;
    let json: serde_json::Value = serde_json::from_str(&text).ok()?;
    if json.get("private") != Some(&serde_json::Value::Bool(true)) {
        return None;
    }
    let dir = crate::detect::parent(&reading.file);
    let name = dir.rsplit('/').next().unwrap_or(dir).to_ascii_lowercase();
    let prefix = format!("{dir}/");
    let has_test_config = project.files.iter().any(|f| {
        f.strip_prefix(&prefix)
            .is_some_and(|rest| !rest.contains('/') && TEST_CONFIGS.iter().any(|c| rest.starts_with(c)))
    });
    let what = if name.contains("test") || has_test_config {
        "a folder of tests"
    } else if NOT_RELEASED.contains(&name.as_str()) || name.ends_with("-app") || name.ends_with("-example") {
        "a folder of a separate app"
    } else {
        return None;
    };
    Some(format!(
        "{} is \"private\": true in {what} ({dir}/); if it is not released with the project, \
         leave it out with [versions] exclude = [\"{}\"] in xtask.toml",
        reading.file, reading.file
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Form;

    fn spec(path: &str) -> VersionSpec {
        VersionSpec {
            path: path.into(),
            kind: SourceKind::PackageJson,
            pattern: None,
            form: Form::Semver,
            origin: Origin::Detected("package.json".into()),
        }
    }

    #[test]
    fn paths_and_globs_drop_only_what_they_name() {
        let all = vec![spec("package.json"), spec("ui-tests/package.json"), spec("examples/package.json")];
        let kept = |ex: &[&str]| -> Vec<String> {
            let ex: Vec<String> = ex.iter().map(|s| s.to_string()).collect();
            drop_excluded(all.clone(), &ex).into_iter().map(|s| s.path).collect()
        };
        assert_eq!(kept(&["ui-tests/package.json"]), ["package.json", "examples/package.json"]);
        assert_eq!(kept(&["./ui-tests/package.json"]), ["package.json", "examples/package.json"]);
        assert_eq!(kept(&["*/package.json"]), ["package.json"]);
        assert_eq!(kept(&["nothing/package.json"]).len(), 3);
        assert_eq!(kept(&[]).len(), 3);
    }
}
