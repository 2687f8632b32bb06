//! Some paths of another commit's tree as a checkout writes them, read from git's objects
//! (in memory) or, when a checkout would convert them, written by `git checkout-index` from a
//! temporary index; and a view of that tree through the work tree, for planning.

use std::collections::{BTreeMap, BTreeSet};
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use anyhow::{Context, Result, bail};

use super::Repo;
use super::rollback_ops::{MODE_LINK, TempDir, nul_list};

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

/// `git cat-file --batch` output for `oids`: `OID TYPE SIZE\n`, the content and `\n` for each
/// object found, `NAME missing\n` for the others.
fn parse_batch(out: &[u8], oids: &[&str]) -> Result<Vec<Result<Vec<u8>>>> {
    let records = batch_records(out, oids.len())?;
    Ok(oids
        .iter()
        .zip(records)
        .map(|(oid, record)| match record {
            BatchRecord::Object { kind: "blob", body, .. } => Ok(body.to_vec()),
            BatchRecord::Object { header, .. } | BatchRecord::Other(header) => {
                Err(anyhow::anyhow!("git object {oid} is not a readable blob: {}", header.trim()))
            }
        })
        .collect())
}

/// One answer of `git cat-file --batch`: an object (`ID KIND SIZE` and its body), or a line
/// without a body (`NAME missing`, `NAME ambiguous`).
pub(super) enum BatchRecord<'a> {
    Object { header: &'a str, kind: &'a str, body: &'a [u8] },
    Other(&'a str),
}

/// The first `count` answers of `git cat-file --batch` in its output `out`; an error when it
/// ends early or a header is malformed.
pub(super) fn batch_records(out: &[u8], count: usize) -> Result<Vec<BatchRecord<'_>>> {
    let mut records = Vec::with_capacity(count);
    let mut rest = out;
    for _ in 0..count {
        let end = memchr::memchr(b'\n', rest).context("git cat-file ended early")?;
        let header = std::str::from_utf8(&rest[..end]).context("git cat-file: a header that is not text")?;
        rest = &rest[end + 1..];
        // The name asked for may hold spaces (`REV:a b missing`); an object's header is its id.
        let fields: Vec<&str> = header.rsplitn(3, ' ').collect();
        let [size, kind, _] = fields[..] else {
            records.push(BatchRecord::Other(header));
            continue;
        };
        if matches!(size, "missing" | "ambiguous") {
            records.push(BatchRecord::Other(header));
            continue;
        }
        let size: usize = size.parse().with_context(|| format!("git cat-file: bad header {header}"))?;
        if rest.len() < size + 1 {
            bail!("git cat-file ended early");
        }
        records.push(BatchRecord::Object { header, kind, body: &rest[..size] });
        rest = &rest[size + 1..];
    }
    Ok(records)
}

/// Put a file (with its executable bit) or a link, as git's `mode` says, at `path` in a
/// temporary folder (not the work tree, which only the executor writes).
pub fn write_entry(path: &Path, bytes: &[u8], mode: &str) -> std::io::Result<()> {
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
        // The blobs are read while git is asked whether a checkout converts them (almost never).
        let oids: Vec<&str> = entries.iter().map(|(_, _, oid)| *oid).collect();
        let blobs = self.start_reading_blobs(&oids)?;
        if self.converts_on_checkout(&paths)? {
            drop(blobs);
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
            let mut contents = finish_reading_blobs(blobs, &oids)?.into_iter();
            let mut blobs = BTreeMap::new();
            for (path, _, _) in entries {
                let content = contents.next().context("git cat-file gave fewer objects than asked for")?;
                blobs.insert(path.to_string(), content.with_context(|| format!("{path} in {rev}"))?);
            }
            files.blobs = Some(blobs);
        }
        Ok(files)
    }

    /// Start the one `git cat-file --batch` that reads the blobs `oids`, given every id at once
    /// (not one round trip per blob); [`finish_reading_blobs`] takes their contents.
    fn start_reading_blobs(&self, oids: &[&str]) -> Result<super::process::Started> {
        let mut input = Vec::with_capacity(oids.len() * 41);
        for oid in oids {
            input.extend_from_slice(oid.as_bytes());
            input.push(b'\n');
        }
        self.start_git(["cat-file", "--batch", "--buffer"], Some(input))
    }

    /// Whether a checkout converts any of `paths` (a filter, a line-ending attribute, an
    /// `ident`, a working-tree encoding, `core.autocrlf`), or `.gitattributes` is among them,
    /// which changes the rules.
    fn converts_on_checkout(&self, paths: &[&str]) -> Result<bool> {
        if paths.iter().any(|p| p.rsplit('/').next() == Some(".gitattributes")) {
            return Ok(true);
        }
        let Some(config) = self.config() else { return Ok(true) };
        if config.get("core.autocrlf").is_some() && config.bool("core.autocrlf") != Some(false) {
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

    /// Run git in the root with `GIT_INDEX_FILE=index`.
    pub(super) fn git_with_index<I, S>(&self, index: &Path, args: I, stdin: Option<&[u8]>) -> Result<()>
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

/// The contents of the blobs `oids`, in their order, from the `git cat-file --batch` started by
/// [`Repo::start_reading_blobs`]; an error for an id that is not a blob.
fn finish_reading_blobs(started: super::process::Started, oids: &[&str]) -> Result<Vec<Result<Vec<u8>>>> {
    let out = started.finish()?;
    if !out.status.success() {
        bail!("`git cat-file --batch` failed: {}", String::from_utf8_lossy(&out.stderr).trim());
    }
    parse_batch(&out.stdout, oids)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_batch_gives_each_blob_and_names_what_is_not_one() {
        let (a, b, t) = ("a".repeat(40), "b".repeat(40), "c".repeat(40));
        let out = format!("{a} blob 3\nx\ny\n{b} missing\n{t} tree 0\n\n{a} blob 0\n\n");
        let got = parse_batch(out.as_bytes(), &[&a, &b, &t, &a]).unwrap();
        assert_eq!(got[0].as_ref().unwrap(), b"x\ny");
        assert!(
            format!("{:#}", got[1].as_ref().unwrap_err()).contains(&format!("git object {b} is not a readable blob"))
        );
        assert!(got[2].is_err());
        assert_eq!(got[3].as_ref().unwrap(), b"");
        assert!(parse_batch(format!("{a} blob 9\nx\n").as_bytes(), &[&a]).is_err(), "cut short");
        // A folder asked for by name, absent, its name with spaces: no body follows.
        let out = format!("{a}:docs/a b c missing\n{t} tree 0\n\n");
        let records = batch_records(out.as_bytes(), 2).unwrap();
        assert!(matches!(records[0], BatchRecord::Other(h) if h.ends_with("a b c missing")));
        assert!(matches!(records[1], BatchRecord::Object { kind: "tree", body: b"", .. }));
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
