//! The syntax tree of a rule file: what was written, where, before any name is resolved.

use rust_decimal::Decimal;

use crate::source::{Span, Spanned};

pub type Ident = Spanned<String>;
/// A string literal, already unescaped; the span covers the quotes.
pub type Str = Spanned<String>;

#[derive(Debug, Clone, Default)]
pub struct RuleFile {
    pub items: Vec<Spanned<Item>>,
}

#[derive(Debug, Clone)]
pub enum Item {
    RuleSet(Ident),
    Title(Str),
    Version(Str),
    Basis(Str),
    Applies(Expr),
    Extends(ExtendsTarget),
    Param(ParamDecl),
    Let(LetDecl),
    Order(Vec<Ident>),
    Section(SectionDecl),
    Table(TableDecl),
    ReplaceTable(TableDecl),
    /// `删除 表格 X`: drops an inherited table.
    RemoveTable(Ident),
    Modify(ModifyDecl),
    Check(Box<CheckDecl>),
    Override(OverrideDecl),
    Disable(Vec<Ident>),
    /// `数量 收到申请 "…" { 说法 … 对象 … 单位 … 不算 … 其中 … }`: a quantity stated in prose.
    Quantity(QuantityDecl),
}

/// A quantity the prose states, described by words: what introduces it (`说法`), the nouns
/// that may follow (`对象`), the units of its figure (`单位`), the words that make a sentence
/// about something else (`不算`), and the quantities listed as its parts (`其中`).
#[derive(Debug, Clone)]
pub struct QuantityDecl {
    pub name: Ident,
    pub description: Option<Str>,
    pub phrasings: Vec<Str>,
    pub objects: Vec<Str>,
    pub units: Vec<Str>,
    pub excluded: Vec<Str>,
    pub parts: Vec<Ident>,
}

#[derive(Debug, Clone)]
pub enum ExtendsTarget {
    /// `继承 国家2019`: a rule set by id.
    Id(Ident),
    /// `继承 "../national/2019.gouji"`: a file, relative to the including file.
    Path(Str),
}

#[derive(Debug, Clone)]
pub struct ParamDecl {
    pub name: Ident,
    pub ty: Spanned<ParamTypeAst>,
    pub default: Option<Spanned<Literal>>,
    pub doc: Option<Str>,
}

#[derive(Debug, Clone)]
pub enum ParamTypeAst {
    Named(String),
    Choice(Vec<Str>),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    Number(Decimal),
    Date(Date),
    Text(String),
    Word(String),
}

/// A calendar date, validated when parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub struct Date {
    pub year: i32,
    pub month: u32,
    pub day: u32,
}

impl Date {
    /// A date if the day exists in that month.
    #[must_use]
    pub fn new(year: i32, month: u32, day: u32) -> Option<Date> {
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
        let days = match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return None,
        };
        (1..=days)
            .contains(&day)
            .then_some(Date { year, month, day })
    }
}

impl std::fmt::Display for Date {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

#[derive(Debug, Clone)]
pub struct LetDecl {
    pub name: Ident,
    pub value: Expr,
}

#[derive(Debug, Clone)]
pub struct SectionDecl {
    pub key: Ident,
    pub title: Str,
    pub required: bool,
    pub aliases: Vec<AliasAst>,
}

#[derive(Debug, Clone)]
pub struct AliasAst {
    pub text: Str,
    /// Accepted, but worth a warning (`不规范`).
    pub nonstandard: bool,
}

#[derive(Debug, Clone)]
pub struct TableDecl {
    pub key: Ident,
    pub section: Ident,
    pub items: Vec<TableItem>,
}

#[derive(Debug, Clone)]
pub enum TableItem {
    Anchors(Vec<Str>),
    Type(CellTypeAst),
    Blank(Spanned<BlankAst>),
    Column(ColumnAst),
    Row(RowAst),
}

#[derive(Debug, Clone)]
pub struct CellTypeAst {
    pub name: Ident,
    pub args: Vec<Spanned<TypeArg>>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum TypeArg {
    Number(Decimal),
    Word(String),
}

#[derive(Debug, Clone, PartialEq)]
pub enum BlankAst {
    Zero,
    Missing,
    Param(Ident),
}

/// What a column or row declaration says about its printed label.
#[derive(Debug, Clone, Default)]
pub struct LabelAst {
    /// The printed label; `None` means the key is the label.
    pub label: Option<Str>,
    pub aliases: Vec<AliasAst>,
}

#[derive(Debug, Clone)]
pub enum ColumnAst {
    Leaf {
        key: Ident,
        label: LabelAst,
        ty: Option<CellTypeAst>,
    },
    Group {
        key: Ident,
        label: LabelAst,
        same_as: Option<Ident>,
        children: Vec<ColumnAst>,
    },
}

impl ColumnAst {
    #[must_use]
    pub fn key(&self) -> &Ident {
        match self {
            ColumnAst::Leaf { key, .. } | ColumnAst::Group { key, .. } => key,
        }
    }
}

#[derive(Debug, Clone)]
pub enum RowAst {
    Leaf {
        key: Ident,
        label: LabelAst,
        unlabeled: bool,
        ty: Option<CellTypeAst>,
        blank: Option<Spanned<BlankAst>>,
        na_allowed: bool,
    },
    Group {
        key: Ident,
        label: LabelAst,
        children: Vec<RowAst>,
    },
}

impl RowAst {
    #[must_use]
    pub fn key(&self) -> &Ident {
        match self {
            RowAst::Leaf { key, .. } | RowAst::Group { key, .. } => key,
        }
    }
}

#[derive(Debug, Clone)]
pub struct ModifyDecl {
    pub table: Ident,
    pub modifications: Vec<Spanned<Modification>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MemberKind {
    Column,
    Row,
}

#[derive(Debug, Clone)]
pub enum MemberDecl {
    Column(ColumnAst),
    Row(RowAst),
}

impl MemberDecl {
    #[must_use]
    pub fn key(&self) -> &Ident {
        match self {
            MemberDecl::Column(c) => c.key(),
            MemberDecl::Row(r) => r.key(),
        }
    }

    #[must_use]
    pub fn kind(&self) -> MemberKind {
        match self {
            MemberDecl::Column(_) => MemberKind::Column,
            MemberDecl::Row(_) => MemberKind::Row,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placement {
    After,
    Before,
}

#[derive(Debug, Clone)]
pub enum Modification {
    Add {
        decl: MemberDecl,
        position: Option<(Ident, Placement)>,
    },
    Remove {
        kind: MemberKind,
        keys: Vec<Ident>,
    },
    Replace {
        kind: MemberKind,
        key: Ident,
        decl: MemberDecl,
    },
    Anchors(Vec<Str>),
    Type(CellTypeAst),
    Blank(Spanned<BlankAst>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    #[must_use]
    pub fn chinese(self) -> &'static str {
        match self {
            Severity::Error => "错误",
            Severity::Warning => "警告",
            Severity::Info => "提示",
        }
    }
}

#[derive(Debug, Clone)]
pub struct CheckDecl {
    pub id: Ident,
    pub severity: Spanned<Severity>,
    pub table: Option<Ident>,
    pub tags: Vec<Ident>,
    pub basis: Option<Str>,
    pub when: Vec<Expr>,
    pub lets: Vec<LetDecl>,
    pub asserts: Vec<Assertion>,
    pub message: Option<Str>,
    pub help: Option<Str>,
    /// `按表合并`: the failing instances of the check make one finding per table.
    pub per_table: bool,
}

#[derive(Debug, Clone)]
pub struct Assertion {
    pub binders: Vec<Binder>,
    pub expr: Expr,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct OverrideDecl {
    pub id: Ident,
    pub severity: Option<Spanned<Severity>>,
    pub message: Option<Str>,
    pub help: Option<Str>,
    pub tags: Option<Vec<Ident>>,
    pub basis: Option<Str>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DomainKind {
    Column,
    Row,
    ColumnGroup,
    RowGroup,
    Section,
    Table,
    Cell,
    /// `对每 陈述 x 属于 收到申请`: every statement of a quantity in the prose.
    Statement,
}

impl DomainKind {
    #[must_use]
    pub fn chinese(self) -> &'static str {
        match self {
            DomainKind::Column => "列",
            DomainKind::Row => "行",
            DomainKind::ColumnGroup => "列组",
            DomainKind::RowGroup => "行组",
            DomainKind::Section => "章节",
            DomainKind::Table => "表格",
            DomainKind::Cell => "单元格",
            DomainKind::Statement => "陈述",
        }
    }
}

/// `对每 列 c 属于 自然人..其他 其中 …：`
#[derive(Debug, Clone)]
pub struct Binder {
    pub kind: Spanned<DomainKind>,
    pub var: Ident,
    pub selectors: Vec<Selector>,
    pub filter: Option<Expr>,
    pub span: Span,
}

/// A dotted name: `报告.年度`, `办理结果.总计`, `g.总计`.
pub type Path = Spanned<Vec<Ident>>;

#[derive(Debug, Clone)]
pub enum Selector {
    All(Span),
    Range(Path, Path),
    One(Path),
}

impl Selector {
    #[must_use]
    pub fn span(&self) -> Span {
        match self {
            Selector::All(span) => *span,
            Selector::Range(a, b) => a.span.join(b.span),
            Selector::One(p) => p.span,
        }
    }
}

pub type Expr = Spanned<ExprKind>;

#[derive(Debug, Clone)]
pub enum ExprKind {
    Number(Decimal),
    Text(String),
    Regex(String),
    Date(Date),
    Range(Decimal, Decimal),
    List(Vec<Expr>),
    Path(Path),
    Member(Box<Expr>, Ident),
    Cell {
        prev_year: bool,
        target: Path,
        first: Selector,
        second: Option<Selector>,
    },
    Call(Ident, Vec<Expr>),
    Unary(UnaryOp, Box<Expr>),
    Binary(BinaryOp, Box<Expr>, Box<Expr>),
    Compare {
        op: CompareOp,
        lhs: Box<Expr>,
        rhs: Box<Expr>,
        tolerance: Option<Tolerance>,
    },
    If {
        cond: Box<Expr>,
        then: Box<Expr>,
        otherwise: Option<Box<Expr>>,
    },
    Quantified {
        all: bool,
        binder: Box<Binder>,
        body: Box<Expr>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnaryOp {
    Not,
    Neg,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinaryOp {
    Add,
    Sub,
    Mul,
    Div,
    And,
    Or,
    In,
    Contains,
    NotContains,
    Matches,
    NotMatches,
}

impl BinaryOp {
    #[must_use]
    pub fn symbol(self) -> &'static str {
        match self {
            BinaryOp::Add => "+",
            BinaryOp::Sub => "-",
            BinaryOp::Mul => "×",
            BinaryOp::Div => "÷",
            BinaryOp::And => "且",
            BinaryOp::Or => "或",
            BinaryOp::In => "在",
            BinaryOp::Contains => "包含",
            BinaryOp::NotContains => "不包含",
            BinaryOp::Matches => "匹配",
            BinaryOp::NotMatches => "不匹配",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum CompareOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl CompareOp {
    #[must_use]
    pub fn symbol(self) -> &'static str {
        match self {
            CompareOp::Eq => "=",
            CompareOp::Ne => "≠",
            CompareOp::Lt => "<",
            CompareOp::Le => "≤",
            CompareOp::Gt => ">",
            CompareOp::Ge => "≥",
        }
    }

    /// The symbol that says the comparison failed: `=` fails as `≠`.
    #[must_use]
    pub fn negated_symbol(self) -> &'static str {
        match self {
            CompareOp::Eq => "≠",
            CompareOp::Ne => "=",
            CompareOp::Lt => "≥",
            CompareOp::Le => ">",
            CompareOp::Gt => "≤",
            CompareOp::Ge => "<",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Tolerance {
    pub amount: Box<Expr>,
    /// `容差 1%`: relative to the right-hand side.
    pub relative: bool,
}
