//! What `bundle --verify` accepts as the members of an archive, whoever wrote it: safe names,
//! symlinks that stay inside, nothing written through a symlink, no hard links, devices or
//! pipes. Every unsafe member is one finding; the check goes on to the end of the archive.

use std::collections::BTreeSet;

use super::entry;
use crate::output::safe as escaped;

/// A member as an unpacker would create it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Member<'a> {
    File,
    Dir,
    Symlink(&'a str),
    HardLink(&'a str),
    /// Anything else (a device, a pipe, a socket), by the name of its type.
    Other(&'a str),
}

/// The members seen so far in one archive, and what was wrong with them.
#[derive(Debug, Default)]
pub struct Members {
    links: BTreeSet<String>,
    seen: BTreeSet<String>,
    pub findings: Vec<String>,
}

impl Members {
    /// Check the next member, named as the archive names it.
    pub fn check(&mut self, name: &str, member: Member<'_>) {
        let shown = escaped(name);
        if let Some(why) = entry::name_problem(name) {
            self.findings.push(format!("member `{shown}` {why}"));
            return;
        }
        let name = name.trim_end_matches('/');
        if let Some(link) = self.through_link(name) {
            self.findings.push(format!("member `{shown}` would be written through the symlink `{}`", escaped(link)));
        }
        if !self.seen.insert(name.to_string()) {
            self.findings.push(format!("member `{shown}` appears twice (unpacking replaces the first)"));
        }
        match member {
            Member::File | Member::Dir => {}
            Member::Symlink(target) => {
                if entry::check_symlink(name, target, "").is_err() {
                    self.findings
                        .push(format!("member `{shown}` is a symlink to {}, outside the archive", escaped(target)));
                }
                self.links.insert(name.to_string());
            }
            Member::HardLink(target) => self.findings.push(format!(
                "member `{shown}` is a hard link to {} (bundles never hold hard links)",
                escaped(target)
            )),
            Member::Other(kind) => {
                self.findings.push(format!("member `{shown}` is a {kind}, not a file, folder or symlink"))
            }
        }
    }

    /// The symlink among the folders above `name`, if one was unpacked before it.
    fn through_link(&self, name: &str) -> Option<&str> {
        let mut parent = name;
        while let Some(i) = parent.rfind('/') {
            parent = &parent[..i];
            if let Some(link) = self.links.get(parent) {
                return Some(link);
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_unsafe_member_is_one_finding() {
        let mut m = Members::default();
        m.check("p-1/", Member::Dir);
        m.check("p-1/README.md", Member::File);
        m.check("p-1/START.md", Member::Symlink("README.md"));
        m.check("p-1/passwd", Member::Symlink("/etc/passwd"));
        m.check("p-1/up", Member::Symlink("../.."));
        m.check("p-1/up/x", Member::File);
        m.check("p-1/hard", Member::HardLink("/etc/passwd"));
        m.check("../evil", Member::File);
        m.check("p-1/README.md", Member::File);
        m.check("p-1/dev", Member::Other("character device"));
        m.check("p-1/a\n::warning::x", Member::File);
        assert_eq!(
            m.findings,
            [
                "member `p-1/passwd` is a symlink to /etc/passwd, outside the archive",
                "member `p-1/up` is a symlink to ../.., outside the archive",
                "member `p-1/up/x` would be written through the symlink `p-1/up`",
                "member `p-1/hard` is a hard link to /etc/passwd (bundles never hold hard links)",
                "member `../evil` contains `..`",
                "member `p-1/README.md` appears twice (unpacking replaces the first)",
                "member `p-1/dev` is a character device, not a file, folder or symlink",
            ]
        );
    }
}
