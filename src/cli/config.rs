//! `gouji.toml`: settings for a project of reports, found in the reports' folder or the
//! nearest folder above it (not the working directory: `gouji check 项目/报告.txt` run from
//! anywhere uses the project's settings). Command-line options override it.
//!
//! ```toml
//! rules = ["规则"]            # like --rules: rule files or directories
//! ruleset = "湖北2019"        # like --ruleset
//! fail_on = "warning"         # like --fail-on: error, warning or never
//! select = ["S1", "勾稽"]      # like --select: rule ids, id prefixes or tags
//! ignore = ["读取.标签偏差"]    # like --ignore
//! waivers = "豁免.toml"        # like --waivers: the register of accepted findings
//!
//! [params]                    # like --param
//! 机关层级 = "乡镇"
//! 百分比容差 = 1
//! ```

use std::path::{Path, PathBuf};

use toml::de::DeValue;

use crate::source::{SourceFile, Span};

/// The file's name.
pub const FILE_NAME: &str = "gouji.toml";

#[derive(Debug, Default)]
pub struct Config {
    pub rules: Vec<PathBuf>,
    pub ruleset: Option<String>,
    pub fail_on: Option<String>,
    pub select: Vec<String>,
    pub ignore: Vec<String>,
    /// The register of waivers, as written (relative to `dir`).
    pub waivers: Option<PathBuf>,
    /// Parameter values as written (numbers and dates as their text).
    pub params: Vec<(String, String)>,
    /// The directory the file was found in; relative paths in it are relative to this.
    pub dir: PathBuf,
    /// The file itself; `None` when no `gouji.toml` applies.
    pub path: Option<PathBuf>,
}

impl Config {
    /// The rule files to load: those named on the command line, else the config file's.
    pub fn rules_or(&self, named: &[PathBuf]) -> Vec<PathBuf> {
        if named.is_empty() {
            self.rule_paths()
        } else {
            named.to_vec()
        }
    }

    /// The parameters: the config file's, each overridden by one of the same name given on the
    /// command line.
    pub fn params_with(&self, named: &[(String, String)]) -> Vec<(String, String)> {
        let mut params = self.params.clone();
        params.retain(|(name, _)| !named.iter().any(|(n, _)| n == name));
        params.extend(named.iter().cloned());
        params
    }

    /// Rule paths, resolved against the config file's directory.
    fn rule_paths(&self) -> Vec<PathBuf> {
        self.rules
            .iter()
            .map(|p| {
                if p.is_absolute() {
                    p.clone()
                } else {
                    self.dir.join(p)
                }
            })
            .collect()
    }

    /// The register of waivers, resolved against the config file's directory.
    pub fn waivers_path(&self) -> Option<PathBuf> {
        self.waivers.as_ref().map(|p| self.dir.join(p))
    }
}

/// A config file that cannot be used.
pub type ConfigError = crate::lenient_toml::FileError;

/// How errors in `gouji.toml` are named.
const CONFIG_FILE: crate::lenient_toml::FileKind = crate::lenient_toml::FileKind {
    name: "配置文件",
    code: "gouji::config",
    help: "可用的设置：rules、ruleset、fail_on、select、ignore、waivers，以及 [params] 表",
};

/// The `gouji.toml` for the reports named on the command line: the one that applies to the
/// first of them (standard input: the working directory). Reports under another
/// `gouji.toml` are checked with the same one, and a warning says so.
pub fn discover_for_reports(paths: &[String]) -> Result<Option<Config>, Box<ConfigError>> {
    let mut found: Vec<Option<PathBuf>> = Vec::new();
    for path in paths {
        let file = find(&folder_of(path));
        if !found.contains(&file) {
            found.push(file);
        }
    }
    if let [first, others @ ..] = found.as_slice() {
        if !others.is_empty() {
            let name = |f: &Option<PathBuf>| {
                f.as_ref()
                    .map_or_else(|| "（无）".to_owned(), |p| p.display().to_string())
            };
            let others: Vec<String> = others.iter().map(name).collect();
            eprintln!(
                "gouji: 警告：这些报告分属不同的 gouji.toml；全部按「{}」检查，没有使用 {}",
                name(first),
                others.join("、")
            );
        }
        return first.as_deref().map(read).transpose();
    }
    Ok(None)
}

/// The folder a report's settings are looked up from.
fn folder_of(path: &str) -> PathBuf {
    let p = Path::new(path);
    if path == "-" {
        return PathBuf::from(".");
    }
    if p.is_dir() {
        return p.to_path_buf();
    }
    match p.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// The `gouji.toml` in `start` or the nearest folder above it.
fn find(start: &Path) -> Option<PathBuf> {
    let mut dir = start.canonicalize().unwrap_or_else(|_| start.to_path_buf());
    loop {
        let candidate = dir.join(FILE_NAME);
        if candidate.is_file() {
            return Some(candidate);
        }
        if !dir.pop() {
            return None;
        }
    }
}

/// Reads one config file. Chinese keys may be written without quotes, as in reports.
pub fn read(path: &Path) -> Result<Config, Box<ConfigError>> {
    let name = path.display().to_string();
    let text = crate::files::read_file(path)
        .and_then(|bytes| {
            String::from_utf8(bytes)
                .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))
        })
        .map_err(|e| ConfigError::without_place(CONFIG_FILE, &name, e.to_string()))?;
    let source = SourceFile::new(name, text);
    let fail = |message: String, span: Span| ConfigError::at(CONFIG_FILE, &source, message, span);
    let table =
        crate::lenient_toml::parse(source.text()).map_err(|(message, span)| fail(message, span))?;
    let mut config = Config {
        dir: path.parent().map(Path::to_path_buf).unwrap_or_default(),
        path: Some(path.to_path_buf()),
        ..Config::default()
    };
    for (key, value) in table.get_ref() {
        let key_span = Span::new(key.span().start, key.span().end);
        let value_span = Span::new(value.span().start, value.span().end);
        let literal = || source.text()[value_span.start..value_span.end].to_owned();
        match (key.get_ref().as_ref(), value.get_ref()) {
            ("rules", DeValue::Array(items)) => {
                for item in items {
                    let DeValue::String(s) = item.get_ref() else {
                        return Err(fail(
                            "rules 的每一项都应是用引号括起的路径".into(),
                            Span::new(item.span().start, item.span().end),
                        ));
                    };
                    config.rules.push(PathBuf::from(s.as_ref()));
                }
            }
            ("rules", DeValue::String(s)) => config.rules.push(PathBuf::from(s.as_ref())),
            ("ruleset", DeValue::String(s)) => config.ruleset = Some(s.to_string()),
            ("waivers", DeValue::String(s)) => config.waivers = Some(PathBuf::from(s.as_ref())),
            ("select" | "ignore", DeValue::Array(items)) => {
                let mut names = Vec::new();
                for item in items {
                    let DeValue::String(s) = item.get_ref() else {
                        let span = Span::new(item.span().start, item.span().end);
                        return Err(fail(
                            format!("{} 的每一项都应是用引号括起的规则编号或标签", key.get_ref()),
                            span,
                        ));
                    };
                    names.push(s.to_string());
                }
                if key.get_ref() == "select" {
                    config.select = names;
                } else {
                    config.ignore = names;
                }
            }
            ("fail_on", DeValue::String(s))
                if matches!(s.as_ref(), "error" | "warning" | "never") =>
            {
                config.fail_on = Some(s.to_string());
            }
            ("fail_on", _) => {
                return Err(fail(
                    format!(
                        "fail_on 应为 \"error\"、\"warning\" 或 \"never\"，这里是 {}",
                        literal()
                    ),
                    value_span,
                ));
            }
            ("params", DeValue::Table(params)) => {
                for (name, value) in params {
                    let value_span = Span::new(value.span().start, value.span().end);
                    let text = match value.get_ref() {
                        DeValue::String(s) => s.to_string(),
                        DeValue::Table(_) | DeValue::Array(_) => {
                            return Err(fail(
                                "参数的值应是一个数、文字、日期或 true/false".into(),
                                value_span,
                            ));
                        }
                        _ => source.text()[value_span.start..value_span.end].to_owned(),
                    };
                    config.params.push((name.get_ref().to_string(), text));
                }
            }
            ("rules" | "ruleset" | "params" | "select" | "ignore" | "waivers", _) => {
                return Err(fail(
                    format!("「{}」的值类型不对：{}", key.get_ref(), literal()),
                    value_span,
                ));
            }
            (other, _) => {
                let hint = crate::diagnostic::suggest(
                    other,
                    [
                        "rules", "ruleset", "fail_on", "select", "ignore", "waivers", "params",
                    ],
                )
                .map(|s| format!("（是不是「{s}」？）"))
                .unwrap_or_default();
                return Err(fail(format!("未知的设置「{other}」{hint}"), key_span));
            }
        }
    }
    Ok(config)
}
