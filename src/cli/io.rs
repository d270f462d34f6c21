//! Reading inputs and writing outputs for the commands: `-` for standard input, and files
//! written whole or not at all.

use std::path::Path;

/// The name standard input is shown under.
pub const STDIN_NAME: &str = "<stdin>";

/// Reads a file, or standard input for `-`. Only regular files are read (a device or a pipe
/// named as a path is refused), and only up to a size no report reaches. On failure, the
/// message says why in words.
pub fn read_input(file: &str) -> Result<(String, Vec<u8>), String> {
    if file == "-" {
        return standard_input().map(|bytes| (STDIN_NAME.to_owned(), bytes.clone()));
    }
    crate::files::read_file(Path::new(file))
        .map(|bytes| (file.to_owned(), bytes))
        .map_err(|e| format!("无法读取「{file}」：{}", io_reason(&e, false)))
}

/// Standard input, read once and kept: every later `-` (and the pairing of a batch's years,
/// which reads each input twice) sees the same bytes.
fn standard_input() -> Result<&'static Vec<u8>, String> {
    static STDIN: std::sync::OnceLock<Result<Vec<u8>, String>> = std::sync::OnceLock::new();
    STDIN
        .get_or_init(|| {
            crate::files::read_bounded(std::io::stdin().lock())
                .map_err(|e| format!("无法读取标准输入：{}", io_reason(&e, false)))
        })
        .as_ref()
        .map_err(Clone::clone)
}

/// Why a file could not be read or written, in words.
pub fn io_reason(e: &std::io::Error, writing: bool) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound if writing => "目录不存在 / no such directory".to_owned(),
        std::io::ErrorKind::NotFound => "文件不存在 / no such file".to_owned(),
        std::io::ErrorKind::PermissionDenied if writing => {
            "没有写入权限 / permission denied".to_owned()
        }
        std::io::ErrorKind::PermissionDenied => "没有读取权限 / permission denied".to_owned(),
        std::io::ErrorKind::IsADirectory => "这是一个目录 / is a directory".to_owned(),
        _ => e.to_string(),
    }
}

/// The temporary file beside `path` that is written first and renamed into place.
pub fn temporary_path(path: &Path) -> std::io::Result<std::path::PathBuf> {
    let file_name = path
        .file_name()
        .ok_or_else(|| std::io::Error::other("不是文件路径 / not a file path"))?;
    Ok(path.with_file_name(format!(
        ".{}.{}.tmp",
        file_name.to_string_lossy(),
        std::process::id()
    )))
}

/// Writes a file whole or not at all: to a temporary file beside it, then renamed over it.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let temporary = temporary_path(path)?;
    let result = std::fs::write(&temporary, bytes).and_then(|()| std::fs::rename(&temporary, path));
    if result.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    result
}

/// Writes the output of a command to a file (atomically) or to standard output.
pub fn emit(output: Option<&Path>, text: &str) -> Result<(), String> {
    use std::io::Write as _;
    match output {
        Some(path) => write_atomically(path, text.as_bytes())
            .map_err(|e| format!("无法写入「{}」：{}", path.display(), io_reason(&e, true))),
        None => match std::io::stdout().lock().write_all(text.as_bytes()) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
            Err(e) => Err(format!("无法写出结果：{e}")),
        },
    }
}
