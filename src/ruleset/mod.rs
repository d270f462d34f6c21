//! The compiled rule set: every name resolved to an index, every expression typed. This is
//! what the extractors (which tables, rows and columns to look for) and the evaluator (which
//! checks to run) read; neither sees the syntax tree.

pub mod functions;
mod outline;
mod whole_text;

pub use functions::{FUNCTIONS, Function, function};
pub use outline::value_text;
pub use whole_text::WholeTextPatterns;

use rust_decimal::Decimal;

use crate::source::{SourceFile, Span};
pub use crate::syntax::ast::{CompareOp, Date, Severity};

pub type ParamIdx = usize;
pub type LetIdx = usize;
pub type SectionIdx = usize;
pub type TableIdx = usize;
/// An index into [`Table::rows`] or [`Table::columns`].
pub type NodeIdx = usize;
/// A slot in a check's frame: binder variables first, then local `令` definitions.
pub type Slot = usize;

#[derive(Debug, Clone)]
pub struct RuleSet {
    pub id: String,
    pub title: Option<String>,
    pub version: Option<String>,
    /// The regulation the set implements (`国办公开办函〔2021〕30号`).
    pub basis: Option<String>,
    /// When the set applies to a report; `None` means always.
    pub applies: Option<Expr>,
    /// Ids from the root ancestor down to this set.
    pub lineage: Vec<String>,
    pub params: Vec<Param>,
    pub lets: Vec<Let>,
    pub sections: Vec<Section>,
    /// Sections in the order the report must print them.
    pub section_order: Vec<SectionIdx>,
    pub tables: Vec<Table>,
    pub checks: Vec<Check>,
    /// The quantities stated in prose (`数量`).
    pub prose: crate::prose::Prose,
    /// The patterns the checks apply to the whole text, matched together.
    pub whole_text: WholeTextPatterns,
    /// Every file the set was compiled from; spans are offsets into this map.
    pub sources: SourceMap,
    pub span: Span,
}

impl RuleSet {
    #[must_use]
    pub fn table(&self, key: &str) -> Option<TableIdx> {
        self.tables.iter().position(|t| t.key == key)
    }

    #[must_use]
    pub fn section(&self, key: &str) -> Option<SectionIdx> {
        self.sections.iter().position(|s| s.key == key)
    }

    #[must_use]
    pub fn param(&self, name: &str) -> Option<ParamIdx> {
        self.params.iter().position(|p| p.name == name)
    }

    #[must_use]
    pub fn check(&self, id: &str) -> Option<&Check> {
        self.checks.iter().find(|c| c.id == id)
    }
}

/// Files laid end to end in one offset space, so a span alone says which file it is in.
#[derive(Debug, Clone, Default)]
pub struct SourceMap {
    files: Vec<(usize, SourceFile)>,
}

impl SourceMap {
    /// Adds a file and returns the offset of its first byte.
    pub fn add(&mut self, file: SourceFile) -> usize {
        // One byte of gap keeps an end-of-file span from touching the next file.
        let base = self
            .files
            .last()
            .map_or(0, |(base, f)| base + f.text().len() + 1);
        self.files.push((base, file));
        base
    }

    /// Adds a file at a chosen offset, past the end of every file added before: the built-in
    /// rule files have fixed places, so that one parsed tree serves every set that uses it.
    pub fn add_at(&mut self, base: usize, file: SourceFile) {
        debug_assert!(
            self.files
                .last()
                .is_none_or(|(last, f)| last + f.text().len() < base),
            "files are added in order, without overlapping"
        );
        self.files.push((base, file));
    }

    /// The file a global span lies in, and the span within that file.
    #[must_use]
    pub fn resolve(&self, span: Span) -> Option<(&SourceFile, Span)> {
        let index = self
            .files
            .partition_point(|(base, _)| *base <= span.start)
            .checked_sub(1)?;
        let (base, file) = &self.files[index];
        Some((
            file,
            Span::new(span.start - base, span.end.saturating_sub(*base)),
        ))
    }

    pub fn files(&self) -> impl Iterator<Item = &SourceFile> {
        self.files.iter().map(|(_, f)| f)
    }

    /// The text a global span covers.
    #[must_use]
    pub fn snippet(&self, span: Span) -> &str {
        self.resolve(span).map_or("", |(file, local)| {
            file.text()
                .get(local.start..local.end.min(file.text().len()))
                .unwrap_or("")
        })
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum ParamType {
    Number,
    Integer,
    Text,
    Date,
    Bool,
    Choice(Vec<String>),
}

impl ParamType {
    #[must_use]
    pub fn chinese(&self) -> String {
        match self {
            ParamType::Number => "数".into(),
            ParamType::Integer => "整数".into(),
            ParamType::Text => "文本".into(),
            ParamType::Date => "日期".into(),
            ParamType::Bool => "布尔（是/否）".into(),
            ParamType::Choice(options) => format!("选项({})", options.join("、")),
        }
    }

    #[must_use]
    pub fn value_type(&self) -> Type {
        match self {
            ParamType::Number | ParamType::Integer => Type::Number,
            ParamType::Text | ParamType::Choice(_) => Type::Text,
            ParamType::Date => Type::Date,
            ParamType::Bool => Type::Bool,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Param {
    pub name: String,
    pub ty: ParamType,
    /// `None`: the parameter is unset unless the user gives it (it then reads as 无).
    pub default: Option<Value>,
    pub doc: Option<String>,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct Let {
    pub name: String,
    pub value: Expr,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct Section {
    pub key: String,
    pub title: String,
    pub aliases: Vec<Alias>,
    pub required: bool,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alias {
    pub text: String,
    /// Accepted, but the report deserves a note (`不规范`).
    pub nonstandard: bool,
}

#[derive(Debug, Clone)]
pub struct Table {
    pub key: String,
    pub section: SectionIdx,
    /// Caption or header texts by which the table is found.
    pub anchors: Vec<String>,
    pub columns: Vec<Node>,
    pub rows: Vec<Node>,
    pub span: Span,
}

impl Table {
    /// The leaf columns, left to right: the columns that hold values.
    pub fn leaf_columns(&self) -> impl Iterator<Item = NodeIdx> + '_ {
        leaves(&self.columns)
    }

    /// The leaf rows, top to bottom: the rows that hold values.
    pub fn leaf_rows(&self) -> impl Iterator<Item = NodeIdx> + '_ {
        leaves(&self.rows)
    }

    /// The type of the cell at a leaf row and a leaf column: the row's if it declares one.
    #[must_use]
    pub fn cell_type(&self, row: NodeIdx, column: NodeIdx) -> &CellType {
        let row = &self.rows[row];
        if row.explicit_type {
            &row.cell_type
        } else {
            &self.columns[column].cell_type
        }
    }

    /// The leaves under a node, or the node itself if it is a leaf.
    #[must_use]
    pub fn leaves_under(nodes: &[Node], node: NodeIdx) -> Vec<NodeIdx> {
        if nodes[node].children.is_empty() {
            return vec![node];
        }
        nodes[node]
            .children
            .iter()
            .flat_map(|&c| Table::leaves_under(nodes, c))
            .collect()
    }
}

fn leaves(nodes: &[Node]) -> impl Iterator<Item = NodeIdx> + '_ {
    nodes
        .iter()
        .enumerate()
        .filter(|(_, n)| n.children.is_empty() && !n.is_group)
        .map(|(i, _)| i)
}

/// A row or column, or a group of them. Nodes are stored in document order (a group before
/// its members), so the leaves in index order are the leaves left to right.
#[derive(Debug, Clone)]
#[allow(clippy::struct_excessive_bools)] // independent flags, each declared by its own keyword
pub struct Node {
    /// The key as declared (`总计`).
    pub key: String,
    /// The keys from the outermost group down (`诉讼.直诉.总计`).
    pub path: String,
    /// The printed label; for an unlabeled row, empty.
    pub label: String,
    pub aliases: Vec<Alias>,
    pub parent: Option<NodeIdx>,
    pub children: Vec<NodeIdx>,
    pub is_group: bool,
    /// For a column: its type (the table's unless declared). For a row: the type its cells
    /// take when `explicit_type` is set, overriding the column's.
    pub cell_type: CellType,
    pub explicit_type: bool,
    pub blank: BlankPolicy,
    /// A `/` or `—` in this row means "not applicable" and is accepted.
    pub na_allowed: bool,
    pub unlabeled: bool,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CellType {
    /// A non-negative whole number.
    Count,
    /// A whole number with a sign: `+1`, `-11`, `减4`.
    Integer,
    /// An amount of money in one of `units`, with at most `decimals` decimals.
    Money {
        units: Vec<MoneyUnit>,
        decimals: u32,
    },
    Percent,
    Text,
}

impl CellType {
    #[must_use]
    pub fn is_numeric(&self) -> bool {
        !matches!(self, CellType::Text)
    }

    #[must_use]
    pub fn chinese(&self) -> String {
        match self {
            CellType::Count => "计数（非负整数）".into(),
            CellType::Integer => "整数（可带正负号）".into(),
            CellType::Money { units, decimals } => format!(
                "金额（单位{}，最多{decimals}位小数）",
                units
                    .iter()
                    .map(|u| u.symbol())
                    .collect::<Vec<_>>()
                    .join("或")
            ),
            CellType::Percent => "百分比".into(),
            CellType::Text => "文本".into(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum MoneyUnit {
    Yuan,
    WanYuan,
}

impl MoneyUnit {
    #[must_use]
    pub fn symbol(self) -> &'static str {
        match self {
            MoneyUnit::Yuan => "元",
            MoneyUnit::WanYuan => "万元",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BlankPolicy {
    /// A blank cell counts as 0.
    Zero,
    /// A blank cell is a missing value: checks that need it are not evaluated, and the blank
    /// is worth a finding.
    Missing,
    /// Whichever of the two a `选项("计零", "缺失")` parameter says.
    Param(ParamIdx),
}

#[derive(Debug, Clone)]
pub struct Check {
    pub id: String,
    pub severity: Severity,
    pub tags: Vec<String>,
    pub basis: Option<String>,
    /// The table that bare row names and `对每 行/列` refer to.
    pub table: Option<TableIdx>,
    /// Preconditions: when one is false the check is not evaluated.
    pub when: Vec<Expr>,
    /// Each binder adds one variable; each combination of values is one instance of the check.
    pub binders: Vec<Binder>,
    /// Local `令` definitions, evaluated per instance into the slots `let_slots`.
    pub lets: Vec<Let>,
    pub let_slots: Vec<Slot>,
    pub assertion: Expr,
    pub message: Template,
    pub help: Option<String>,
    /// `按表合并`: the failing instances make one finding per table, listing their cells.
    pub per_table: bool,
    /// The rule set that declared the check (a parent's id for an inherited check).
    pub origin: String,
    /// The name of the variable in each slot an instance needs (binders, local definitions,
    /// quantifier variables), for display.
    pub slot_names: Vec<String>,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct Binder {
    pub name: String,
    pub domain: Domain,
    pub filter: Option<Expr>,
    /// The frame slot that holds the variable.
    pub slot: Slot,
    pub span: Span,
}

/// What a variable ranges over. Domains are fixed by the rule set, so every use of a variable
/// is resolved for every value it can take when the set is compiled.
#[derive(Debug, Clone, PartialEq)]
pub enum Domain {
    Columns(TableIdx, Vec<NodeIdx>),
    Rows(TableIdx, Vec<NodeIdx>),
    Sections(Vec<SectionIdx>),
    Tables(Vec<TableIdx>),
    Cells(Vec<(TableIdx, NodeIdx, NodeIdx)>),
    /// The statements of quantities (indices into the rule set's quantities), quantity by
    /// quantity: how many there are depends on the report, so the domain has no fixed values.
    Statements(Vec<usize>),
}

impl Domain {
    #[must_use]
    pub fn len(&self) -> usize {
        match self {
            Domain::Columns(_, v)
            | Domain::Rows(_, v)
            | Domain::Sections(v)
            | Domain::Tables(v) => v.len(),
            Domain::Cells(v) => v.len(),
            Domain::Statements(_) => 0,
        }
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    #[must_use]
    pub fn element_type(&self) -> Type {
        match self {
            Domain::Columns(..) => Type::Column,
            Domain::Rows(..) => Type::Row,
            Domain::Sections(_) => Type::Section,
            Domain::Tables(_) => Type::Table,
            Domain::Cells(_) => Type::Cell,
            Domain::Statements(_) => Type::Statement,
        }
    }
}

/// A message with `{…}` placeholders.
#[derive(Debug, Clone)]
pub struct Template {
    pub parts: Vec<TemplatePart>,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub enum TemplatePart {
    Text(String),
    /// `{左}`, `{右}`: the two sides of the assertion's comparison.
    Left,
    Right,
    /// `{差}`: left minus right.
    Difference,
    /// `{公式}`: the assertion with the values written in.
    Formula,
    Value(Expr),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Type {
    Number,
    Bool,
    Text,
    Date,
    Pattern,
    /// A number range `2019..2020`.
    Range,
    List(Box<Type>),
    Section,
    Table,
    Row,
    Column,
    Cell,
    /// A statement of a quantity in the prose (`对每 陈述 x`): used as its figure where a
    /// number is needed.
    Statement,
    /// The result of `捕获(…)`: one named field per group of the pattern.
    Match(Vec<String>),
    /// Text captured from prose: used as a number where a number is needed.
    Captured,
    /// `无`: the absence of a value, comparable with anything.
    Absent,
}

impl Type {
    #[must_use]
    pub fn chinese(&self) -> String {
        match self {
            Type::Number => "数".into(),
            Type::Bool => "真假值".into(),
            Type::Text => "文本".into(),
            Type::Date => "日期".into(),
            Type::Pattern => "正则表达式".into(),
            Type::Range => "范围".into(),
            Type::List(t) => format!("{}的列表", t.chinese()),
            Type::Section => "章节".into(),
            Type::Table => "表格".into(),
            Type::Row => "行".into(),
            Type::Column => "列".into(),
            Type::Cell => "单元格".into(),
            Type::Statement => "正文中的陈述".into(),
            Type::Match(_) => "匹配结果".into(),
            Type::Captured => "从正文捕获的文字".into(),
            Type::Absent => "无".into(),
        }
    }
}

/// A constant.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Number(Decimal),
    Bool(bool),
    Text(String),
    Date(Date),
}

#[derive(Debug, Clone)]
pub struct Expr {
    pub kind: ExprKind,
    pub ty: Type,
    pub span: Span,
}

/// What the report says about itself; see `报告.…`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum ReportField {
    Year,
    Title,
    Agency,
    PublishedOn,
    Level,
    Path,
}

impl ReportField {
    pub const ALL: [(&'static str, ReportField, Type); 6] = [
        ("年度", ReportField::Year, Type::Number),
        ("标题", ReportField::Title, Type::Text),
        ("机关", ReportField::Agency, Type::Text),
        ("发布日期", ReportField::PublishedOn, Type::Date),
        ("层级", ReportField::Level, Type::Text),
        ("路径", ReportField::Path, Type::Text),
    ];
}

/// Which row or column a cell reference picks: the same nodes always, or nodes that depend
/// on a variable (one list per value of the variable, resolved at compile time).
#[derive(Debug, Clone)]
pub enum Pick {
    Fixed(Vec<NodeIdx>),
    ByVar {
        slot: Slot,
        per_value: Vec<Vec<NodeIdx>>,
        /// The selector as written (`g.总计`), for display.
        text: String,
    },
}

#[derive(Debug, Clone)]
pub enum ExprKind {
    Const(Value),
    Absent,
    Pattern(std::sync::Arc<Pattern>),
    Range(Decimal, Decimal),
    List(Vec<Expr>),
    Param(ParamIdx),
    Let(LetIdx),
    Local(Slot),
    Report(ReportField),
    FullText,
    Section(SectionIdx),
    Table(TableIdx),
    /// A row or column named in a comparison with a variable: `c ≠ 总计`.
    Node {
        table: TableIdx,
        node: NodeIdx,
        rows: bool,
    },
    /// A member of a variable or value: `c.标签`, `s.标题`, `m.数`.
    Member(Box<Expr>, Member),
    Cells {
        prev_year: bool,
        table: TableIdx,
        rows: Pick,
        columns: Pick,
    },
    Call(&'static Function, Vec<Expr>),
    Not(Box<Expr>),
    Neg(Box<Expr>),
    Arith(ArithOp, Box<Expr>, Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Compare {
        op: CompareOp,
        lhs: Box<Expr>,
        rhs: Box<Expr>,
        tolerance: Option<(Box<Expr>, bool)>,
    },
    In(Box<Expr>, Box<Expr>),
    TextOp(TextOp, Box<Expr>, Box<Expr>),
    If {
        cond: Box<Expr>,
        then: Box<Expr>,
        otherwise: Option<Box<Expr>>,
    },
    Quantified {
        all: bool,
        binder: Box<Binder>,
        slot: Slot,
        body: Box<Expr>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArithOp {
    Add,
    Sub,
    Mul,
    Div,
}

impl ArithOp {
    #[must_use]
    pub fn symbol(self) -> &'static str {
        match self {
            ArithOp::Add => "+",
            ArithOp::Sub => "-",
            ArithOp::Mul => "×",
            ArithOp::Div => "÷",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextOp {
    Contains,
    NotContains,
    Matches,
    NotMatches,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Member {
    /// `c.标签`: the printed label of a row, column, section or table.
    Label,
    /// `s.标题`: a section's title as printed in the report.
    PrintedTitle,
    /// `s.规范`: whether the section's title is the canonical one or a standard alias.
    Standard,
    /// `s.文本`, `x.原文`.
    Text,
    /// `x.值`: a cell's value.
    CellValue,
    /// `x.单位`.
    Unit,
    /// `m.数`: a named group of a match.
    Group(String),
    /// `x.原文`, `x.说法` …: a part of a statement in the prose.
    Stated(crate::prose::StatedField),
}

/// A pattern (`/…/`), checked when the rule set is compiled and built into a matcher the first
/// time it is used: building the matchers of a whole rule set takes far longer than the rest
/// of compiling it, and most runs use only some of them.
#[derive(Debug)]
pub struct Pattern {
    source: String,
    names: Vec<String>,
    regex: std::sync::OnceLock<Result<regex::Regex, String>>,
    /// Why a check that needed this pattern's text was not evaluated: the pattern in words,
    /// made once (parsing the pattern again per report cost more than matching it).
    not_found: std::sync::OnceLock<String>,
}

/// Bound on the size of a built matcher, so that a rule file cannot make the engine use
/// unbounded memory.
pub(crate) const PATTERN_SIZE_LIMIT: usize = 1 << 20;

impl Pattern {
    /// Checks a pattern; on failure, the regex parser's explanation.
    pub fn new(source: &str) -> Result<Self, String> {
        // The syntax tree is enough to find mistakes and group names, and costs a fraction of
        // translating Unicode classes; the rare error that only translation finds (an unknown
        // `\p{…}` class) shows when the matcher is built.
        let ast = regex_syntax::ast::parse::Parser::new()
            .parse(source)
            .map_err(|e| e.to_string())?;
        let mut groups = Vec::new();
        collect_names(&ast, &mut groups);
        groups.sort();
        let names = groups.into_iter().map(|(_, name)| name).collect();
        Ok(Self {
            source: source.to_owned(),
            names,
            regex: std::sync::OnceLock::new(),
            not_found: std::sync::OnceLock::new(),
        })
    }

    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// The names of the pattern's named groups, in order.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// The reason given when the report's text has nothing the pattern matches.
    pub fn not_found_reason(&self) -> &str {
        self.not_found
            .get_or_init(|| crate::syntax::pattern_words::not_found_in_text(&self.source))
    }

    /// The matcher; an error only for a pattern too large to build.
    pub fn regex(&self) -> Result<&regex::Regex, &str> {
        self.regex
            .get_or_init(|| shared_matcher(&self.source))
            .as_ref()
            .map_err(String::as_str)
    }
}

/// The matcher of a pattern, built once per process: the sets that inherit from another
/// (2021 from 2019) have their own copy of each inherited pattern, and a batch read under
/// both would otherwise build every shared matcher twice. A built matcher is cheap to clone.
fn shared_matcher(source: &str) -> Result<regex::Regex, String> {
    type Built = std::collections::HashMap<String, Result<regex::Regex, String>>;
    static BUILT: std::sync::LazyLock<std::sync::Mutex<Built>> =
        std::sync::LazyLock::new(Default::default);
    let lock = || {
        BUILT
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    };
    if let Some(built) = lock().get(source) {
        return built.clone();
    }
    // Built outside the lock: two threads may build the same matcher once each, but no
    // thread waits for another's build.
    let built = regex::RegexBuilder::new(source)
        .size_limit(PATTERN_SIZE_LIMIT)
        .build()
        .map_err(|e| format!("正则表达式 /{source}/ 太复杂，无法使用：{e}"));
    lock().insert(source.to_owned(), built.clone());
    built
}

fn collect_names(ast: &regex_syntax::ast::Ast, out: &mut Vec<(u32, String)>) {
    use regex_syntax::ast::{Ast, GroupKind};
    match ast {
        Ast::Group(group) => {
            if let GroupKind::CaptureName { name, .. } = &group.kind {
                out.push((name.index, name.name.clone()));
            }
            collect_names(&group.ast, out);
        }
        Ast::Repetition(repetition) => collect_names(&repetition.ast, out),
        Ast::Concat(concat) => {
            for a in &concat.asts {
                collect_names(a, out);
            }
        }
        Ast::Alternation(alternation) => {
            for a in &alternation.asts {
                collect_names(a, out);
            }
        }
        _ => {}
    }
}
