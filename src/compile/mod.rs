//! Stage 2: syntax trees → a compiled [`RuleSet`]. The loader follows `继承` from file to
//! file (only inside the rule roots, or among the built-in sets), the merger lays the
//! inherited declarations and the changes to them on top of each other, and the resolver
//! turns every name into an index and gives every expression a type. All problems after
//! parsing are collected, not only the first.

mod exprs;
mod merge;
mod tables;

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use crate::diagnostic::{Diagnostic, Problem, suggest};
use crate::ruleset::{RuleSet, SourceMap};
use crate::source::{SourceFile, Span};
use crate::syntax::ast::{ExtendsTarget, Item, RuleFile};
use crate::syntax::parse_rule_file;

/// The rule sets built into the binary: the national formats.
pub const BUILTIN: &[(&str, &str)] = &[
    (
        "national-2019.gouji",
        include_str!("../../rules/national-2019.gouji"),
    ),
    (
        "national-2021.gouji",
        include_str!("../../rules/national-2021.gouji"),
    ),
];

/// The name under which a built-in rule file is shown.
#[must_use]
pub fn builtin_name(file: &str) -> String {
    format!("<内置>/{file}")
}

/// The result of compiling one rule file: the rule set if there was no error, and every
/// diagnostic (errors and warnings) with its file attached.
#[derive(Debug)]
pub struct Compiled {
    pub rule_set: Option<RuleSet>,
    pub diagnostics: Vec<Diagnostic>,
}

impl Compiled {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Where rule files may come from.
#[derive(Debug, Clone, Default)]
pub struct Loader {
    roots: Vec<PathBuf>,
    builtin: bool,
    /// Whether every pattern's matcher is built while compiling, so that one too large to
    /// build is an error of the rule file (`gouji rules check`), not a check that is then
    /// never evaluated.
    build_patterns: bool,
}

/// A rule file found during loading, before it is merged.
struct Loaded {
    /// Shown in cycle reports; kept with the tree it was parsed from.
    file: SourceFile,
    /// Where the file lives; `None` for a built-in file.
    path: Option<PathBuf>,
    /// Shared: a built-in file is parsed once per process (see [`parsed_builtin`]).
    ast: Arc<RuleFile>,
}

impl Loader {
    /// A loader that knows the built-in rule sets and the given root directories.
    pub fn new(roots: impl IntoIterator<Item = PathBuf>) -> Self {
        let roots = roots
            .into_iter()
            .map(|r| r.canonicalize().unwrap_or(r))
            .collect();
        Self {
            roots,
            builtin: true,
            build_patterns: false,
        }
    }

    /// A loader that builds every pattern's matcher while compiling (slower; for linting).
    #[must_use]
    pub fn building_patterns(mut self) -> Self {
        self.build_patterns = true;
        self
    }

    /// A loader without the built-in sets (for tests of inheritance between files).
    #[must_use]
    pub fn without_builtin(mut self) -> Self {
        self.builtin = false;
        self
    }

    /// Compiles the rule file at `path`. Its own directory counts as a rule root.
    #[must_use]
    pub fn compile_file(&self, path: &Path) -> Compiled {
        let mut loader = self.clone();
        if let Some(dir) = path.parent() {
            let dir = if dir.as_os_str().is_empty() {
                Path::new(".")
            } else {
                dir
            };
            loader
                .roots
                .push(dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf()));
        }
        let name = path.display().to_string();
        match crate::files::read_file(path) {
            Ok(bytes) => loader.compile_bytes(&name, &bytes, Some(path)),
            Err(e) => Compiled {
                rule_set: None,
                diagnostics: vec![
                    Diagnostic::error(
                        Problem::Unreadable {
                            path: name.clone(),
                            reason: io_reason(&e),
                        },
                        Span::default(),
                    )
                    .in_source(&SourceFile::new(name, "")),
                ],
            },
        }
    }

    /// Compiles rule text that is not (necessarily) in a file.
    #[must_use]
    pub fn compile_text(&self, name: &str, text: &str) -> Compiled {
        self.compile_bytes(name, text.as_bytes(), None)
    }

    /// Compiles the rule set with this id, found among the roots and the built-in sets.
    #[must_use]
    pub fn compile_id(&self, id: &str) -> Option<Compiled> {
        let (name, bytes, path) = match self.find_id(id) {
            Ok(found) => found?,
            Err(files) => {
                let problem = Problem::DuplicateRuleSet {
                    id: id.to_owned(),
                    files,
                };
                return Some(Compiled {
                    rule_set: None,
                    diagnostics: vec![Diagnostic::error(problem, Span::default())],
                });
            }
        };
        Some(self.compile_bytes(&name, &bytes, path.as_deref()))
    }

    /// The file that declares rule set `id`: its shown name, its bytes, and its path.
    /// The file that declares rule set `id`: its shown name, its bytes, and its path. Two
    /// files under the roots declaring the same id are an error (their names come back);
    /// a root file shadows a built-in set of the same id.
    #[allow(clippy::type_complexity)]
    fn find_id(&self, id: &str) -> Result<Option<(String, Vec<u8>, Option<PathBuf>)>, Vec<String>> {
        let mut found: Vec<(PathBuf, Vec<u8>)> = Vec::new();
        for file in self.root_files() {
            let Ok(bytes) = crate::files::read_file(&file) else {
                continue;
            };
            if header_id(&bytes).as_deref() == Some(id) {
                found.push((file, bytes));
            }
        }
        if found.len() > 1 {
            return Err(found.iter().map(|(f, _)| shown_name(f)).collect());
        }
        if let Some((file, bytes)) = found.pop() {
            return Ok(Some((shown_name(&file), bytes, Some(file))));
        }
        if self.builtin {
            for (file, text) in BUILTIN {
                if header_id(text.as_bytes()).as_deref() == Some(id) {
                    return Ok(Some((builtin_name(file), text.as_bytes().to_vec(), None)));
                }
            }
        }
        Ok(None)
    }

    /// Compiles one of the built-in rule files by file name.
    #[must_use]
    pub fn compile_builtin(&self, file: &str) -> Option<Compiled> {
        let (_, text) = BUILTIN.iter().find(|(name, _)| *name == file)?;
        Some(self.compile_bytes(&builtin_name(file), text.as_bytes(), None))
    }

    fn compile_bytes(&self, name: &str, bytes: &[u8], path: Option<&Path>) -> Compiled {
        let mut sources = SourceMap::default();
        let mut diagnostics = Vec::new();
        let chain = match self.load_chain(name, bytes, path, &mut sources) {
            Ok(chain) => chain,
            Err(diagnostic) => {
                diagnostics.push(*diagnostic);
                return finish(None, diagnostics, &sources);
            }
        };
        let asts: Vec<&RuleFile> = chain.iter().map(|l| &*l.ast).collect();
        let rule_set = merge::merge_and_compile(
            &asts,
            sources.clone(),
            &mut diagnostics,
            self.build_patterns,
        );
        finish(rule_set, diagnostics, &sources)
    }

    /// Reads the file and its ancestors; returns them root ancestor first.
    fn load_chain(
        &self,
        name: &str,
        bytes: &[u8],
        path: Option<&Path>,
        sources: &mut SourceMap,
    ) -> Result<Vec<Loaded>, Box<Diagnostic>> {
        let builtin = BUILTIN
            .iter()
            .position(|(file, text)| builtin_name(file) == name && text.as_bytes() == bytes);
        if let Some(chain) = builtin
            .filter(|_| path.is_none())
            .and_then(|index| self.builtin_chain(index, sources))
        {
            return Ok(chain);
        }
        let mut chain = vec![parse_loaded(
            name,
            bytes,
            path.map(Path::to_path_buf),
            sources,
        )?];
        loop {
            let current = chain.last().expect("the chain starts with one file");
            let Some((target, span)) = extends_target(&current.ast) else {
                break;
            };
            let parent = self.resolve_extends(current, &target, span, sources)?;
            let parent_key = loaded_key(&parent);
            if let Some(pos) = chain.iter().position(|l| loaded_key(l) == parent_key) {
                let mut names: Vec<String> =
                    chain[pos..].iter().map(|l| ruleset_id(&l.ast)).collect();
                names.push(ruleset_id(&parent.ast));
                return Err(Box::new(Diagnostic::error(
                    Problem::ExtendsCycle { chain: names },
                    span,
                )));
            }
            chain.push(parent);
        }
        chain.reverse();
        Ok(chain)
    }

    /// The chain of built-in file `leaf` when its ancestors are built-in files too, each
    /// parsed once per process at its fixed place, root ancestor first; its files are added
    /// to `sources`. `None` when an ancestor is not built in (a rule root's file of the same
    /// id) or anything is amiss: then the chain is loaded file by file, and any problem is
    /// reported from there.
    fn builtin_chain(&self, leaf: usize, sources: &mut SourceMap) -> Option<Vec<Loaded>> {
        let mut indices = vec![leaf];
        loop {
            let current = *indices.last()?;
            let (_, ast) = parsed_builtin(current)?;
            let Some((target, _)) = extends_target(&ast) else {
                break;
            };
            let parent = match &target {
                ExtendsTarget::Path(rel) => {
                    let file = rel.node.trim_start_matches("./");
                    BUILTIN.iter().position(|(name, _)| *name == file)?
                }
                ExtendsTarget::Id(id) => match self.find_id(&id.node) {
                    Ok(Some((name, _, None))) => BUILTIN
                        .iter()
                        .position(|(file, _)| builtin_name(file) == name)?,
                    _ => return None,
                },
            };
            if indices.contains(&parent) {
                return None;
            }
            indices.push(parent);
        }
        let mut placed = indices.clone();
        placed.sort_unstable();
        for &index in &placed {
            sources.add_at(builtin_base(index), parsed_builtin(index)?.0);
        }
        Some(
            indices
                .iter()
                .rev()
                .map(|&index| {
                    let (file, ast) = parsed_builtin(index).expect("parsed above");
                    Loaded {
                        file,
                        path: None,
                        ast,
                    }
                })
                .collect(),
        )
    }

    fn resolve_extends(
        &self,
        child: &Loaded,
        target: &ExtendsTarget,
        span: Span,
        sources: &mut SourceMap,
    ) -> Result<Loaded, Box<Diagnostic>> {
        match target {
            ExtendsTarget::Path(rel) => {
                let Some(child_path) = &child.path else {
                    // A built-in file may name another built-in file.
                    let file = rel.node.trim_start_matches("./");
                    let Some((_, text)) = BUILTIN.iter().find(|(n, _)| *n == file) else {
                        return Err(unreadable(&rel.node, "没有这个内置规则文件", span));
                    };
                    return parse_loaded(&builtin_name(file), text.as_bytes(), None, sources);
                };
                let base = child_path.parent().unwrap_or(Path::new("."));
                let joined = base.join(&rel.node);
                let canonical = joined
                    .canonicalize()
                    .map_err(|e| unreadable(&rel.node, &io_reason(&e), rel.span))?;
                if !self.roots.iter().any(|root| canonical.starts_with(root)) {
                    return Err(Box::new(Diagnostic::error(
                        Problem::OutsideRoots {
                            path: rel.node.clone(),
                        },
                        rel.span,
                    )));
                }
                let bytes = crate::files::read_file(&canonical)
                    .map_err(|e| unreadable(&rel.node, &io_reason(&e), rel.span))?;
                parse_loaded(
                    &joined.display().to_string(),
                    &bytes,
                    Some(canonical),
                    sources,
                )
            }
            ExtendsTarget::Id(id) => {
                match self.find_id(&id.node) {
                    Ok(Some((name, bytes, path))) => {
                        return parse_loaded(&name, &bytes, path, sources);
                    }
                    Ok(None) => {}
                    Err(files) => {
                        return Err(Box::new(Diagnostic::error(
                            Problem::DuplicateRuleSet {
                                id: id.node.clone(),
                                files,
                            },
                            id.span,
                        )));
                    }
                }
                let known = self.known_ids();
                let suggestion = suggest(&id.node, known.iter().map(String::as_str));
                Err(Box::new(Diagnostic::error(
                    Problem::UnknownRuleSet {
                        id: id.node.clone(),
                        suggestion,
                    },
                    id.span,
                )))
            }
        }
    }

    /// Every `*.gouji` file under the roots, in a stable order.
    fn root_files(&self) -> Vec<PathBuf> {
        // Canonical paths, so that a file is compared with the roots as the OS sees it.
        let mut files: Vec<PathBuf> = self
            .roots
            .iter()
            .flat_map(|root| crate::files::rule_files_under(root))
            .filter_map(|f| f.canonicalize().ok())
            .collect();
        // A link inside a root may point outside it; such files are not ours to read.
        files.retain(|f| self.roots.iter().any(|root| f.starts_with(root)));
        files.sort();
        files.dedup();
        files
    }

    /// The ids of every rule set this loader can find.
    #[must_use]
    pub fn known_ids(&self) -> Vec<String> {
        let mut ids: Vec<String> = self
            .root_files()
            .iter()
            .filter_map(|f| crate::files::read_file(f).ok())
            .filter_map(|b| header_id(&b))
            .collect();
        if self.builtin {
            ids.extend(BUILTIN.iter().filter_map(|(_, t)| header_id(t.as_bytes())));
        }
        ids
    }
}

/// Attaches each diagnostic to its file, with a span local to that file.
fn finish(
    rule_set: Option<RuleSet>,
    diagnostics: Vec<Diagnostic>,
    sources: &SourceMap,
) -> Compiled {
    let mut diagnostics: Vec<Diagnostic> = diagnostics
        .into_iter()
        .map(|mut d| {
            if d.source.is_some() {
                return d;
            }
            if let Some((file, local)) = sources.resolve(d.span) {
                let base = d.span.start - local.start;
                d.span = local;
                d.source = Some(file.clone());
                d.related.retain_mut(|(span, _)| {
                    let inside = span.start >= base && span.end <= base + file.text().len() + 1;
                    if inside {
                        *span = Span::new(span.start - base, span.end - base);
                    }
                    inside
                });
            }
            d
        })
        .collect();
    diagnostics.sort_by(|a, b| {
        let key = |d: &Diagnostic| {
            (
                d.source.as_ref().map(|s| s.name().to_owned()),
                d.span.start,
                d.span.end,
            )
        };
        key(a).cmp(&key(b))
    });
    let rule_set = if diagnostics.iter().any(Diagnostic::is_error) {
        None
    } else {
        rule_set
    };
    Compiled {
        rule_set,
        diagnostics,
    }
}

/// Why a file cannot be read, in words a rule author understands; the system's own text
/// for the rarer cases.
fn io_reason(error: &std::io::Error) -> String {
    match error.kind() {
        std::io::ErrorKind::NotFound => "文件不存在".into(),
        std::io::ErrorKind::PermissionDenied => "没有读取权限".into(),
        std::io::ErrorKind::IsADirectory => "这是一个目录，不是文件".into(),
        _ => error.to_string(),
    }
}

fn unreadable(path: &str, reason: &str, span: Span) -> Box<Diagnostic> {
    Box::new(Diagnostic::error(
        Problem::Unreadable {
            path: path.into(),
            reason: reason.into(),
        },
        span,
    ))
}

fn parse_loaded(
    name: &str,
    bytes: &[u8],
    path: Option<PathBuf>,
    sources: &mut SourceMap,
) -> Result<Loaded, Box<Diagnostic>> {
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text.to_owned(),
        Err(e) => {
            let valid = e.valid_up_to();
            let shown = String::from_utf8_lossy(bytes).into_owned();
            let file = SourceFile::new(name, shown);
            let at = file
                .text()
                .char_indices()
                .nth(String::from_utf8_lossy(&bytes[..valid]).chars().count());
            let start = at.map_or(valid, |(i, _)| i);
            let end = at.map_or(start, |(i, c)| i + c.len_utf8());
            return Err(Box::new(
                Diagnostic::error(
                    Problem::NotUtf8 { valid_up_to: valid },
                    Span::new(start, end),
                )
                .in_source(&file),
            ));
        }
    };
    let file = SourceFile::new(name, text);
    let base = sources.add(file.clone());
    let ast = parse_rule_file(file.text(), base).map_err(Box::new)?;
    Ok(Loaded {
        file,
        path,
        ast: Arc::new(ast),
    })
}

/// A built-in file and its syntax tree.
type ParsedBuiltin = (SourceFile, Arc<RuleFile>);

/// Where built-in file `index` starts in the offset space of a set compiled from built-in
/// files only: the files laid end to end in the order of [`BUILTIN`], whichever of them a set
/// uses, so that a file's tree is the same in every set (national-2019's own, and
/// national-2021's, which inherits it).
fn builtin_base(index: usize) -> usize {
    BUILTIN[..index]
        .iter()
        .map(|(_, text)| text.len() + 1)
        .sum()
}

/// Built-in file `index` and its tree, parsed at its fixed place once per process: a check
/// compiles every built-in set, and each set inheriting national-2019 would parse it again.
/// `None` if it does not parse (the tests keep it from happening); the file-by-file loading
/// then reports why.
fn parsed_builtin(index: usize) -> Option<ParsedBuiltin> {
    static PARSED: [OnceLock<Option<ParsedBuiltin>>; BUILTIN.len()] =
        [const { OnceLock::new() }; BUILTIN.len()];
    PARSED[index]
        .get_or_init(|| {
            let (file, text) = BUILTIN[index];
            let source = SourceFile::new(builtin_name(file), text);
            let ast = parse_rule_file(source.text(), builtin_base(index)).ok()?;
            Some((source, Arc::new(ast)))
        })
        .clone()
}

/// What identifies a loaded file in cycle detection: its canonical path, so that the file
/// named on the command line (often a relative path) is recognised when an ancestor extends it.
fn loaded_key(loaded: &Loaded) -> String {
    loaded.path.as_ref().map_or_else(
        || loaded.file.name().to_owned(),
        |p| {
            p.canonicalize()
                .unwrap_or_else(|_| p.clone())
                .display()
                .to_string()
        },
    )
}

/// The name a file found by its id is shown under: relative to the current directory when it
/// lies inside it (as the file named on the command line usually is), otherwise absolute.
fn shown_name(path: &Path) -> String {
    std::env::current_dir()
        .ok()
        .and_then(|cwd| cwd.canonicalize().ok())
        .and_then(|cwd| path.strip_prefix(cwd).ok().map(Path::to_path_buf))
        .unwrap_or_else(|| path.to_path_buf())
        .display()
        .to_string()
}

fn extends_target(ast: &RuleFile) -> Option<(ExtendsTarget, Span)> {
    ast.items.iter().find_map(|item| match &item.node {
        Item::Extends(target) => Some((target.clone(), item.span)),
        _ => None,
    })
}

fn ruleset_id(ast: &RuleFile) -> String {
    ast.items
        .iter()
        .find_map(|item| match &item.node {
            Item::RuleSet(id) => Some(id.node.clone()),
            _ => None,
        })
        .unwrap_or_else(|| "?".into())
}

/// The id after `规则集`, read without parsing the whole file.
fn header_id(bytes: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(bytes).ok()?;
    text.lines().find_map(|line| {
        let rest = line.trim_start().strip_prefix("规则集")?;
        let id: String = rest
            .trim()
            .chars()
            .take_while(|c| !c.is_whitespace() && *c != '#')
            .collect();
        (!id.is_empty()).then_some(id)
    })
}

pub use exprs::parse_param_value;
