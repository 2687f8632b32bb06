//! Unit tests of the lockfile readers.

use super::*;

const LEFT_PAD_B64: &str = "XRcglhh3p2lHAu4gFg75i5owZ3/uttIZh11iKj+W2fqc4Iu8OvwIHkDSftaw4gURo0WA2fT2oguwTa4HChLwJw==";
const LEFT_PAD_HEX: &str = "5d1720961877a7694702ee20160ef98b9a30677feeb6d219875d622a3f96d9fa9ce08bbc3afc081e40d27ed6b0e20511a34580d9f4f6a20bb04dae070a12f027";

fn purls(found: &[Component]) -> Vec<String> {
    found.iter().map(Component::purl).collect()
}

#[test]
fn package_lock_v3_skips_the_project_and_workspace_links() {
    let text = format!(
        r#"{{"lockfileVersion": 3, "packages": {{
        "": {{"name": "app", "version": "1.0.0"}},
        "packages/ui": {{"name": "ui", "version": "0.1.0"}},
        "node_modules/ui": {{"resolved": "packages/ui", "link": true}},
        "node_modules/left-pad": {{"version": "1.3.0", "integrity": "sha512-{LEFT_PAD_B64}"}},
        "node_modules/@types/node": {{"version": "20.1.0+build.1"}},
        "node_modules/a/node_modules/b": {{"version": "2.0.0", "dev": true}}
    }}}}"#
    );
    let found = parse("web/package-lock.json", &text).unwrap();
    // serde_json reads the keys in sorted order.
    assert_eq!(purls(&found), ["pkg:npm/%40types/node@20.1.0%2Bbuild.1", "pkg:npm/b@2.0.0", "pkg:npm/left-pad@1.3.0"]);
    assert_eq!(found[2].hashes, [("SHA-512".to_string(), LEFT_PAD_HEX.to_string())]);
    let err =
        format!("{:#}", parse("web/package-lock.json", r#"{"lockfileVersion": 1, "dependencies": {}}"#).unwrap_err());
    assert!(err.starts_with("web/package-lock.json: cannot read the lockfile") && err.contains("npm 7"), "{err}");
    let err = format!("{:#}", parse("package-lock.json", "{\n  \"packages\": \n").unwrap_err());
    assert!(err.contains("package-lock.json") && err.contains("line 3"), "{err}");
}

#[test]
fn uv_and_poetry_locks_give_sha256_of_every_file() {
    let a = "a".repeat(64);
    let b = "b".repeat(64);
    let uv = format!(
        r#"version = 1
[[package]]
name = "app"
version = "0.1.0"
source = {{ editable = "." }}

[[package]]
name = "Typing_Extensions"
version = "4.12.2"
source = {{ registry = "https://pypi.org/simple" }}
sdist = {{ url = "https://x/t.tar.gz", hash = "sha256:{a}", size = 1 }}
wheels = [{{ url = "https://x/t.whl", hash = "sha256:{b}", size = 1 }}]
"#
    );
    let found = parse("uv.lock", &uv).unwrap();
    assert_eq!(purls(&found), ["pkg:pypi/typing-extensions@4.12.2"]);
    assert_eq!(found[0].hashes, [("SHA-256".to_string(), a.clone()), ("SHA-256".to_string(), b.clone())]);
    let poetry = format!(
        "[[package]]\nname = \"requests\"\nversion = \"2.32.3\"\nfiles = [\n  {{file = \"r.whl\", hash = \"sha256:{a}\"}},\n]\n\n[[package]]\nname = \"local\"\nversion = \"0.0.0\"\n[package.source]\ntype = \"directory\"\nurl = \"../local\"\n\n[metadata]\nlock-version = \"2.0\"\n"
    );
    let found = parse("backend/poetry.lock", &poetry).unwrap();
    assert_eq!(purls(&found), ["pkg:pypi/requests@2.32.3"]);
    assert_eq!(found[0].hashes.len(), 1);
    let err = format!("{:#}", parse("backend/poetry.lock", "[[package]\n").unwrap_err());
    assert!(err.starts_with("backend/poetry.lock: cannot read the lockfile") && err.contains("line 1"), "{err}");
}

#[test]
fn cargo_lock_skips_the_workspace_crates() {
    let c = "c".repeat(64);
    let text = format!(
        "version = 4\n\n[[package]]\nname = \"mine\"\nversion = \"0.1.0\"\n\n[[package]]\nname = \"serde\"\nversion = \"1.0.200\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\nchecksum = \"{c}\"\n"
    );
    let found = parse("Cargo.lock", &text).unwrap();
    assert_eq!(purls(&found), ["pkg:cargo/serde@1.0.200"]);
    assert_eq!(found[0].hashes, [("SHA-256".to_string(), c)]);
}

#[test]
fn requirements_take_only_pins() {
    let d = "d".repeat(64);
    let text = format!(
        "# comment\n-r base.txt\n--index-url https://x\nflask>=2\nDjango==5.0.1 ; python_version >= \"3.10\" \\\n    --hash=sha256:{d}\nrequests[socks]==2.32.3  # pinned\n-e .\nexact===1.0\n"
    );
    let found = parse("requirements.txt", &text).unwrap();
    assert_eq!(purls(&found), ["pkg:pypi/django@5.0.1", "pkg:pypi/requests@2.32.3", "pkg:pypi/exact@1.0"]);
    assert_eq!(found[0].hashes, [("SHA-256".to_string(), d)]);
    let err = format!("{:#}", parse("requirements-dev.txt", "ok==1\n\"bad==1\n").unwrap_err());
    assert!(err.contains("requirements-dev.txt") && err.contains("line 2"), "{err}");
}

#[test]
fn the_same_package_from_two_lockfiles_is_one_component() {
    let h = |c: char| ("SHA-256".to_string(), c.to_string().repeat(64));
    let one = component(Ecosystem::Pypi, "Django", "5.0.1", vec![h('a')]);
    let two = component(Ecosystem::Pypi, "django", "5.0.1", vec![h('b'), h('a')]);
    let merged = merge([one, two, component(Ecosystem::Npm, "a", "1.0.0", vec![])]);
    assert_eq!(purls(&merged), ["pkg:npm/a@1.0.0", "pkg:pypi/django@5.0.1"]);
    assert_eq!(merged[1].hashes, [h('a'), h('b')]);
}

#[test]
fn lockfiles_by_ecosystem() {
    assert!(Ecosystem::Pypi.owns("requirements-prod.txt") && Ecosystem::Pypi.owns("uv.lock"));
    assert!(!Ecosystem::Pypi.owns("package-lock.json") && Ecosystem::Npm.owns("package-lock.json"));
    assert!(Ecosystem::Cargo.owns("Cargo.lock") && !Ecosystem::Cargo.owns("Cargo.toml"));
    assert_eq!(base64("YWJj").unwrap(), b"abc");
    assert!(base64("a*b").is_err());
}
