//! The git operations of rollbacks: how two trees differ, the paths that differ as a checkout
//! writes them (through a temporary index, never this repository's), a view of another tree
//! through this work tree, where a commit has been pushed, and a scratch repository for the
//! gates that shares this repository's objects without touching it.

use std::collections::{BTreeMap, BTreeSet};
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use anyhow::{Context, Result, bail};

use super::Repo;

/// Git's mode of a symbolic link, and of a submodule (a commit inside the tree).
pub const MODE_LINK: &str = "120000";
pub const MODE_GITLINK: &str = "160000";

/// One path that differs between two trees (`None`: absent on that side).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeChange {
    pub path: String,
    /// Git's mode on each side: `100644`, `100755`, `120000` (link), `160000` (submodule).
    pub old_mode: Option<String>,
    pub new_mode: Option<String>,
    /// The object on each side.
    pub old_oid: Option<String>,
    pub new_oid: Option<String>,
}

impl TreeChange {
    /// The same difference seen from the other side.
    pub fn reversed(self) -> TreeChange {
        TreeChange {
            path: self.path,
            old_mode: self.new_mode,
            new_mode: self.old_mode,
            old_oid: self.new_oid,
            new_oid: self.old_oid,
        }
    }
}

/// Some paths of another commit's tree, as a checkout of it writes them. When nothing converts
/// them (no filter, no line-ending attribute or setting), a checkout writes git's blobs as they
/// are: those are read from one `git cat-file --batch` and kept in memory. Otherwise `git
/// checkout-index` writes them from a temporary index of that tree into a temporary folder.
/// Either way this repository is not touched, and a file is put on disk only when its path is
/// asked for (see [`View`]). The folder is removed on drop.
#[derive(Debug)]
pub struct TreeFiles {
    dir: TempDir,
    rev: String,
    /// Git's mode of each path (`100644`, `100755`, `120000`).
    modes: BTreeMap<String, String>,
    /// The bytes of each path, when they were read from git's objects; `None` when they were
    /// checked out under [`TreeFiles::root`].
    blobs: Option<BTreeMap<String, Vec<u8>>>,
    /// The paths written under the root so far (from `blobs`).
    written: Mutex<BTreeSet<String>>,
}

impl TreeFiles {
    /// The bytes of `path` (a link's target, for a link) and its mode; `None` when it is not one
    /// of the paths read.
    pub fn get(&self, path: &str) -> Result<Option<(Vec<u8>, String)>> {
        let Some(mode) = self.modes.get(path) else { return Ok(None) };
        let bytes = match &self.blobs {
            Some(blobs) => blobs.get(path).cloned().unwrap_or_default(),
            None => {
                let full = self.root().join(path);
                if mode == MODE_LINK {
                    let target = std::fs::read_link(&full).with_context(|| format!("{path}: cannot read the link"))?;
                    target.as_os_str().as_encoded_bytes().to_vec()
                } else {
                    std::fs::read(&full).with_context(|| format!("{path}: cannot read the checked-out file"))?
                }
            }
        };
        Ok(Some((bytes, mode.clone())))
    }

    /// Where the files are put on disk (`ROOT/PATH`).
    pub fn root(&self) -> PathBuf {
        self.dir.path().join("tree")
    }

    /// `ROOT/PATH`, written there first if it is only in memory. A write that fails leaves
    /// the path missing, so that the reader's error names it.
    fn on_disk(&self, path: &str) -> PathBuf {
        let full = self.root().join(path);
        if let (Some(blobs), Some(mode)) = (&self.blobs, self.modes.get(path)) {
            let mut written = self.written.lock().unwrap_or_else(|e| e.into_inner());
            if written.insert(path.to_string()) {
                let bytes = blobs.get(path).map(Vec::as_slice).unwrap_or_default();
                let _ = write_entry(&full, bytes, mode);
            }
        }
        full
    }

    /// The temporary index holding the whole tree (read on first use).
    pub fn index(&self, repo: &Repo) -> Result<PathBuf> {
        let index = self.dir.path().join("index");
        if !index.exists() {
            repo.git_with_index(&index, ["read-tree", &format!("{}^{{tree}}", self.rev)], None)
                .with_context(|| format!("cannot read the tree of {}", self.rev))?;
        }
        Ok(index)
    }
}

/// Put a file (with its executable bit) or a link where git's `mode` says.
fn write_entry(path: &Path, bytes: &[u8], mode: &str) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    if mode == MODE_LINK {
        #[cfg(unix)]
        {
            use std::os::unix::ffi::OsStrExt;
            return std::os::unix::fs::symlink(OsStr::from_bytes(bytes), path);
        }
    }
    std::fs::write(path, bytes)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let bits = if mode == "100755" { 0o755 } else { 0o644 };
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(bits))?;
    }
    Ok(())
}

/// Another tree seen through a work tree: the paths that differ read from [`TreeFiles`] (or,
/// absent there, from nowhere), every other path from the work tree. Planning reads a
/// rollback's tree through it without checking that tree out.
#[derive(Debug)]
pub struct View {
    files: Arc<TreeFiles>,
    absent: BTreeSet<String>,
}

impl View {
    /// `absent`: the paths that do not exist in that tree.
    pub fn new(files: Arc<TreeFiles>, absent: BTreeSet<String>) -> View {
        View { files, absent }
    }

    /// Where `rel` is read from, when not from the work tree.
    pub(super) fn redirect(&self, rel: &Path) -> Option<PathBuf> {
        let key = super::slash_path(rel);
        let key = key.trim_start_matches("./");
        if self.files.modes.contains_key(key) {
            Some(self.files.on_disk(key))
        } else if self.absent.contains(key) {
            Some(self.files.dir.path().join("absent").join(key))
        } else {
            None
        }
    }
}

impl Repo {
    /// Every path whose content or mode differs between the trees of `from` and `to`
    /// (renames are a deletion and an addition), sorted by path.
    pub fn tree_changes(&self, from: &str, to: &str) -> Result<Vec<TreeChange>> {
        let out = self.git(["diff", "--raw", "-z", "--no-renames", "--no-abbrev", "--no-ext-diff", from, to, "--"])?;
        Ok(parse_raw_diff(&out))
    }

    /// The `(path, mode, object)` entries of `rev` as a checkout of `rev` writes them (see
    /// [`TreeFiles`]).
    pub fn tree_files(&self, rev: &str, entries: &[(&str, &str, &str)]) -> Result<TreeFiles> {
        let mut files = TreeFiles {
            dir: TempDir::new("xtask-rollback")?,
            rev: rev.to_string(),
            modes: entries.iter().map(|(path, mode, _)| (path.to_string(), mode.to_string())).collect(),
            blobs: None,
            written: Mutex::new(BTreeSet::new()),
        };
        if entries.is_empty() {
            return Ok(files);
        }
        let paths: Vec<&str> = entries.iter().map(|(path, _, _)| *path).collect();
        if self.converts_on_checkout(&paths)? {
            let index = files.index(self)?;
            let prefix = format!("--prefix={}/", files.root().display());
            // The target's own `.gitattributes` decide, as in a checkout of it (git 2.42 and
            // later read them from GIT_ATTR_SOURCE; older ones take today's).
            let args = ["checkout-index", "-z", "--stdin", &prefix];
            self.git_with_env(
                &[("GIT_INDEX_FILE", index.as_os_str()), ("GIT_ATTR_SOURCE", rev.as_ref())],
                args,
                Some(&nul_list(&paths)),
            )
            .with_context(|| format!("cannot write the files of {rev} in a temporary folder"))?;
        } else {
            let mut reader = self.blobs()?;
            let mut blobs = BTreeMap::new();
            for (path, _, oid) in entries {
                blobs.insert(path.to_string(), reader.read(oid).with_context(|| format!("{path} in {rev}"))?);
            }
            files.blobs = Some(blobs);
        }
        Ok(files)
    }

    /// Whether a checkout converts any of `paths` (a filter, a line-ending attribute, an
    /// `ident`, a working-tree encoding, `core.autocrlf`), or `.gitattributes` is among them,
    /// which changes the rules.
    fn converts_on_checkout(&self, paths: &[&str]) -> Result<bool> {
        if paths.iter().any(|p| p.rsplit('/').next() == Some(".gitattributes")) {
            return Ok(true);
        }
        let autocrlf = self.git_output(["config", "--get", "core.autocrlf"])?;
        if autocrlf.success && !matches!(autocrlf.stdout.trim(), "false" | "no" | "off" | "0" | "") {
            return Ok(true);
        }
        let attributes = ["text", "eol", "crlf", "filter", "ident", "working-tree-encoding"];
        let mut args = vec!["check-attr", "-z", "--stdin"];
        args.extend(attributes);
        let out = self.git_raw(&args, Some(&nul_list(paths)))?;
        if !out.status.success() {
            bail!("`git check-attr` failed: {}", String::from_utf8_lossy(&out.stderr).trim());
        }
        // `PATH NUL ATTRIBUTE NUL VALUE NUL` for every path and attribute.
        let fields: Vec<&[u8]> = out.stdout.split(|&b| b == 0).collect();
        Ok(fields.chunks(3).any(|f| f.len() == 3 && !matches!(f[2], b"unspecified" | b"unset")))
    }

    /// This repository, with reads of some paths redirected by `view` (see [`View`]).
    pub fn with_view(&self, view: View) -> Repo {
        Repo { view: Some(Arc::new(view)), ..self.clone() }
    }

    /// Set entries of the index file `index`: `(path, Some((mode, object)))` adds or replaces,
    /// `(path, None)` removes.
    pub fn set_index_entries(&self, index: &Path, entries: &[(String, Option<(String, String)>)]) -> Result<()> {
        if entries.is_empty() {
            return Ok(());
        }
        let format = self.git(["rev-parse", "--show-object-format"])?;
        let zero = if format.trim() == "sha256" { "0".repeat(64) } else { "0".repeat(40) };
        let mut info = Vec::new();
        for (path, entry) in entries {
            let line = match entry {
                Some((mode, oid)) => format!("{mode} {oid}\t{path}"),
                None => format!("0 {zero}\t{path}"),
            };
            info.extend_from_slice(line.as_bytes());
            info.push(0);
        }
        self.git_with_index(index, ["update-index", "-z", "--index-info"], Some(&info))?;
        Ok(())
    }

    /// A new repository in a temporary folder, with a copy of `index` as its index, that reads
    /// this one's objects (`objects/info/alternates`) and writes nothing here; the caller puts
    /// its files in. Removed when the [`Scratch`] is dropped.
    pub fn scratch_repository(&self, index: &Path) -> Result<Scratch> {
        let objects = self.git(["rev-parse", "--path-format=absolute", "--git-path", "objects"])?;
        let objects = PathBuf::from(objects.trim());
        let format = self.git(["rev-parse", "--show-object-format"])?;
        let dir = TempDir::new("xtask-rollback-tree")?;
        let path = dir.path().to_string_lossy().into_owned();
        self.git(["init", "--quiet", &format!("--object-format={}", format.trim()), &path])?;
        let alternates = dir.path().join(".git/objects/info/alternates");
        std::fs::write(&alternates, format!("{}\n", objects.display()))
            .with_context(|| format!("{}: cannot write", alternates.display()))?;
        std::fs::copy(index, dir.path().join(".git/index"))
            .with_context(|| format!("{}: cannot copy the index", index.display()))?;
        let repo = Repo::open(Some(dir.path()))?;
        Ok(Scratch { repo, _dir: dir })
    }

    /// How many commits `to` has that `from` has not.
    pub fn count_commits(&self, from: &str, to: &str) -> Result<usize> {
        let out = self.git(["rev-list", "--count", &format!("{from}..{to}")])?;
        out.trim().parse().with_context(|| format!("git gave no commit count for {from}..{to}"))
    }

    /// The parents of a commit.
    pub fn parents(&self, commit: &str) -> Result<Vec<String>> {
        let out = self.git(["rev-list", "--parents", "-n", "1", commit])?;
        Ok(out.split_whitespace().skip(1).map(str::to_string).collect())
    }

    /// The refs under `prefix` (`refs/heads/`, `refs/remotes/`) whose history holds `commit`,
    /// by short name.
    pub fn refs_containing(&self, commit: &str, prefix: &str) -> Result<Vec<String>> {
        let out = self.git(["for-each-ref", "--format=%(refname:short)", &format!("--contains={commit}"), prefix])?;
        Ok(out.lines().filter(|l| !l.is_empty() && !l.ends_with("/HEAD")).map(str::to_string).collect())
    }

    /// Run git in the root with `GIT_INDEX_FILE=index`.
    fn git_with_index<I, S>(&self, index: &Path, args: I, stdin: Option<&[u8]>) -> Result<()>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.git_with_env(&[("GIT_INDEX_FILE", index.as_os_str())], args, stdin)
    }

    /// Run git in the root with more environment.
    fn git_with_env<I, S>(&self, env: &[(&str, &OsStr)], args: I, stdin: Option<&[u8]>) -> Result<()>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let sh = xshell::Shell::new().context("cannot start a shell for git")?;
        sh.change_dir(self.root());
        let args: Vec<std::ffi::OsString> = args.into_iter().map(|a| a.as_ref().to_owned()).collect();
        let shown = args.iter().map(|a| a.to_string_lossy()).collect::<Vec<_>>().join(" ");
        let mut cmd = xshell::cmd!(sh, "git {args...}").quiet().ignore_status().env("GIT_TERMINAL_PROMPT", "0");
        for (key, value) in env {
            cmd = cmd.env(key, value);
        }
        if let Some(input) = stdin {
            cmd = cmd.stdin(input);
        }
        let out = cmd.output().context("cannot run `git`: is git installed and on PATH? (apt-get install git)")?;
        if !out.status.success() {
            bail!("`git {shown}` failed: {}", String::from_utf8_lossy(&out.stderr).trim());
        }
        Ok(())
    }
}

/// A repository in a temporary folder (see [`Repo::scratch_repository`]).
#[derive(Debug)]
pub struct Scratch {
    pub repo: Repo,
    _dir: TempDir,
}

/// A folder under the system's temporary folder, removed (with everything in it) on drop.
#[derive(Debug)]
struct TempDir(PathBuf);

impl TempDir {
    fn new(prefix: &str) -> Result<TempDir> {
        let base = std::env::temp_dir();
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
        for n in 0..100u32 {
            let path = base.join(format!("{prefix}-{}-{nanos}-{n}", std::process::id()));
            match std::fs::create_dir(&path) {
                Ok(()) => return Ok(TempDir(path)),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => {
                    return Err(e).with_context(|| format!("{}: cannot create a temporary folder", path.display()));
                }
            }
        }
        bail!("{}: cannot create a temporary folder (too many exist)", base.display())
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Paths for `--stdin -z`.
fn nul_list(paths: &[&str]) -> Vec<u8> {
    let mut list = Vec::new();
    for path in paths {
        list.extend_from_slice(path.as_bytes());
        list.push(0);
    }
    list
}

/// `git diff --raw -z`: `:OLD NEW OLDSHA NEWSHA STATUS\0PATH\0` per path.
fn parse_raw_diff(out: &str) -> Vec<TreeChange> {
    let mut changes = Vec::new();
    let mut fields = out.split('\0');
    while let (Some(header), Some(path)) = (fields.next(), fields.next()) {
        let parts: Vec<&str> = header.trim_start_matches([':', '\n']).split(' ').collect();
        let [old, new, old_oid, new_oid, ..] = parts[..] else { continue };
        let mode = |m: &str| (m != "000000").then(|| m.to_string());
        let oid = |m: &str, o: &str| (m != "000000").then(|| o.to_string());
        changes.push(TreeChange {
            path: path.to_string(),
            old_mode: mode(old),
            new_mode: mode(new),
            old_oid: oid(old, old_oid),
            new_oid: oid(new, new_oid),
        });
    }
    changes.sort_by(|a, b| a.path.cmp(&b.path));
    changes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_diffs_are_parsed_with_both_modes_and_objects() {
        let z = "0".repeat(40);
        let a = "a".repeat(40);
        let b = "b".repeat(40);
        let out = format!(
            ":100644 100755 {a} {b} M\0run.sh\0:000000 120000 {z} {a} A\0docs/latest\0:100644 000000 {a} {z} D\0a b.txt\0"
        );
        let changes = parse_raw_diff(&out);
        let got: Vec<(&str, Option<&str>, Option<&str>)> =
            changes.iter().map(|c| (c.path.as_str(), c.old_mode.as_deref(), c.new_mode.as_deref())).collect();
        assert_eq!(
            got,
            [
                ("a b.txt", Some("100644"), None),
                ("docs/latest", None, Some("120000")),
                ("run.sh", Some("100644"), Some("100755")),
            ]
        );
        assert_eq!((changes[0].old_oid.as_deref(), changes[0].new_oid.as_deref()), (Some(a.as_str()), None));
        assert_eq!(changes[2].new_oid.as_deref(), Some(b.as_str()));
        let back = changes[1].clone().reversed();
        assert_eq!((back.old_mode.as_deref(), back.new_mode.as_deref()), (Some("120000"), None));
        assert_eq!((back.old_oid.as_deref(), back.new_oid), (Some(a.as_str()), None));
        assert!(parse_raw_diff("").is_empty());
    }

    #[test]
    fn a_temporary_folder_goes_away_with_its_content() {
        let dir = TempDir::new("xtask-test").unwrap();
        let path = dir.path().to_path_buf();
        std::fs::create_dir_all(path.join("a/b")).unwrap();
        std::fs::write(path.join("a/b/c"), "x").unwrap();
        drop(dir);
        assert!(!path.exists());
    }

    #[test]
    fn a_view_redirects_only_the_paths_that_differ() {
        let files = Arc::new(TreeFiles {
            dir: TempDir::new("xtask-test").unwrap(),
            rev: "HEAD".into(),
            modes: BTreeMap::from([("docs/a.md".to_string(), "100755".to_string())]),
            blobs: Some(BTreeMap::from([("docs/a.md".to_string(), b"# A\n".to_vec())])),
            written: Mutex::new(BTreeSet::new()),
        });
        let view = View::new(files.clone(), BTreeSet::from(["gone.txt".to_string()]));
        let a = view.redirect(Path::new("./docs/a.md")).unwrap();
        assert_eq!(a, files.root().join("docs/a.md"));
        assert_eq!(std::fs::read(&a).unwrap(), b"# A\n", "written when asked for");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&a).unwrap().permissions().mode() & 0o777, 0o755);
        }
        assert!(view.redirect(Path::new("gone.txt")).is_some_and(|p| !p.exists()));
        assert_eq!(view.redirect(Path::new("docs/b.md")), None);
        assert_eq!(files.get("docs/a.md").unwrap(), Some((b"# A\n".to_vec(), "100755".to_string())));
        assert_eq!(files.get("docs/b.md").unwrap(), None);
    }
}
