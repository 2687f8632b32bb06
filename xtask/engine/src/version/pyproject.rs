//! `pyproject.toml`: `[project] version` and `[tool.poetry] version`; when the version is
//! dynamic, where the build backend reads it (setuptools `attr`/`file`, hatch `path`, pattern
//! and `nodejs`, pdm `file`, flit, maturin), or why it cannot be followed (setuptools-scm,
//! hatch-vcs and other git-tag plugins).

use toml_edit::{Document, Item};

use super::text::{Located, SourceError, Values};
use super::toml;

/// What a `pyproject.toml` says about its version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PyProject {
    /// The version is written here.
    Static(Vec<Located>),
    /// The build backend reads it from another file.
    Follow(Follow),
    /// The version is dynamic and comes from somewhere no file holds (git tags, code).
    Unfollowable(String),
    /// No version at all.
    Absent(String),
}

/// Where a dynamic version lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Follow {
    /// How the backend finds it, for people: `setuptools attr lotgenius.__version__`.
    pub via: String,
    /// Paths relative to the pyproject's folder; the first that exists holds the version.
    pub candidates: Vec<String>,
    pub reader: FollowReader,
    /// Byte offset of the setting in the pyproject, for messages.
    pub at: usize,
}

/// How to read the followed file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FollowReader {
    /// A Python module assigning one of these names.
    Module(Vec<String>),
    /// A regular expression with a `version` group (hatch's `pattern`).
    Regex(String),
    PackageJson,
    CargoToml,
    /// A file holding only the version (setuptools `file`).
    Plain,
}

pub fn read(path: &str, text: &str) -> Result<PyProject, SourceError> {
    let doc = toml::parse(path, text)?;
    let statics = |doc: &Document<&str>| -> Result<Vec<Located>, SourceError> {
        let mut found = Vec::new();
        for (keys, field) in [
            (&["project", "version"][..], "[project] version"),
            (&["tool", "poetry", "version"][..], "[tool.poetry] version"),
        ] {
            if let Some(item) = toml::get(doc, keys) {
                found.push(toml::string(path, text, item, field)?);
            }
        }
        Ok(found)
    };
    let dynamic = toml::get(&doc, &["project", "dynamic"])
        .and_then(Item::as_array)
        .is_some_and(|a| a.iter().any(|v| v.as_str() == Some("version")));
    let found = statics(&doc)?;
    if !found.is_empty() {
        return Ok(PyProject::Static(found));
    }
    if dynamic {
        return Ok(follow(&doc));
    }
    Ok(PyProject::Absent("has no [project] version, [tool.poetry] version or dynamic version".into()))
}

fn follow(doc: &Document<&str>) -> PyProject {
    let s = |keys: &[&str]| toml::get(doc, keys).and_then(Item::as_str).map(str::to_string);
    let at = |keys: &[&str]| toml::get(doc, keys).and_then(Item::span).map_or(0, |r| r.start);
    let backend = s(&["build-system", "build-backend"]).unwrap_or_default();
    let requires: Vec<String> = toml::get(doc, &["build-system", "requires"])
        .and_then(Item::as_array)
        .map(|a| a.iter().filter_map(|v| v.as_str()).map(|r| r.to_ascii_lowercase().replace('_', "-")).collect())
        .unwrap_or_default();
    let requires_any = |names: &[&str]| requires.iter().any(|r| names.iter().any(|n| r.starts_with(n)));
    let make = |via: String, candidates: Vec<String>, reader: FollowReader, at: usize| {
        PyProject::Follow(Follow { via, candidates, reader, at })
    };

    // setuptools: [tool.setuptools.dynamic] version = {attr = "pkg.__version__"} or {file = "VERSION"}
    if let Some(spec) = toml::get(doc, &["tool", "setuptools", "dynamic", "version"]) {
        let pos = at(&["tool", "setuptools", "dynamic", "version"]);
        if let Some(attr) = spec.get("attr").and_then(|a| a.as_str()) {
            let Some((module, name)) = attr.rsplit_once('.') else {
                return PyProject::Unfollowable(format!("setuptools attr {attr:?} names no module"));
            };
            let candidates = setuptools_module_files(doc, module);
            return make(format!("setuptools attr {attr}"), candidates, FollowReader::Module(vec![name.into()]), pos);
        }
        let files: Vec<String> = match spec.get("file") {
            Some(f) if f.is_str() => vec![f.as_str().unwrap_or_default().to_string()],
            Some(f) => f
                .as_array()
                .map(|a| a.iter().filter_map(|v| v.as_str().map(String::from)).collect())
                .unwrap_or_default(),
            None => vec![],
        };
        if let [file] = files.as_slice() {
            return make(format!("setuptools file {file}"), vec![file.clone()], FollowReader::Plain, pos);
        }
        return PyProject::Unfollowable("[tool.setuptools.dynamic] version is neither one attr nor one file".into());
    }
    // hatch: [tool.hatch.version] (source = "regex" by default, "nodejs", "code", "vcs")
    if toml::get(doc, &["tool", "hatch", "version"]).is_some() {
        let key = |k: &str| s(&["tool", "hatch", "version", k]);
        let pos = at(&["tool", "hatch", "version"]);
        let source = key("source").unwrap_or_else(|| "regex".into());
        return match source.as_str() {
            "nodejs" => {
                let file = key("path").unwrap_or_else(|| "package.json".into());
                make(format!("hatch-nodejs-version {file}"), vec![file], FollowReader::PackageJson, pos)
            }
            "regex" | "code" => {
                let Some(file) = key("path") else {
                    return PyProject::Unfollowable("[tool.hatch.version] names no path".into());
                };
                let reader = match (source.as_str(), key("pattern"), key("expression")) {
                    ("regex", Some(pattern), _) => FollowReader::Regex(pattern),
                    ("regex", None, _) => FollowReader::Module(vec!["__version__".into(), "VERSION".into()]),
                    (_, _, None) => FollowReader::Module(vec!["__version__".into()]),
                    (_, _, Some(expr)) => {
                        return PyProject::Unfollowable(format!("hatch evaluates the expression {expr:?} in {file}"));
                    }
                };
                make(format!("hatch {source} {file}"), vec![file], reader, pos)
            }
            "vcs" => PyProject::Unfollowable("hatch-vcs derives it from git tags".into()),
            other => PyProject::Unfollowable(format!("the hatch version source {other:?} computes it")),
        };
    }
    // pdm: [tool.pdm.version] source = "file" | "scm" | "call"
    if let Some(source) = s(&["tool", "pdm", "version", "source"]) {
        return match (source.as_str(), s(&["tool", "pdm", "version", "path"])) {
            ("file", Some(file)) => make(
                format!("pdm file {file}"),
                vec![file],
                FollowReader::Module(vec!["__version__".into()]),
                at(&["tool", "pdm", "version"]),
            ),
            ("scm", _) => PyProject::Unfollowable("pdm derives it from git tags (source = \"scm\")".into()),
            (other, _) => PyProject::Unfollowable(format!("the pdm version source {other:?} computes it")),
        };
    }
    if toml::get(doc, &["tool", "setuptools_scm"]).is_some() || requires_any(&["setuptools-scm"]) {
        return PyProject::Unfollowable("setuptools-scm derives it from git tags".into());
    }
    if toml::get(doc, &["tool", "poetry-dynamic-versioning"]).is_some() {
        return PyProject::Unfollowable("poetry-dynamic-versioning derives it from git tags".into());
    }
    if backend.starts_with("flit") {
        let module = s(&["tool", "flit", "module", "name"])
            .or_else(|| s(&["project", "name"]).map(|n| n.replace(['-', '.'], "_")))
            .unwrap_or_default();
        let candidates = ["", "src/"]
            .iter()
            .flat_map(|base| [format!("{base}{module}/__init__.py"), format!("{base}{module}.py")])
            .collect();
        return make(format!("flit module {module}"), candidates, FollowReader::Module(vec!["__version__".into()]), 0);
    }
    if backend.starts_with("maturin") {
        let manifest = s(&["tool", "maturin", "manifest-path"]).unwrap_or_else(|| "Cargo.toml".into());
        return make(format!("maturin {manifest}"), vec![manifest], FollowReader::CargoToml, 0);
    }
    let who = if backend.is_empty() { "the build backend".to_string() } else { format!("the build backend {backend}") };
    PyProject::Unfollowable(format!(
        "{who} computes it in a way the tool does not follow; configure the file that holds it with [[version]]"
    ))
}

/// The files setuptools imports `module` from, honouring `[tool.setuptools] package-dir`.
fn setuptools_module_files(doc: &Document<&str>, module: &str) -> Vec<String> {
    let package_dir = toml::get(doc, &["tool", "setuptools", "package-dir"]).and_then(Item::as_table_like);
    let mapped = |key: &str| package_dir.and_then(|t| t.get(key)).and_then(Item::as_str).map(str::to_string);
    let parts: Vec<&str> = module.split('.').collect();
    let mut prefixes = Vec::new();
    if let Some(dir) = mapped(parts[0]) {
        prefixes.push(std::iter::once(dir.as_str()).chain(parts[1..].iter().copied()).collect::<Vec<_>>().join("/"));
    }
    let root = mapped("").unwrap_or_default();
    for base in [root.as_str(), "", "src"] {
        let prefix = if base.is_empty() { parts.join("/") } else { format!("{base}/{}", parts.join("/")) };
        if !prefixes.contains(&prefix) {
            prefixes.push(prefix);
        }
    }
    prefixes.iter().flat_map(|p| [format!("{p}/__init__.py"), format!("{p}.py")]).collect()
}

/// The versions written in the pyproject itself (used to re-check an edit).
pub fn read_static(path: &str, text: &str) -> Result<Values, SourceError> {
    match read(path, text)? {
        PyProject::Static(found) => Ok(Values::Found(found)),
        _ => Ok(Values::Absent("holds no version of its own".into())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn followed(text: &str) -> Follow {
        match read("pyproject.toml", text).unwrap() {
            PyProject::Follow(f) => f,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn static_versions_in_project_and_poetry() {
        let text =
            "[project]\nname = \"x\"\nversion = \"0.1.0\"  # kept in sync\n\n[tool.mypy]\npython_version = \"3.8\"\n";
        let PyProject::Static(found) = read("p", text).unwrap() else { panic!() };
        assert_eq!(found.len(), 1);
        assert_eq!(&text[found[0].span.clone()], "0.1.0");
        let poetry =
            "[tool.poetry]\nname = \"x\"\nversion = \"1.0.0b1\"\n[tool.poetry.dependencies]\nx = \"1.0.0b1\"\n";
        let PyProject::Static(found) = read("p", poetry).unwrap() else { panic!() };
        assert_eq!((found.len(), found[0].field.as_str()), (1, "[tool.poetry] version"));
    }

    #[test]
    fn setuptools_attr_and_file() {
        let f = followed(
            "[project]\nname = \"lotgenius\"\ndynamic = [\"version\"]\n[tool.setuptools.dynamic]\nversion = {attr = \"lotgenius.__version__\"}\n",
        );
        assert_eq!(f.via, "setuptools attr lotgenius.__version__");
        assert_eq!(&f.candidates[..2], ["lotgenius/__init__.py", "lotgenius.py"]);
        assert!(f.candidates.contains(&"src/lotgenius/__init__.py".to_string()));
        assert_eq!(f.reader, FollowReader::Module(vec!["__version__".into()]));
        let f = followed(
            "[project]\ndynamic = [\"version\"]\n[tool.setuptools]\npackage-dir = {\"\" = \"lib\"}\n[tool.setuptools.dynamic]\nversion = {attr = \"pkg.about.VERSION\"}\n",
        );
        assert_eq!(f.candidates[0], "lib/pkg/about/__init__.py");
        assert_eq!(f.candidates[1], "lib/pkg/about.py");
        assert_eq!(f.reader, FollowReader::Module(vec!["VERSION".into()]));
        let f =
            followed("[project]\ndynamic = [\"version\"]\n[tool.setuptools.dynamic]\nversion = {file = \"VERSION\"}\n");
        assert_eq!((f.candidates, f.reader), (vec!["VERSION".to_string()], FollowReader::Plain));
    }

    #[test]
    fn hatch_pdm_flit_maturin() {
        let f = followed("[project]\ndynamic = [\"version\"]\n[tool.hatch.version]\npath = \"src/x/__about__.py\"\n");
        assert_eq!(f.candidates, vec!["src/x/__about__.py".to_string()]);
        let f = followed("[project]\ndynamic = [\"version\"]\n[tool.hatch.version]\nsource = \"nodejs\"\n");
        assert_eq!((f.candidates[0].as_str(), f.reader), ("package.json", FollowReader::PackageJson));
        let f = followed(
            "[project]\ndynamic = [\"version\"]\n[tool.hatch.version]\npath = \"v.txt\"\npattern = \"V: (?P<version>.+)\"\n",
        );
        assert_eq!(f.reader, FollowReader::Regex("V: (?P<version>.+)".into()));
        let f =
            followed("[project]\ndynamic = [\"version\"]\n[tool.pdm.version]\nsource = \"file\"\npath = \"a.py\"\n");
        assert_eq!(f.candidates, vec!["a.py".to_string()]);
        let f = followed(
            "[build-system]\nbuild-backend = \"flit_core.buildapi\"\n[project]\nname = \"my-pkg\"\ndynamic = [\"version\"]\n",
        );
        assert_eq!(f.candidates[0], "my_pkg/__init__.py");
        let f = followed("[build-system]\nbuild-backend = \"maturin\"\n[project]\ndynamic = [\"version\"]\n");
        assert_eq!((f.candidates[0].as_str(), f.reader), ("Cargo.toml", FollowReader::CargoToml));
    }

    #[test]
    fn git_tag_versions_are_unfollowable_not_errors() {
        for text in [
            "[build-system]\nrequires = [\"setuptools>=64\", \"setuptools_scm>=8\"]\n[project]\ndynamic = [\"version\"]\n",
            "[project]\ndynamic = [\"version\"]\n[tool.setuptools_scm]\n",
            "[project]\ndynamic = [\"version\"]\n[tool.hatch.version]\nsource = \"vcs\"\n",
            "[project]\ndynamic = [\"version\"]\n[tool.pdm.version]\nsource = \"scm\"\n",
        ] {
            let PyProject::Unfollowable(why) = read("p", text).unwrap() else { panic!("{text}") };
            assert!(why.contains("git tags"), "{why}");
        }
        assert!(matches!(read("p", "[tool.ruff]\nline-length = 1\n").unwrap(), PyProject::Absent(_)));
    }
}
