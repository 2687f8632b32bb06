//! The gate cache on disk, under `.git/xtask/gate-cache/` (the git dir all worktrees share):
//! one small file per key that passed, named by the key. Each file is written whole under a
//! name of its writer's own and renamed into place, so concurrent runs never see half of one;
//! reading a file refreshes its time, and the least recently used go first once there are more
//! than [`MAX_ENTRIES`].

use std::io::Write;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};
use sha2::Digest as _;

use crate::bundle::checksums::{digest_file, hex};

/// Entries kept at most (each is about 150 bytes; one per gate and state of its inputs).
pub const MAX_ENTRIES: usize = 1024;

/// How many entries pruning leaves, so it does not run on every write.
const KEEP_ENTRIES: usize = MAX_ENTRIES * 3 / 4;

/// A temporary file older than this was left by a run that was killed.
const STALE_TEMP: Duration = Duration::from_secs(3600);

/// A pass, as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// The gate's name when it passed (for people reading the folder).
    pub gate: String,
    /// When the run finished, in seconds since the epoch.
    pub passed_at: i64,
    /// How long the gate took.
    pub duration_ms: u64,
}

/// The cache folder.
#[derive(Debug, Clone)]
pub struct Store {
    dir: PathBuf,
}

impl Store {
    pub fn at(dir: PathBuf) -> Store {
        Store { dir }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The pass recorded for `key`, if any. An entry that cannot be read or parsed (a torn
    /// write after a power cut) is a miss.
    pub fn get(&self, key: &str) -> Option<Entry> {
        let path = self.dir.join(key);
        let entry: Entry = serde_json::from_slice(&std::fs::read(&path).ok()?).ok()?;
        // Used now: pruning keeps the recently used entries.
        if let Ok(file) = std::fs::File::options().write(true).open(&path) {
            let _ = file.set_modified(SystemTime::now());
        }
        Some(entry)
    }

    /// Record a pass for `key`, then prune when the folder holds too many entries.
    pub fn put(&self, key: &str, entry: &Entry) -> Result<()> {
        std::fs::create_dir_all(&self.dir)
            .with_context(|| format!("{}: cannot create the folder", self.dir.display()))?;
        let bytes = serde_json::to_vec(entry)?;
        publish(&self.dir.join(key), &bytes)
            .with_context(|| format!("{}: cannot write an entry", self.dir.display()))?;
        self.prune(MAX_ENTRIES, KEEP_ENTRIES);
        Ok(())
    }

    /// Above `max` entries, remove the least recently used down to `keep`; remove temporary
    /// files of killed runs. Races with other runs are harmless: a file already gone is skipped.
    fn prune(&self, max: usize, keep: usize) {
        let Ok(read) = std::fs::read_dir(&self.dir) else { return };
        let now = SystemTime::now();
        let mut entries: Vec<(SystemTime, PathBuf)> = Vec::new();
        for item in read.flatten() {
            let name = item.file_name().to_string_lossy().into_owned();
            let Ok(meta) = item.metadata() else { continue };
            let modified = meta.modified().unwrap_or(now);
            if is_key(&name) {
                entries.push((modified, item.path()));
            } else if name.ends_with(".tmp") && now.duration_since(modified).unwrap_or_default() > STALE_TEMP {
                let _ = std::fs::remove_file(item.path());
            }
        }
        if entries.len() <= max {
            return;
        }
        entries.sort();
        for (_, path) in &entries[..entries.len() - keep] {
            let _ = std::fs::remove_file(path);
        }
    }

    /// Who runs the gates: the engine's version and the SHA-256 of its executable, so results
    /// of one build are never taken for another's (an engine a contributor just edited, an
    /// upgrade). The digest is remembered per executable path with its size and modification
    /// time, so only a new build is read.
    pub fn engine_id(&self) -> Result<String> {
        let exe = std::env::current_exe().context("cannot find the running executable")?;
        let stamp = |meta: &std::fs::Metadata| {
            format!("{} {} {} {}.{}", meta.dev(), meta.ino(), meta.len(), meta.mtime(), meta.mtime_nsec())
        };
        let before = std::fs::metadata(&exe).with_context(|| format!("{}: cannot read", exe.display()))?;
        let memo = self.dir.join("engine").join(&hex(&sha2::Sha256::digest(exe.as_os_str().as_encoded_bytes()))[..16]);
        let remembered = std::fs::read_to_string(&memo).ok();
        let digest = match remembered.as_deref().and_then(|t| t.split_once('\n')) {
            Some((seen, digest)) if seen == stamp(&before) => digest.trim().to_string(),
            _ => {
                let (_, digest) = digest_file(&exe, &exe.display().to_string())?;
                // Remembered only when the file did not change while it was read.
                if std::fs::metadata(&exe).is_ok_and(|after| stamp(&after) == stamp(&before))
                    && std::fs::create_dir_all(self.dir.join("engine")).is_ok()
                {
                    let _ = publish(&memo, format!("{}\n{digest}\n", stamp(&before)).as_bytes());
                }
                digest
            }
        };
        Ok(format!("polyrelease {} {digest}", crate::VERSION))
    }
}

/// A cache file name: a key, 64 lowercase hex digits.
fn is_key(name: &str) -> bool {
    name.len() == 64 && name.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Make `path` hold `bytes`: written under a temporary name no other writer uses (this
/// process, a counter), then renamed over it. Cache files need no fsync: one torn by a power
/// cut is a miss.
fn publish(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let tmp = path.with_file_name(format!(".{name}.{}.{n}.tmp", std::process::id()));
    let written = std::fs::File::options()
        .write(true)
        .create_new(true)
        .open(&tmp)
        .and_then(|mut f| f.write_all(bytes))
        .and_then(|()| std::fs::rename(&tmp, path));
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(n: usize) -> String {
        format!("{n:064x}")
    }

    fn entry(gate: &str) -> Entry {
        Entry { gate: gate.into(), passed_at: 1_767_225_600, duration_ms: 1500 }
    }

    #[test]
    fn put_get_and_torn_entries() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::at(dir.path().join("gate-cache"));
        assert_eq!(store.get(&key(1)), None);
        store.put(&key(1), &entry("lint")).unwrap();
        assert_eq!(store.get(&key(1)), Some(entry("lint")));
        std::fs::write(store.dir().join(key(2)), "{\"gate\": \"li").unwrap();
        assert_eq!(store.get(&key(2)), None, "a torn entry is a miss");
        let names: Vec<String> =
            std::fs::read_dir(store.dir()).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
        assert!(names.iter().all(|n| is_key(n)), "no temporary file is left: {names:?}");
    }

    #[test]
    fn pruning_keeps_the_most_recently_used() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::at(dir.path().to_path_buf());
        let old = SystemTime::now() - Duration::from_secs(7200);
        for n in 0..10 {
            store.put(&key(n), &entry("g")).unwrap();
            let f = std::fs::File::options().write(true).open(dir.path().join(key(n))).unwrap();
            f.set_modified(old + Duration::from_secs(n as u64)).unwrap();
        }
        std::fs::write(dir.path().join(".x.1.0.tmp"), "").unwrap();
        std::fs::File::options().write(true).open(dir.path().join(".x.1.0.tmp")).unwrap().set_modified(old).unwrap();
        // Entry 0 is the oldest but was just used.
        assert!(store.get(&key(0)).is_some());
        store.prune(8, 6);
        let mut left: Vec<String> =
            std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
        left.sort();
        let mut want: Vec<String> = [0, 5, 6, 7, 8, 9].iter().map(|&n| key(n)).collect();
        want.sort();
        assert_eq!(left, want);
    }

    #[test]
    fn the_engine_id_is_the_executable_digest_remembered_by_stamp() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::at(dir.path().to_path_buf());
        let id = store.engine_id().unwrap();
        let exe = std::env::current_exe().unwrap();
        let (_, digest) = digest_file(&exe, "").unwrap();
        assert_eq!(id, format!("polyrelease {} {digest}", crate::VERSION));
        let memo = std::fs::read_dir(dir.path().join("engine")).unwrap().next().unwrap().unwrap().path();
        // A remembered digest is used while the executable's stamp matches, and only then.
        let text = std::fs::read_to_string(&memo).unwrap();
        let (stamp, _) = text.split_once('\n').unwrap();
        std::fs::write(&memo, format!("{stamp}\nremembered\n")).unwrap();
        assert!(store.engine_id().unwrap().ends_with(" remembered"));
        std::fs::write(&memo, "0 0 0 0.0\nstale\n").unwrap();
        assert_eq!(store.engine_id().unwrap(), id);
    }
}
