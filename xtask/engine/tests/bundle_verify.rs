//! `bundle --verify` on hostile bundle folders: archives (written with Python's zipfile and
//! tarfile) whose members are links out of the folder, hard links, devices, or files written
//! through a link; and a folder whose artifact is itself a symlink to `/etc/passwd`. The
//! checksums are made to match, so only the member checks can catch them; every unsafe
//! member is reported, not just the first.

mod bundle_util;
mod support;

use bundle_util::{mismatches, tamper, tool};
use support::TestRepo;

/// A repository with a zip and a tar.gz bundle, bundled into `dist`.
fn bundled() -> TestRepo {
    let repo = bundle_util::versioned(
        "site",
        "1.0.0",
        "\n[[bundle]]\nname = \"site.zip\"\ninclude = [\"site\"]\n\n[[bundle]]\nname = \"site.tar.gz\"\ninclude = [\"site\"]\n",
    );
    repo.write("site/index.html", "<p>hi</p>\n");
    repo.commit_all("feat: a site");
    repo.xtask(&["bundle", "--only", "site.zip,site.tar.gz"]).code(0);
    repo.xtask(&["bundle", "--verify", "dist"]).code(0);
    repo
}

#[test]
fn hostile_zip_members_are_all_findings() {
    let repo = bundled();
    tamper(
        &repo,
        r#"
import zipfile
def link(z, name, target):
    info = zipfile.ZipInfo(name)
    info.external_attr = (0o120777 << 16)
    z.writestr(info, target)
with zipfile.ZipFile("site.zip", "w") as z:
    z.writestr("site/index.html", "<p>hi</p>\n")
    link(z, "site/passwd", "/etc/passwd")
    link(z, "l", "../..")
    z.writestr("l/x", "written through the link\n")
    link(z, "site/up", "../../etc")
    z.writestr("../escape.txt", "out\n")
"#,
    );
    assert_eq!(
        mismatches(&repo),
        [
            "site.zip: member `site/passwd` is a symlink to /etc/passwd, outside the archive",
            "site.zip: member `l` is a symlink to ../.., outside the archive",
            "site.zip: member `l/x` would be written through the symlink `l`",
            "site.zip: member `site/up` is a symlink to ../../etc, outside the archive",
            "site.zip: member `../escape.txt` contains `..`",
        ]
    );
}

#[test]
fn hostile_tar_members_are_all_findings() {
    let repo = bundled();
    tamper(
        &repo,
        r#"
import io, tarfile
def add(t, name, kind=tarfile.REGTYPE, link="", data=b""):
    info = tarfile.TarInfo(name)
    info.type, info.linkname, info.size = kind, link, len(data)
    t.addfile(info, io.BytesIO(data))
with tarfile.open("site.tar.gz", "w:gz") as t:
    add(t, "site/index.html", data=b"<p>hi</p>\n")
    add(t, "site/passwd", tarfile.SYMTYPE, "/etc/passwd")
    add(t, "site/shadow", tarfile.LNKTYPE, "/etc/shadow")
    add(t, "l", tarfile.SYMTYPE, "../..")
    add(t, "l/x", data=b"through\n")
    add(t, "site/tty", tarfile.CHRTYPE)
    add(t, "/abs.txt", data=b"abs\n")
"#,
    );
    assert_eq!(
        mismatches(&repo),
        [
            "site.tar.gz: member `site/passwd` is a symlink to /etc/passwd, outside the archive",
            "site.tar.gz: member `site/shadow` is a hard link to /etc/shadow (bundles never hold hard links)",
            "site.tar.gz: member `l` is a symlink to ../.., outside the archive",
            "site.tar.gz: member `l/x` would be written through the symlink `l`",
            "site.tar.gz: member `site/tty` is a character device, not a file, folder or symlink",
            "site.tar.gz: member `/abs.txt` is absolute",
        ]
    );
}

#[test]
fn a_symlink_in_the_folder_is_not_followed() {
    let repo = bundled();
    let dist = repo.path("dist");
    std::fs::remove_file(dist.join("site.zip")).unwrap();
    std::os::unix::fs::symlink("/etc/passwd", dist.join("site.zip")).unwrap();
    // The manifest claims a plain file with /etc/passwd's size and digest.
    tamper(
        &repo,
        "import json\nm = json.load(open('manifest.json'))\nfor f in m['files']: f['kind'] = 'file'\njson.dump(m, open('manifest.json', 'w'))",
    );
    assert_eq!(
        mismatches(&repo),
        ["site.zip: a symlink (to /etc/passwd), not a file; verify reads only regular files inside the folder"]
    );
    // The manifest itself as a link.
    std::fs::rename(dist.join("manifest.json"), repo.path("elsewhere.json")).unwrap();
    std::os::unix::fs::symlink(repo.path("elsewhere.json"), dist.join("manifest.json")).unwrap();
    let found = mismatches(&repo);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].starts_with("manifest.json: a symlink (to "), "{found:?}");
    // A named pipe is not opened (verify would wait on it forever).
    std::fs::remove_file(dist.join("manifest.json")).unwrap();
    std::fs::rename(repo.path("elsewhere.json"), dist.join("manifest.json")).unwrap();
    std::fs::remove_file(dist.join("site.zip")).unwrap();
    tool(&dist, "mkfifo", &["site.zip"]);
    let found = mismatches(&repo);
    assert!(
        found.iter().any(|p| p == "site.zip: not a regular file; verify reads only regular files inside the folder"),
        "{found:?}"
    );
}
