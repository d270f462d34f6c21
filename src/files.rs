//! Finding files under a directory: rule files, reports, test cases. One walk, bounded in
//! depth (a link loop must not hang gouji), in a stable order.

use std::io::Read;
use std::path::{Path, PathBuf};

/// The largest file read: no annual report or rule file comes near it, and a runaway input
/// is stopped here before memory is spent on it.
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// Reads a regular file whole, up to [`MAX_FILE_BYTES`]. A device, a pipe or a directory is
/// refused: reading `/dev/zero` or a FIFO named as a report would never end.
pub fn read_file(path: &Path) -> std::io::Result<Vec<u8>> {
    // Looked at before opening: opening a FIFO waits for a writer that may never come.
    regular(&std::fs::metadata(path)?)?;
    let file = std::fs::File::open(path)?;
    regular(&file.metadata()?)?;
    read_bounded(file)
}

/// Refuses what is not a regular file, saying what it is.
fn regular(metadata: &std::fs::Metadata) -> std::io::Result<()> {
    if metadata.is_dir() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::IsADirectory,
            "这是一个目录 / is a directory",
        ));
    }
    if !metadata.is_file() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "不是普通文件：设备、管道等不能作为文件读取（标准输入请写 -）/ not a regular file",
        ));
    }
    Ok(())
}

/// Reads to the end, but refuses more than [`MAX_FILE_BYTES`].
pub fn read_bounded(reader: impl Read) -> std::io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    reader.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(std::io::Error::new(
            std::io::ErrorKind::FileTooLarge,
            format!(
                "文件超过 {} MiB，不像是年度报告或规则文件 / larger than {} MiB",
                MAX_FILE_BYTES >> 20,
                MAX_FILE_BYTES >> 20
            ),
        ));
    }
    Ok(bytes)
}

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
