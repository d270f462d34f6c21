//! Finding files under a directory: rule files, reports, test cases. One walk, bounded in
//! depth (a link loop must not hang gouji), in a stable order.

use std::path::{Path, PathBuf};

/// How deep below the given directory files are looked for.
pub const MAX_DEPTH: usize = 16;

/// The files under `dir` that `keep` accepts, sorted; directories that `enter` refuses (by
/// name) are not searched.
pub fn files_under(
    dir: &Path,
    keep: &dyn Fn(&Path) -> bool,
    enter: &dyn Fn(&str) -> bool,
) -> Vec<PathBuf> {
    let mut out = Vec::new();
    walk(dir, keep, enter, 0, &mut out);
    out.sort();
    out
}

/// The rule files (`*.gouji`) under `dir`.
pub fn rule_files_under(dir: &Path) -> Vec<PathBuf> {
    files_under(
        dir,
        &|p| p.extension().is_some_and(|e| e == "gouji"),
        &|_| true,
    )
}

fn walk(
    dir: &Path,
    keep: &dyn Fn(&Path) -> bool,
    enter: &dyn Fn(&str) -> bool,
    depth: usize,
    out: &mut Vec<PathBuf>,
) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() {
            if depth < MAX_DEPTH && enter(&entry.file_name().to_string_lossy()) {
                walk(&path, keep, enter, depth + 1, out);
            }
        } else if kind.is_file() && keep(&path) {
            out.push(path);
        }
    }
}
