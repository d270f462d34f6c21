//! Reading inputs and writing outputs for the commands: `-` for standard input, and files
//! written whole or not at all.

use std::path::{Path, PathBuf};

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

/// A file being written whole or not at all: a temporary file beside its target, renamed over
/// it by [`OutputFile::commit`]. Dropped uncommitted, or when gouji is interrupted (Ctrl-C,
/// SIGTERM), the temporary file is removed.
pub struct OutputFile {
    target: PathBuf,
    temporary: PathBuf,
    file: Option<std::io::BufWriter<std::fs::File>>,
}

impl OutputFile {
    /// Prepares to write `path`, refusing what must not be replaced: one of `inputs`, or
    /// anything but a regular file (a device, a directory). A symlink is written through, to
    /// the file it points to, and an existing file keeps its permissions.
    pub fn create(path: &Path, inputs: &[&Path]) -> Result<Self, String> {
        let cannot = |why: String| format!("无法写入「{}」：{why}", path.display());
        let target = through_symlink(path);
        let existing = match std::fs::metadata(&target) {
            Ok(metadata) if !metadata.is_file() => {
                return Err(cannot(
                    "不是普通文件（设备、目录等），不会替换它 / not a regular file".to_owned(),
                ));
            }
            Ok(metadata) => Some(metadata),
            Err(_) => None,
        };
        if existing.is_some() {
            let canonical = std::fs::canonicalize(&target).ok();
            let same = |input: &&&Path| {
                canonical.is_some() && std::fs::canonicalize(input).ok() == canonical
            };
            if let Some(input) = inputs.iter().find(same) {
                return Err(cannot(format!(
                    "这是要读取的输入「{}」，不会覆盖它 / this is one of the inputs",
                    input.display()
                )));
            }
        }
        let file_name = target
            .file_name()
            .ok_or_else(|| cannot("不是文件路径 / not a file path".to_owned()))?;
        let temporary = target.with_file_name(format!(
            ".{}.{}.tmp",
            file_name.to_string_lossy(),
            std::process::id()
        ));
        pending().push(temporary.clone());
        let mut output = Self {
            target,
            temporary,
            file: None,
        };
        let file =
            std::fs::File::create(&output.temporary).map_err(|e| cannot(io_reason(&e, true)))?;
        if let Some(metadata) = existing {
            file.set_permissions(metadata.permissions())
                .map_err(|e| cannot(io_reason(&e, true)))?;
        }
        output.file = Some(std::io::BufWriter::new(file));
        Ok(output)
    }

    pub fn write_all(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        use std::io::Write as _;
        match &mut self.file {
            Some(file) => file.write_all(bytes),
            None => Ok(()),
        }
    }

    /// Moves the written file into place.
    pub fn commit(mut self) -> Result<(), String> {
        let file = self.file.take();
        let result = file
            .map_or(Ok(()), |f| {
                f.into_inner()
                    .map(drop)
                    .map_err(std::io::IntoInnerError::into_error)
            })
            .and_then(|()| std::fs::rename(&self.temporary, &self.target));
        result.map_err(|e| {
            format!(
                "无法写入「{}」：{}",
                self.target.display(),
                io_reason(&e, true)
            )
        })
    }
}

impl Drop for OutputFile {
    fn drop(&mut self) {
        drop(self.file.take());
        // Gone already if it was renamed into place.
        let _ = std::fs::remove_file(&self.temporary);
        pending().retain(|p| p != &self.temporary);
    }
}

/// The file a symlink points to (even one that does not exist yet), or the path itself.
fn through_symlink(path: &Path) -> PathBuf {
    let is_link = std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
    if !is_link {
        return path.to_path_buf();
    }
    std::fs::canonicalize(path).unwrap_or_else(|_| match std::fs::read_link(path) {
        Ok(link) => path.parent().unwrap_or(Path::new("")).join(link),
        Err(_) => path.to_path_buf(),
    })
}

/// The temporary files being written, for removal when gouji is interrupted.
fn pending() -> std::sync::MutexGuard<'static, Vec<PathBuf>> {
    static PENDING: std::sync::Mutex<Vec<PathBuf>> = std::sync::Mutex::new(Vec::new());
    PENDING
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// On Ctrl-C or SIGTERM, removes the temporary files being written and exits as an
/// interrupted program does (130). The `ctrlc` crate (with its `termination` feature) was
/// chosen over `signal-hook` because one handler for both signals is all that is needed.
pub fn remove_temporaries_when_interrupted() {
    let _ = ctrlc::set_handler(|| {
        for temporary in pending().drain(..) {
            let _ = std::fs::remove_file(temporary);
        }
        std::process::exit(130);
    });
}

/// Writes the output of a command to a file (whole or not at all) or to standard output.
/// `inputs` are the files the command read, which the output must not replace.
pub fn emit(output: Option<&Path>, text: &str, inputs: &[&Path]) -> Result<(), String> {
    use std::io::Write as _;
    match output {
        Some(path) => {
            let mut file = OutputFile::create(path, inputs)?;
            file.write_all(text.as_bytes())
                .map_err(|e| format!("无法写入「{}」：{}", path.display(), io_reason(&e, true)))?;
            file.commit()
        }
        None => match std::io::stdout().lock().write_all(text.as_bytes()) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
            Err(e) => Err(format!("无法写出结果：{e}")),
        },
    }
}
