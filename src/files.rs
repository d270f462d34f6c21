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
                "文件超过 {} MB，不像是年度报告或规则文件 / larger than {} MB",
                MAX_FILE_BYTES >> 20,
                MAX_FILE_BYTES >> 20
            ),
        ));
    }
    Ok(bytes)
}

/// How deep below the given directory files are looked for.
pub const MAX_DEPTH: usize = 16;

/// Folders never searched unless asked: besides hidden ones (`.git`), those that hold other
/// tools' files by convention.
const IGNORED_DIRS: [&str; 1] = ["node_modules"];

/// What a directory walk found, and what it did not search.
#[derive(Debug, Default)]
pub struct Walk {
    /// The files kept, sorted.
    pub files: Vec<PathBuf>,
    pub skipped: Vec<Skipped>,
}

/// A file or folder not searched, and why.
#[derive(Debug)]
pub struct Skipped {
    pub path: PathBuf,
    pub reason: SkipReason,
}

#[derive(Debug)]
pub enum SkipReason {
    /// A hidden folder (`.git`) or one of [`IGNORED_DIRS`].
    Hidden,
    /// A symlink back to a folder above it.
    Loop,
    /// The file system refused (no permission, …); the reason in words.
    Unreadable(String),
}

impl std::fmt::Display for Skipped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let path = self.path.display();
        match &self.reason {
            SkipReason::Hidden => write!(
                f,
                "跳过隐藏或通常忽略的目录「{path}」（要检查其中的文件，请加 --include-hidden）/ skipped hidden folder"
            ),
            SkipReason::Loop => write!(
                f,
                "跳过「{path}」：符号链接指回上层目录，形成循环 / skipped symlink loop"
            ),
            SkipReason::Unreadable(why) => write!(f, "跳过「{path}」：无法读取（{why}）/ skipped"),
        }
    }
}

/// The files under `dir` that `keep` accepts, sorted; directories that `enter` refuses (by
/// name) are not searched, nor hidden or ignored ones. What was skipped is dropped.
pub fn files_under(
    dir: &Path,
    keep: &dyn Fn(&Path) -> bool,
    enter: &dyn Fn(&str) -> bool,
) -> Vec<PathBuf> {
    walk(dir, keep, enter, false).files
}

/// The files under `dir` that `keep` accepts, and what was skipped. Symlinks are followed
/// (to files and folders; a loop is skipped), at most [`MAX_DEPTH`] folders down. Hidden
/// folders and [`IGNORED_DIRS`] are skipped unless `include_hidden`. The `ignore` crate
/// walks: it detects symlink loops and reports unreadable entries, which `read_dir` by hand
/// did not.
pub fn walk(
    dir: &Path,
    keep: &dyn Fn(&Path) -> bool,
    enter: &dyn Fn(&str) -> bool,
    include_hidden: bool,
) -> Walk {
    let hidden = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let hidden_found = std::sync::Arc::clone(&hidden);
    let walker = ignore::WalkBuilder::new(dir)
        .standard_filters(false)
        .follow_links(true)
        .max_depth(Some(MAX_DEPTH + 1))
        .filter_entry(move |entry| {
            let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
            let name = entry.file_name().to_string_lossy();
            let skip = entry.depth() > 0
                && is_dir
                && !include_hidden
                && (name.starts_with('.') || IGNORED_DIRS.contains(&name.as_ref()));
            if skip {
                if let Ok(mut found) = hidden_found.lock() {
                    found.push(entry.path().to_path_buf());
                }
            }
            !skip
        })
        .build();
    let mut out = Walk::default();
    for result in walker {
        match result {
            Ok(entry) => {
                let Some(kind) = entry.file_type() else {
                    continue;
                };
                let path = entry.path();
                if kind.is_dir() {
                    continue;
                }
                let in_entered = path
                    .strip_prefix(dir)
                    .ok()
                    .and_then(Path::parent)
                    .is_none_or(|parent| {
                        parent
                            .components()
                            .all(|c| enter(&c.as_os_str().to_string_lossy()))
                    });
                if kind.is_file() && in_entered && keep(path) {
                    out.files.push(path.to_path_buf());
                }
            }
            Err(error) => out.skipped.push(skipped(&error)),
        }
    }
    out.files.sort();
    out.skipped.extend(
        std::mem::take(
            &mut *hidden
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        )
        .into_iter()
        .map(|path| Skipped {
            path,
            reason: SkipReason::Hidden,
        }),
    );
    out.skipped.sort_by(|a, b| a.path.cmp(&b.path));
    out
}

/// What the walk could not enter, and why.
fn skipped(error: &ignore::Error) -> Skipped {
    let mut path = PathBuf::new();
    let mut error = error;
    loop {
        match error {
            ignore::Error::WithPath { path: p, err } => {
                path.clone_from(p);
                error = err;
            }
            ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
                error = err;
            }
            ignore::Error::Loop { child, .. } => {
                return Skipped {
                    path: child.clone(),
                    reason: SkipReason::Loop,
                };
            }
            ignore::Error::Io(e) => {
                let why = match e.kind() {
                    std::io::ErrorKind::PermissionDenied => {
                        "没有读取权限 / permission denied".to_owned()
                    }
                    std::io::ErrorKind::NotFound => {
                        "链接指向的文件不存在 / dangling link".to_owned()
                    }
                    _ => e.to_string(),
                };
                return Skipped {
                    path,
                    reason: SkipReason::Unreadable(why),
                };
            }
            other => {
                return Skipped {
                    path,
                    reason: SkipReason::Unreadable(other.to_string()),
                };
            }
        }
    }
}

/// The rule files (`*.gouji`) under `dir`.
pub fn rule_files_under(dir: &Path) -> Vec<PathBuf> {
    files_under(
        dir,
        &|p| p.extension().is_some_and(|e| e == "gouji"),
        &|_| true,
    )
}
