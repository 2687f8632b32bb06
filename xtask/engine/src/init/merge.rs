//! Merges into files the user owns: keys and lines `init` needs are added where missing, and
//! nothing that is there is changed (comments, order and the user's own values stay).

use anyhow::{Result, bail};
use toml_edit::{DocumentMut, Item, Table, Value};

/// One `key = value` that must exist in the table at `path`.
pub struct Wanted {
    pub path: &'static [&'static str],
    pub key: &'static str,
    pub value: Value,
    /// The comment above the table, when `init` creates it.
    pub comment: &'static str,
}

/// `text` with every `wanted` key added where absent, and `member` among `[workspace] members`
/// (when given). Errors name the line of a TOML syntax error.
pub fn toml(text: &str, wanted: &[Wanted], member: Option<&str>) -> Result<String> {
    let mut doc: DocumentMut = text.parse().map_err(|e| anyhow::anyhow!("{e}"))?;
    if let Some(member) = member {
        add_member(&mut doc, member)?;
    }
    for w in wanted {
        let table = table_at(doc.as_table_mut(), w.path, w.comment)?;
        if !table.contains_key(w.key) {
            table.insert(w.key, Item::Value(w.value.clone()));
        }
    }
    Ok(doc.to_string())
}

/// `text` without the `retired` integer keys an earlier version of `init` wrote, where they still
/// hold the value it wrote (a value the user changed stays); a table they leave empty goes too.
pub fn retire(text: &str, retired: &[(&[&str], &str, i64)]) -> Result<String> {
    let mut doc: DocumentMut = text.parse().map_err(|e| anyhow::anyhow!("{e}"))?;
    for &(path, key, value) in retired {
        let Some((last, parents)) = path.split_last() else { continue };
        let Some(parent) = parents.iter().try_fold(doc.as_table_mut(), |t, name| t.get_mut(name)?.as_table_mut())
        else {
            continue;
        };
        let Some(table) = parent.get_mut(last).and_then(Item::as_table_mut) else { continue };
        if table.get(key).and_then(Item::as_integer) != Some(value) {
            continue;
        }
        table.remove(key);
        if table.is_empty() {
            parent.remove(last);
        }
    }
    Ok(doc.to_string())
}

/// `[workspace] members` holds `member` (literally or by a glob), else it is appended.
fn add_member(doc: &mut DocumentMut, member: &str) -> Result<()> {
    let workspace = table_at(doc.as_table_mut(), &["workspace"], "")?;
    let members = workspace.entry("members").or_insert_with(|| toml_edit::value(toml_edit::Array::new()));
    let Some(array) = members.as_array_mut() else { bail!("[workspace] members is not an array of paths") };
    let covered = array.iter().filter_map(Value::as_str).any(|m| {
        let m = m.trim_end_matches('/');
        m == member || crate::glob::Glob::new(m).is_ok_and(|g| g.is_match(member))
    });
    if !covered {
        array.push(member);
    }
    Ok(())
}

/// The table at `path`, created (with `comment` above its header) when missing.
fn table_at<'a>(root: &'a mut Table, path: &[&str], comment: &str) -> Result<&'a mut Table> {
    let mut table = root;
    for (i, key) in path.iter().enumerate() {
        let last = i + 1 == path.len();
        let item = table.entry(key).or_insert_with(|| {
            let mut t = Table::new();
            t.set_implicit(!last);
            if last && !comment.is_empty() {
                t.decor_mut().set_prefix(format!("\n{comment}\n"));
            }
            Item::Table(t)
        });
        let shown = path[..=i].join(".");
        table = match item {
            Item::Table(t) => t,
            _ => bail!("[{shown}] is not a table; make it a [{shown}] section"),
        };
    }
    Ok(table)
}

/// `text` with every line of `lines` that is not already ignored appended.
pub fn gitignore(text: &str, lines: &[&str]) -> String {
    let present: Vec<&str> = text.lines().map(str::trim).collect();
    let missing: Vec<&&str> = lines
        .iter()
        .filter(|line| {
            let bare = line.trim_matches('/');
            !present.iter().any(|p| p.trim_matches('/') == bare)
        })
        .collect();
    if missing.is_empty() {
        return text.to_string();
    }
    let mut out = text.to_string();
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
    for line in missing {
        out.push_str(line);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wanted() -> Vec<Wanted> {
        vec![
            Wanted {
                path: &["profile", "dev", "package", "*"],
                key: "opt-level",
                value: Value::from(3),
                comment: "# fast dependencies",
            },
            Wanted { path: &["alias"], key: "xtask", value: Value::from("run --package xtask --"), comment: "" },
        ]
    }

    #[test]
    fn keys_are_added_and_the_rest_is_kept() {
        let text = "# my workspace\n[workspace]\nmembers = [\"crates/a\"]  # ours\n\n[alias]\nb = \"build\"\n";
        let out = toml(text, &wanted(), Some("xtask")).unwrap();
        assert!(out.starts_with("# my workspace\n[workspace]\nmembers = [\"crates/a\", \"xtask\"]  # ours\n"), "{out}");
        assert!(out.contains("[alias]\nb = \"build\"\nxtask = \"run --package xtask --\"\n"), "{out}");
        assert!(out.contains("\n# fast dependencies\n[profile.dev.package.\"*\"]\nopt-level = 3\n"), "{out}");
        // A second merge changes nothing.
        assert_eq!(toml(&out, &wanted(), Some("xtask")).unwrap(), out);
    }

    #[test]
    fn retired_keys_go_only_where_they_hold_what_init_wrote() {
        let text = "[profile.dev.package.globset]\nopt-level = 1\n[profile.dev.package.ignore]\nopt-level = 2\n\
                    [profile.dev.package.bstr]\nopt-level = 1\ndebug = true\n";
        let retired: &[(&[&str], &str, i64)] = &[
            (&["profile", "dev", "package", "globset"], "opt-level", 1),
            (&["profile", "dev", "package", "ignore"], "opt-level", 1),
            (&["profile", "dev", "package", "bstr"], "opt-level", 1),
            (&["profile", "dev", "package", "absent"], "opt-level", 1),
        ];
        let out = retire(text, retired).unwrap();
        assert_eq!(out, "[profile.dev.package.ignore]\nopt-level = 2\n[profile.dev.package.bstr]\ndebug = true\n");
        assert_eq!(retire(&out, retired).unwrap(), out);
    }

    #[test]
    fn the_users_values_win_and_globs_cover_members() {
        let text = "[workspace]\nmembers = [\"*\"]\n[alias]\nxtask = \"run -q -p xtask --\"\n[profile.dev.package.\"*\"]\nopt-level = 1\n";
        assert_eq!(toml(text, &wanted(), Some("xtask")).unwrap(), text);
    }

    #[test]
    fn syntax_errors_and_odd_shapes_are_refused() {
        assert!(toml("[workspace\n", &wanted(), None).unwrap_err().to_string().contains("line 1"));
        let err = toml("alias = 3\n", &wanted(), None).unwrap_err().to_string();
        assert!(err.contains("[alias] is not a table"), "{err}");
    }

    #[test]
    fn gitignore_lines_are_appended_once() {
        assert_eq!(gitignore("", &["/target", "/dist"]), "/target\n/dist\n");
        assert_eq!(gitignore("target/\nnode_modules", &["/target", "/dist"]), "target/\nnode_modules\n/dist\n");
        assert_eq!(gitignore("/target\n/dist\n", &["/target", "/dist"]), "/target\n/dist\n");
    }
}
