//! Stand-in for `version::plan_edits` (source values only, no lockfiles) until the version
//! writer lands on main; removed by that merge.
use crate::project::Project;
use crate::version::{Reading, Version};
use anyhow::Result;
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileEdit {
    pub path: String,
    pub before: Vec<u8>,
    pub after: Vec<u8>,
}
pub fn plan_edits(project: &Project, readings: &[Reading], to: &Version) -> Result<Vec<FileEdit>> {
    let mut out: Vec<FileEdit> = Vec::new();
    let mut sorted: Vec<&Reading> = readings.iter().collect();
    sorted.sort_by_key(|r| std::cmp::Reverse(r.span.start));
    for r in sorted {
        let idx = match out.iter().position(|e| e.path == r.file) {
            Some(i) => i,
            None => {
                let b = std::fs::read(project.repo.path(&r.file))?;
                out.push(FileEdit { path: r.file.clone(), before: b.clone(), after: b });
                out.len() - 1
            }
        };
        let new = to.render(r.form)?;
        out[idx].after.splice(r.span.clone(), new.into_bytes());
    }
    Ok(out)
}
