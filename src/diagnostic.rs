//! Problems found in rule files, as data. All wording for rule authors lives in
//! [`Problem`]'s `Display` and [`Problem::help`]; the rest of the crate only builds values.
//! A [`Diagnostic`] becomes text at the edge, through miette.

use std::fmt;

use crate::source::{SourceFile, Span};

/// Whether a problem stops the rule set from being used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Warning,
    Error,
}

/// One problem in a rule file, at a place in it.
#[derive(Debug, Clone)]
pub struct Diagnostic {
    pub problem: Problem,
    pub level: Level,
    /// Where the problem is; the label under it is [`Problem::label`].
    pub span: Span,
    /// Further places worth showing (the first declaration of a duplicate, …).
    pub related: Vec<(Span, String)>,
    /// The file the spans point into; set by the loader.
    pub source: Option<SourceFile>,
}

impl Diagnostic {
    #[must_use]
    pub fn error(problem: Problem, span: Span) -> Self {
        Self {
            problem,
            level: Level::Error,
            span,
            related: Vec::new(),
            source: None,
        }
    }

    #[must_use]
    pub fn warning(problem: Problem, span: Span) -> Self {
        Self {
            level: Level::Warning,
            ..Self::error(problem, span)
        }
    }

    #[must_use]
    pub fn with_related(mut self, span: Span, label: impl Into<String>) -> Self {
        self.related.push((span, label.into()));
        self
    }

    #[must_use]
    pub fn in_source(mut self, source: &SourceFile) -> Self {
        if self.source.is_none() {
            self.source = Some(source.clone());
        }
        self
    }

    /// Moves every span by `offset` bytes: for text parsed out of a larger text.
    #[must_use]
    pub fn shifted(mut self, offset: usize) -> Self {
        self.span = Span::new(self.span.start + offset, self.span.end + offset);
        for (span, _) in &mut self.related {
            *span = Span::new(span.start + offset, span.end + offset);
        }
        self
    }

    #[must_use]
    pub fn is_error(&self) -> bool {
        self.level == Level::Error
    }

    /// `file:line:column`, for one-line summaries.
    #[must_use]
    pub fn location(&self) -> String {
        match &self.source {
            Some(source) => {
                let (line, column) = source.line_col(self.span.start);
                format!("{}:{line}:{column}", source.name())
            }
            None => String::from("<unknown>"),
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.problem.fmt(f)
    }
}

impl std::error::Error for Diagnostic {}

impl miette::Diagnostic for Diagnostic {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(format!("gouji::{}", self.problem.code())))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.level {
            Level::Error => miette::Severity::Error,
            Level::Warning => miette::Severity::Warning,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.problem
            .help()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.source.as_ref().map(|s| s as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        self.source.as_ref()?;
        let primary =
            miette::LabeledSpan::new_primary_with_span(Some(self.problem.label()), self.span);
        let related = self
            .related
            .iter()
            .map(|(span, label)| miette::LabeledSpan::new_with_span(Some(label.clone()), *span));
        Some(Box::new(std::iter::once(primary).chain(related)))
    }
}

/// What went wrong. Each variant's doc names an input that triggers it; that input is a
/// fixture under `tests/fixtures/rules/err/`.
#[derive(Debug, Clone, PartialEq)]
pub enum Problem {
    /// `检查 S1 错误 于 申请 { 断言 一[c] = }` — the text stops making sense here.
    Unexpected {
        /// A likely cause the parser cannot see (a keyword written against a name).
        hint: Option<String>,
        expected: Vec<&'static str>,
        found: String,
    },
    /// `检查 S1 错误 {` with no `}` before the end of the file.
    Unclosed { open: char, close: char },
    /// `消息 "差额` — a string that does not end on its line.
    UnclosedString { quote: char, close: char },
    /// 65 nested `(`.
    TooDeep { limit: usize },
    /// An expression with more than `limit` operators or levels, such as a sum of 3,500
    /// terms written with `+`: compiling and evaluating it would exhaust the stack.
    ExpressionTooDeep { limit: usize },
    /// `"\q"` in a string.
    BadEscape(char),
    /// A number too large to hold: `99999999999999999999999999999999`.
    BadNumber(String),
    /// `2021-02-30`.
    BadDate(String),
    /// `断言 一 容差 1` — a tolerance not after a comparison.
    MisplacedTolerance,
    /// A rule file that is not UTF-8 text.
    NotUtf8 { valid_up_to: usize },
    /// `继承 国家2030` with no such rule set among the rule roots and the built-in sets.
    UnknownRuleSet {
        id: String,
        suggestion: Option<String>,
    },
    /// `继承 "../../etc/passwd"` — a file outside every rule root.
    OutsideRoots { path: String },
    /// `继承 "missing.gouji"` that cannot be read.
    Unreadable { path: String, reason: String },
    /// a.gouji `继承 b`, b.gouji `继承 a`.
    ExtendsCycle { chain: Vec<String> },
    /// A file without `规则集 …`.
    MissingHeader { what: &'static str },
    /// `规则集` written twice, `继承` after the first check, or `仅当 存在(m)` where `m` is
    /// the check's own `令` (preconditions are evaluated before it).
    Misplaced {
        what: &'static str,
        why: &'static str,
    },
    /// `引用 申请[新收, 自燃人]` — a name that is declared nowhere.
    UnknownName {
        kind: &'static str,
        name: String,
        suggestion: Option<String>,
    },
    /// `申请[新收, 自燃人]` — a row or column the table does not have.
    /// Also `对每 列组 g：数据[g.总计]` where one of the groups has no 总计 (`when` names it).
    NotInTable {
        table: String,
        kind: &'static str,
        name: String,
        suggestion: Option<String>,
        /// For a name that depends on a variable, the value it fails for: `g 取「行政诉讼」时`.
        when: Option<String>,
    },
    /// `申请[总计, c]` where 总计 is both `三.总计` and another group's 总计.
    Ambiguous { name: String, options: Vec<String> },
    /// Two files under the rule roots both say `规则集 湖北2019`, and one is asked for by id.
    DuplicateRuleSet { id: String, files: Vec<String> },
    /// `检查 S1` declared twice, `列 总计` twice in one table.
    Duplicate { kind: &'static str, name: String },
    /// `"年度" + 1`, `和(报告.标题)`.
    TypeMismatch {
        context: String,
        expected: String,
        found: String,
    },
    /// `和()` or `日期(2021)`.
    WrongArity {
        function: String,
        expected: String,
        found: usize,
    },
    /// `对每 列 c：…`, or a bare row name `一[总计]`, in a check without `于 表格`.
    NeedsTable { what: &'static str },
    /// `覆盖 S9 { … }` where no check S9 exists.
    UnknownCheck {
        id: String,
        suggestion: Option<String>,
    },
    /// A check with no `断言`, two `断言`, or no `消息`.
    CheckShape { problem: &'static str },
    /// `参数 层级：颜色`.
    UnknownType { name: String, known: &'static str },
    /// `参数 百分比容差：数 = "半个"`, or `--param 百分比容差=半个`.
    BadValue {
        name: String,
        expected: String,
        found: String,
    },
    /// `/[/` — a pattern the regex engine rejects.
    BadPattern { reason: String },
    /// `消息 "差额 {差"` — an unclosed placeholder.
    BadTemplate { reason: &'static str },
    /// `增加 行 X 在 Y 之后` in a table that has no row Y, and similar misuse of 修改.
    BadModification { reason: String },
    /// `表格 收费 属于 主动公开 { 列 金额 }` — a table without rows, or an empty `列组 X { }`.
    BadTable { reason: String },
    /// `列组 直诉 同 复议` inside 复议 itself (the copy would hold itself, without end), or
    /// copies of copies that would give one table more columns than it can hold.
    BadCopy { reason: String },
    /// A declared table no check uses (warning).
    UnusedTable { name: String },
    /// A declared parameter nothing uses (warning).
    UnusedParam { name: String },
}

impl Problem {
    /// A stable code, shown as `gouji::<code>` and usable in scripts.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Problem::Unexpected { .. } => "syntax",
            Problem::Unclosed { .. } => "unclosed",
            Problem::UnclosedString { .. } => "unclosed-string",
            Problem::TooDeep { .. } => "too-deep",
            Problem::ExpressionTooDeep { .. } => "expression-too-deep",
            Problem::BadEscape(_) => "bad-escape",
            Problem::BadNumber(_) => "bad-number",
            Problem::BadDate(_) => "bad-date",
            Problem::MisplacedTolerance => "misplaced-tolerance",
            Problem::NotUtf8 { .. } => "not-utf8",
            Problem::UnknownRuleSet { .. } => "unknown-ruleset",
            Problem::OutsideRoots { .. } => "outside-roots",
            Problem::Unreadable { .. } => "unreadable",
            Problem::ExtendsCycle { .. } => "extends-cycle",
            Problem::MissingHeader { .. } => "missing-header",
            Problem::Misplaced { .. } => "misplaced",
            Problem::UnknownName { .. } => "unknown-name",
            Problem::NotInTable { .. } => "not-in-table",
            Problem::Ambiguous { .. } => "ambiguous",
            Problem::Duplicate { .. } => "duplicate",
            Problem::DuplicateRuleSet { .. } => "duplicate-ruleset",
            Problem::TypeMismatch { .. } => "type-mismatch",
            Problem::WrongArity { .. } => "wrong-arity",
            Problem::NeedsTable { .. } => "needs-table",
            Problem::UnknownCheck { .. } => "unknown-check",
            Problem::CheckShape { .. } => "check-shape",
            Problem::UnknownType { .. } => "unknown-type",
            Problem::BadValue { .. } => "bad-value",
            Problem::BadPattern { .. } => "bad-pattern",
            Problem::BadTemplate { .. } => "bad-template",
            Problem::BadModification { .. } => "bad-modification",
            Problem::BadTable { .. } => "bad-table",
            Problem::BadCopy { .. } => "bad-copy",
            Problem::UnusedTable { .. } => "unused-table",
            Problem::UnusedParam { .. } => "unused-param",
        }
    }

    /// The short text under the underlined characters.
    #[must_use]
    pub fn label(&self) -> String {
        match self {
            Problem::Unexpected { found, .. } => format!("这里出现了{found}"),
            Problem::Unclosed { close, .. } => format!("这个括号没有对应的「{close}」"),
            Problem::UnclosedString { .. } => "字符串从这里开始，到行尾也没有结束".into(),
            Problem::TooDeep { .. } => "嵌套太深".into(),
            Problem::ExpressionTooDeep { .. } => "这个表达式的运算层数太多".into(),
            Problem::BadEscape(_) => "无法识别的转义".into(),
            Problem::BadNumber(_) => "数字太大".into(),
            Problem::BadDate(_) => "不存在的日期".into(),
            Problem::MisplacedTolerance => "容差只能跟在比较之后".into(),
            Problem::NotUtf8 { .. } => "从这里开始不是 UTF-8 文本".into(),
            Problem::UnknownRuleSet { .. } | Problem::UnknownCheck { .. } => "找不到".into(),
            Problem::OutsideRoots { .. } => "规则目录之外".into(),
            Problem::Unreadable { .. } => "无法读取".into(),
            Problem::ExtendsCycle { .. } => "形成循环继承".into(),
            Problem::MissingHeader { .. } => "缺少声明".into(),
            Problem::Misplaced { .. } => "位置不对".into(),
            Problem::UnknownName { kind, .. } => format!("未声明的{}", split_note(kind).0),
            Problem::NotInTable { kind, .. } => format!("表格中没有这一{kind}"),
            Problem::Ambiguous { .. } => "指代不明".into(),
            Problem::Duplicate { .. } => "重复声明".into(),
            Problem::DuplicateRuleSet { .. } => "不知道该用哪一个".into(),
            Problem::TypeMismatch { found, .. } => format!("这是{found}"),
            Problem::WrongArity { found, .. } => format!("给了 {found} 个参数"),
            Problem::NeedsTable { .. } => "不知道是哪张表格".into(),
            Problem::CheckShape { problem } if problem.starts_with("只能") => "多余的断言".into(),
            Problem::CheckShape { .. } => "检查不完整".into(),
            Problem::UnknownType { .. } => "未知类型".into(),
            Problem::BadValue { .. } => "取值不符合类型".into(),
            Problem::BadPattern { .. } => "无效的正则表达式".into(),
            Problem::BadTemplate { .. } => "消息模板有误".into(),
            Problem::BadModification { .. } => "无法这样修改".into(),
            Problem::BadTable { .. } => "是空的".into(),
            Problem::BadCopy { .. } => "无法复制这个列组".into(),
            Problem::UnusedTable { .. } => "没有检查用到它".into(),
            Problem::UnusedParam { .. } => "没有地方用到它".into(),
        }
    }

    /// What the author can do about it.
    #[must_use]
    pub fn help(&self) -> Option<String> {
        match self {
            Problem::Unexpected { expected, hint, .. } => {
                let expected = (!expected.is_empty()).then(|| format!("这里应当是：{}", expected.join("、")));
                match (hint, expected) {
                    (Some(h), Some(e)) => Some(format!("{h}\n{e}")),
                    (Some(h), None) => Some(h.clone()),
                    (None, e) => e,
                }
            }
            Problem::Unclosed { open, close } => {
                Some(format!("在这一块结束的地方补上「{close}」，与这里的「{open}」配对"))
            }
            Problem::UnclosedString { .. } => {
                Some("字符串必须在同一行内结束，前后引号要配对：\"…\"、“…”、「…」".into())
            }
            Problem::BadNumber(_) => Some("数字的绝对值不能超过 79228162514264337593543950335".into()),
            Problem::TooDeep { .. } => Some("把表达式拆成几个「令」定义".into()),
            Problem::ExpressionTooDeep { .. } => {
                Some("多项相加请写「和(甲, 乙, …)」或用区间「和(一[甲..癸])」；也可以拆成几个「令」定义".into())
            }
            Problem::BadEscape(_) => Some(
                "字符串里可用的转义只有 \\\" \\\\ \\n \\t \\{ \\}；若要写正则表达式，请用 /…/".into(),
            ),
            Problem::BadDate(_) => Some("日期写作 年-月-日，例如 2022-01-31".into()),
            Problem::MisplacedTolerance => {
                Some("例如：断言 甲 = 乙 容差 0.5（绝对）或 容差 1%（相对于右边）".into())
            }
            Problem::UnknownRuleSet { suggestion: Some(s), .. }
            | Problem::UnknownName { suggestion: Some(s), .. }
            | Problem::NotInTable { suggestion: Some(s), .. }
            | Problem::UnknownCheck { suggestion: Some(s), .. } => Some(format!("是不是「{s}」？")),
            Problem::UnknownName { kind: "名称", .. } => Some(
                "名称可以是：参数（参数.名称）、令定义、章节、表格、报告信息（报告.年度 等）或 对每 引入的变量"
                    .into(),
            ),
            Problem::Ambiguous { options, .. } => {
                Some(format!("写出完整的路径，例如「{}」", options.join("」或「")))
            }
            Problem::DuplicateRuleSet { .. } => {
                Some("规则目录中每个规则集的标识必须唯一：改掉其中一个文件的「规则集」标识，或把它移出规则目录".into())
            }
            Problem::OutsideRoots { .. } => Some(
                "继承的文件必须位于规则目录（--rules 指定的目录或 gouji.toml 的 rules）之内".into(),
            ),
            Problem::ExtendsCycle { .. } => Some("去掉其中一个「继承」".into()),
            Problem::MissingHeader { .. } => {
                Some("在文件开头写：规则集 标识（例如 规则集 湖北2019）".into())
            }
            Problem::NeedsTable { .. } => {
                Some("在检查的头部写明表格，例如：检查 S1 错误 于 申请 { … }".into())
            }
            Problem::UnknownType { known, .. } => Some(format!("可用的类型：{known}")),
            Problem::CheckShape { problem } if problem.starts_with("只能") => {
                Some("把几个条件用「且」连成一个断言，或者拆成几条检查".into())
            }
            Problem::CheckShape { .. } => Some(
                "每条检查需要一个「断言」和一条「消息」，例如：断言 甲 = 乙  消息 \"甲应等于乙\"".into(),
            ),
            Problem::BadTemplate { .. } => {
                Some("占位符写作 {表达式}，例如 {左}、{右}、{差}、{c}；要写花括号本身请用 \\{ 和 \\}".into())
            }
            Problem::NotUtf8 { .. } => Some(
                "请用文本编辑器把文件另存为 UTF-8 编码（例如在记事本的「另存为」中把编码选为 UTF-8）".into(),
            ),
            Problem::BadTable { .. } => {
                Some("每张表格至少要有一列和一行，每个列组、行组至少要有一列或一行".into())
            }
            Problem::UnusedTable { .. } | Problem::UnusedParam { .. } => {
                Some("如果确实不需要，可以删除这项声明".into())
            }
            _ => None,
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::Unexpected { found, .. } => write!(f, "语法错误：这里不应出现{found}"),
            Problem::Unclosed { open, close } => {
                write!(f, "缺少「{close}」：这里的「{open}」到文件结尾都没有闭合")
            }
            Problem::UnclosedString { close, .. } => {
                write!(f, "字符串没有结束：这一行里找不到与之配对的「{close}」")
            }
            Problem::ExpressionTooDeep { limit } => write!(
                f,
                "表达式太复杂：超过 {limit} 层运算（连加、连乘的每一项都算一层）"
            ),
            Problem::TooDeep { limit } => {
                write!(
                    f,
                    "嵌套太深：超过 {limit} 层（括号、「若」「非」都计算在内）"
                )
            }
            Problem::BadEscape(c) => write!(f, "字符串中的转义「\\{c}」无法识别"),
            Problem::BadNumber(n) => write!(f, "数字「{n}」超出可表示的范围"),
            Problem::BadDate(d) => write!(f, "日期「{d}」不存在"),
            Problem::MisplacedTolerance => {
                write!(f, "「容差」必须紧跟在一个比较（=、≠、<、> 等）之后")
            }
            Problem::NotUtf8 { valid_up_to } => {
                write!(
                    f,
                    "规则文件必须是 UTF-8 编码的文本（第 {valid_up_to} 字节之后无法解码）"
                )
            }
            Problem::UnknownRuleSet { id, .. } => write!(f, "找不到要继承的规则集「{id}」"),
            Problem::OutsideRoots { path } => write!(f, "不能继承规则目录之外的文件「{path}」"),
            Problem::Unreadable { path, reason } => write!(f, "无法读取「{path}」：{reason}"),
            Problem::ExtendsCycle { chain } => {
                write!(f, "规则集之间循环继承：{}", chain.join(" → "))
            }
            Problem::MissingHeader { what } => write!(f, "规则文件缺少「{what}」"),
            Problem::Misplaced { what, why } => write!(f, "「{what}」{why}"),
            Problem::UnknownName { kind, name, .. } => {
                let (noun, note) = split_note(kind);
                write!(f, "未声明的{noun}「{name}」{note}")
            }
            Problem::Ambiguous { name, options } => {
                write!(f, "「{name}」可以指 {} 个不同的行或列", options.len())
            }
            Problem::NotInTable {
                table,
                kind,
                name,
                when,
                ..
            } => {
                if let Some(when) = when {
                    write!(f, "{when}，")?;
                }
                write!(f, "表格「{table}」中没有{kind}「{name}」")
            }
            Problem::Duplicate { kind, name } => write!(f, "{kind}「{name}」重复声明"),
            Problem::DuplicateRuleSet { id, files } => {
                write!(f, "规则集「{id}」在多个文件中声明：{}", files.join("、"))
            }
            Problem::TypeMismatch {
                context,
                expected,
                found,
            } => {
                write!(f, "类型不符：{context}需要{expected}，这里是{found}")
            }
            Problem::WrongArity {
                function,
                expected,
                found,
            } => {
                // `expected` says what is needed: "1 个参数", "至少 1 个参数".
                let space = if expected.starts_with(|c: char| c.is_ascii_digit()) {
                    " "
                } else {
                    ""
                };
                write!(
                    f,
                    "「{function}」需要{space}{expected}，这里给了 {found} 个"
                )
            }
            Problem::NeedsTable { what } => write!(f, "{what}需要指明表格"),
            Problem::UnknownCheck { id, .. } => write!(f, "没有编号为「{id}」的检查"),
            Problem::CheckShape { problem } => write!(f, "检查{problem}"),
            Problem::UnknownType { name, .. } => write!(f, "未知的类型「{name}」"),
            Problem::BadValue {
                name,
                expected,
                found,
            } => {
                write!(f, "「{name}」的取值应为{expected}，这里是「{found}」")
            }
            Problem::BadPattern { reason } => {
                write!(
                    f,
                    "正则表达式有误：{}",
                    reason.trim_start_matches("error: ")
                )
            }
            Problem::BadTemplate { reason } => write!(f, "消息模板有误：{reason}"),
            Problem::BadModification { reason } => write!(f, "无法修改表格：{reason}"),
            Problem::BadTable { reason } => write!(f, "表格声明不完整：{reason}"),
            Problem::BadCopy { reason } => write!(f, "「同」无法复制：{reason}"),
            Problem::UnusedTable { name } => write!(f, "表格「{name}」已声明，但没有任何检查用到"),
            Problem::UnusedParam { name } => write!(f, "参数「{name}」已声明，但没有任何地方用到"),
        }
    }
}

/// A kind of name with an optional note in brackets (`名称（行和列要写成单元格引用，如 行[列]）`):
/// the note goes after the name in the message and is left out of the short label.
fn split_note(kind: &str) -> (&str, &str) {
    kind.find('（').map_or((kind, ""), |at| kind.split_at(at))
}

/// The closest of `candidates` to `name`, if any is close enough to be a likely typo.
pub fn suggest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    let name_len = name.chars().count();
    candidates
        .into_iter()
        .filter(|c| *c != name)
        .map(|c| {
            let distance = strsim::levenshtein(name, c);
            // A suffix or prefix match is a good hint too (自然 → 自然人).
            let affix = c.contains(name) || name.contains(c);
            (distance, affix, c)
        })
        .filter(|&(distance, affix, c)| {
            let longest = name_len.max(c.chars().count());
            affix || (distance * 2 <= longest && distance < longest)
        })
        .min_by_key(|&(distance, affix, c)| (distance, !affix, c))
        .map(|(_, _, c)| c.to_owned())
}
