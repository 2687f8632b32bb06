//! The shop of the package scenarios (tests/packages_release.rs, tests/bundle_packages.rs): a
//! fixed backend+frontend pair at 0.1.0 (tag `v0.1.0`) and an independent app at the root at
//! 1.0.0 (tag `app-v1.0.0`), with a local bare `origin`.

use super::TestRepo;
use super::origin::Project;

/// Its `xtask.toml`: the pair with one changelog (`docs/CHANGELOG.md`), the app on its own.
pub const PACKAGES: &str = r#"[release]
name = "shop"

[[package]]
name = "backend"
folder = "backend"

[[package]]
name = "frontend"
folder = "frontend"

[[package]]
name = "app"
folder = "."

[[group]]
name = "pair"
packages = ["backend", "frontend"]
changelog = "docs/CHANGELOG.md"

[[group]]
name = "apps"
packages = ["app"]
mode = "independent"
"#;

/// A `package.json` and its `package-lock.json` at `version`.
pub fn npm(name: &str, version: &str) -> (String, String) {
    let manifest = format!("{{\n  \"name\": \"{name}\",\n  \"version\": \"{version}\",\n  \"private\": true\n}}\n");
    let lock = format!(
        "{{\n  \"name\": \"{name}\",\n  \"version\": \"{version}\",\n  \"lockfileVersion\": 3,\n  \"requires\": true,\n  \"packages\": {{\n    \"\": {{\n      \"name\": \"{name}\",\n      \"version\": \"{version}\"\n    }}\n  }}\n}}\n"
    );
    (manifest, lock)
}

/// The pair at 0.1.0 and the app at 1.0.0, tagged and pushed; then a feature in the backend, a
/// fix in the frontend and a feature in the app. `config` is the whole `xtask.toml`, `build` the
/// backend's `[build-system]` (empty: none).
pub fn shop(config: &str, build: &str) -> Project {
    let repo = TestRepo::new();
    let (front, front_lock) = npm("frontend", "0.1.0");
    let (app, app_lock) = npm("app", "1.0.0");
    repo.write("backend/pyproject.toml", format!("{build}[project]\nname = \"shop-backend\"\nversion = \"0.1.0\"\n"))
        .write("backend/shop_api/__init__.py", "__version__ = \"0.1.0\"\n")
        .write("frontend/package.json", front)
        .write("frontend/package-lock.json", front_lock)
        .write("package.json", app)
        .write("package-lock.json", app_lock)
        .write("src/main.js", "console.log('app');\n")
        .write("docs/CHANGELOG.md", "# Changelog\n")
        .write("CHANGELOG.md", "# Changelog\n")
        .write(".gitignore", "dist/\n")
        .write("xtask.toml", config);
    repo.commit_all("chore: initial import");
    repo.tag("v0.1.0");
    repo.tag("app-v1.0.0");
    repo.write("backend/shop_api/orders.py", "ORDERS = []\n");
    repo.commit_all("feat(api): list the orders");
    repo.write("frontend/style.css", "body { margin: 0; }\n");
    repo.commit_all("fix(ui): no margin");
    repo.write("src/start.js", "export const start = 1;\n");
    repo.commit_all("feat(app): a start page");
    Project::with_origin(repo, &["main", "v0.1.0", "app-v1.0.0"])
}
