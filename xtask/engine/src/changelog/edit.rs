//! Edits of an existing `CHANGELOG.md`: a new release section under the title (absorbing
//! `## [Unreleased]`), and `[YANKED]` marks. Everything not edited stays byte-for-byte,
//! line endings included.

use anyhow::{Result, bail};

use super::render::NO_CHANGES;

/// The top of a changelog created from nothing (Keep a Changelog's own wording).
const TITLE: &str = "# Changelog\n\nAll notable changes to this project will be documented in this file.\n\nThe format is based on [Keep a Changelog](https://keepachangelog.com/en/1.1.0/),\nand this project adheres to [Semantic Versioning](https://semver.org/spec/v2.0.0.html).\n";

/// Put `section` (`## [1.2.3] - DATE` and its notes) above the previous release, under the
/// title and any intro text. An `## [Unreleased]` section's entries move into the new section
/// (hand-written items first in a group of the same name) and its heading stays, empty. An
/// empty file gets a Keep a Changelog title. CRLF files stay CRLF. A file with
/// jupyter-releaser's markers gets the section between them (see `markers`).
pub fn insert_section(changelog: &str, section: &str) -> String {
    let eol = line_ending(changelog);
    let section = section.replace("\r\n", "\n");
    let section = format!("{}\n", section.trim_end());
    if changelog.trim().is_empty() {
        return with_eol(&format!("{TITLE}\n{section}"), eol);
    }
    if let Some(out) = super::markers::insert_between(changelog, &section, eol) {
        return out;
    }
    let lines = lines_of(changelog);
    let headings: Vec<&Line> = lines.iter().filter(|l| !l.fenced && is_release_heading(l.text)).collect();
    let Some(first) = headings.first() else {
        // No release yet: after everything, before a trailing block of link definitions.
        let at = trailing_links_start(&lines).unwrap_or(changelog.len());
        let (before, after) = changelog.split_at(at);
        let mut out = String::with_capacity(changelog.len() + section.len() + 8);
        out.push_str(before);
        end_with_blank_line(&mut out, eol);
        out.push_str(&with_eol(&section, eol));
        if !after.is_empty() {
            out.push_str(eol);
        }
        out.push_str(after);
        return out;
    };
    let mut out = String::with_capacity(changelog.len() + section.len() + 8);
    if !is_unreleased(first.text) {
        let (before, after) = changelog.split_at(first.start);
        out.push_str(before);
        end_with_blank_line(&mut out, eol);
        out.push_str(&with_eol(&section, eol));
        out.push_str(eol);
        out.push_str(after);
        return out;
    }
    // Absorb the Unreleased entries; its body ends at the next `## ` heading (or the link
    // definitions at the bottom, or the end).
    let body_start = first.end;
    let body_end = lines
        .iter()
        .find(|l| l.start >= body_start && !l.fenced && l.text.starts_with("## "))
        .map(|l| l.start)
        .or_else(|| trailing_links_start(&lines).filter(|at| *at >= body_start))
        .unwrap_or(changelog.len());
    let body = changelog[body_start..body_end].replace("\r\n", "\n");
    out.push_str(&changelog[..body_start]);
    if !out.ends_with('\n') {
        out.push_str(eol);
    }
    out.push_str(eol);
    out.push_str(&with_eol(&absorb(&section, &body), eol));
    if body_end < changelog.len() {
        out.push_str(eol);
    }
    out.push_str(&changelog[body_end..]);
    out
}

/// Mark a release's heading `[YANKED]` (Keep a Changelog's convention). Already marked: the
/// text comes back unchanged. No such heading: an error.
pub fn mark_yanked(changelog: &str, version: &str) -> Result<String> {
    let want = version.trim().trim_start_matches('v');
    for line in lines_of(changelog) {
        if line.fenced || !line.text.starts_with("## ") || heading_version(line.text) != Some(want) {
            continue;
        }
        if line.text.contains("[YANKED]") {
            return Ok(changelog.to_string());
        }
        let content_end = line.start + line.text.trim_end().len();
        return Ok(format!("{} [YANKED]{}", &changelog[..content_end], &changelog[content_end..]));
    }
    bail!("no `## [{want}]` heading to mark as yanked")
}

/// The 1-based line and text of a `## ` heading (outside code blocks) that names `version`
/// (`## [1.2.3] - DATE`, `## v1.2.3`, a PEP 440 spelling of it), if the changelog has one: a
/// release must not get a second section.
pub fn existing_section<'a>(changelog: &'a str, version: &str) -> Option<(usize, &'a str)> {
    let want = crate::version::Version::parse(version).ok();
    lines_of(changelog).into_iter().enumerate().find_map(|(i, line)| {
        let named = heading_version(line.text).filter(|_| !line.fenced && is_release_heading(line.text))?;
        let same = named == version || want.is_some() && crate::version::Version::parse(named).ok() == want;
        same.then_some((i + 1, line.text))
    })
}

/// One line of the file: its text without the line ending, where it starts and where the next
/// line starts, and whether it sits inside a fenced code block.
struct Line<'a> {
    text: &'a str,
    start: usize,
    end: usize,
    fenced: bool,
}

fn lines_of(text: &str) -> Vec<Line<'_>> {
    let mut lines = Vec::new();
    let mut start = 0;
    let mut fence: Option<&str> = None;
    for raw in text.split_inclusive('\n') {
        let line = raw.trim_end_matches(['\n', '\r']);
        let marker = ["```", "~~~"].into_iter().find(|m| line.trim_start().starts_with(m));
        let fenced = fence.is_some() || marker.is_some();
        match (fence, marker) {
            (None, Some(m)) => fence = Some(m),
            (Some(open), Some(m)) if open == m => fence = None,
            _ => {}
        }
        lines.push(Line { text: line, start, end: start + raw.len(), fenced });
        start += raw.len();
    }
    lines
}

/// `## [1.2.3] - DATE`, `## 1.2.3`, `## v1.2.3`, `## [Unreleased]`: a level-2 heading that
/// names a release (other `## ` headings belong to the intro).
fn is_release_heading(line: &str) -> bool {
    let Some(text) = line.strip_prefix("## ") else { return false };
    let text = text.trim_start().trim_start_matches('[');
    let text = text.strip_prefix(['v', 'V']).unwrap_or(text);
    let digits = text.bytes().take_while(u8::is_ascii_digit).count();
    let looks_like_version =
        digits > 0 && text[digits..].starts_with('.') && text[digits + 1..].starts_with(|c: char| c.is_ascii_digit());
    looks_like_version || is_unreleased(line)
}

fn is_unreleased(line: &str) -> bool {
    line.strip_prefix("## ")
        .map(|t| t.trim_start().trim_start_matches('['))
        .is_some_and(|t| t.get(..10).is_some_and(|w| w.eq_ignore_ascii_case("unreleased")))
}

/// The version a `## ` heading names, without brackets or a leading `v`.
fn heading_version(line: &str) -> Option<&str> {
    let text = line.strip_prefix("## ")?.trim_start();
    let text = text.strip_prefix('[').unwrap_or(text);
    let end = text.find([']', ' ', '\t']).unwrap_or(text.len());
    let version = &text[..end];
    Some(version.strip_prefix(['v', 'V']).unwrap_or(version))
}

/// Where a block of link definitions (`[1.2.3]: https://...`) at the very end begins.
fn trailing_links_start(lines: &[Line<'_>]) -> Option<usize> {
    let mut start = None;
    for line in lines.iter().rev() {
        if line.text.trim().is_empty() && start.is_none() {
            continue;
        }
        let is_link = line.text.starts_with('[') && line.text.contains("]:") && !line.fenced;
        if !is_link {
            break;
        }
        start = Some(line.start);
    }
    start
}

/// The new section with the Unreleased body merged in.
fn absorb(section: &str, body: &str) -> String {
    let body_lines: Vec<&str> = body.lines().collect();
    let (body_pre, body_groups) = split_groups(trim_blank(&body_lines));
    if body_pre.is_empty() && body_groups.is_empty() {
        return section.to_string();
    }
    let section_lines: Vec<&str> = section.lines().collect();
    let (heading, rest) = section_lines.split_first().expect("a section has a heading");
    let (mut pre, groups) = split_groups(trim_blank(rest));
    if pre == [NO_CHANGES] {
        pre = &[];
    }
    let mut blocks: Vec<String> = Vec::new();
    for text in [body_pre, pre] {
        if !text.is_empty() {
            blocks.push(text.join("\n"));
        }
    }
    let mut used = vec![false; body_groups.len()];
    for (title, items) in &groups {
        let mut block = vec![*title, ""];
        if let Some(i) = body_groups.iter().position(|(t, _)| same_title(t, title)) {
            used[i] = true;
            block.extend_from_slice(body_groups[i].1);
        }
        block.extend_from_slice(items);
        blocks.push(block.join("\n"));
    }
    for ((title, items), used) in body_groups.iter().zip(used) {
        if !used {
            blocks.push([&[*title, ""][..], items].concat().join("\n"));
        }
    }
    format!("{heading}\n\n{}\n", blocks.join("\n\n"))
}

/// Lines before the first `### ` heading, then each `### ` heading with its lines (blank
/// lines at both ends trimmed).
type Groups<'a, 'b> = (&'b [&'a str], Vec<(&'a str, &'b [&'a str])>);

fn split_groups<'a, 'b>(lines: &'b [&'a str]) -> Groups<'a, 'b> {
    let mut fenced = false;
    let mut starts = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        if line.trim_start().starts_with("```") || line.trim_start().starts_with("~~~") {
            fenced = !fenced;
        }
        if !fenced && line.starts_with("### ") {
            starts.push(i);
        }
    }
    let pre = trim_blank(&lines[..starts.first().copied().unwrap_or(lines.len())]);
    let groups = starts
        .iter()
        .enumerate()
        .map(|(n, &i)| {
            let end = starts.get(n + 1).copied().unwrap_or(lines.len());
            (lines[i], trim_blank(&lines[i + 1..end]))
        })
        .collect();
    (pre, groups)
}

fn same_title(a: &str, b: &str) -> bool {
    a.trim_start_matches('#').trim().eq_ignore_ascii_case(b.trim_start_matches('#').trim())
}

fn trim_blank<'a, 'b>(lines: &'b [&'a str]) -> &'b [&'a str] {
    let start = lines.iter().position(|l| !l.trim().is_empty()).unwrap_or(lines.len());
    let end = lines.iter().rposition(|l| !l.trim().is_empty()).map_or(start, |i| i + 1);
    &lines[start..end]
}

/// The file's line ending, from its first line.
fn line_ending(text: &str) -> &'static str {
    match memchr::memchr(b'\n', text.as_bytes()) {
        Some(i) if i > 0 && text.as_bytes()[i - 1] == b'\r' => "\r\n",
        _ => "\n",
    }
}

fn with_eol(text: &str, eol: &str) -> String {
    if eol == "\n" { text.to_string() } else { text.replace('\n', eol) }
}

/// Make `out` end with an empty line (unless it is empty).
fn end_with_blank_line(out: &mut String, eol: &str) {
    if out.is_empty() {
        return;
    }
    if !out.ends_with('\n') {
        out.push_str(eol);
    }
    let last_line_start = out[..out.len() - 1].rfind('\n').map_or(0, |i| i + 1);
    if !out[last_line_start..].trim().is_empty() {
        out.push_str(eol);
    }
}

#[cfg(test)]
#[path = "edit_tests.rs"]
mod tests;
