//! The one table of built-in functions. An entry says everything about a function: its name,
//! its parameters (the compiler checks each call against them and names them in its
//! messages), its result, the function that evaluates it and its line in the reference. The
//! compiler, the evaluator, the outline and `docs/rule-language.md` §内置函数 (kept equal to
//! [`reference_table`] by `tests/docs.rs`) all read this table, so adding a function is one
//! entry here and its evaluation function.

use std::fmt::Write as _;

use crate::eval::functions::{self as eval, Evaluate};

/// A built-in function.
#[derive(Debug)]
pub struct Function {
    pub name: &'static str,
    pub params: &'static [Param],
    /// Whether the last parameter may be given again and again (`和(x, …)`).
    pub repeats: bool,
    pub returns: Returns,
    /// Computes the call from its unevaluated arguments, which it evaluates as it needs them.
    pub(crate) evaluate: Evaluate,
    /// What the function gives, in one line of the reference.
    pub doc: &'static str,
    /// A call as a rule would write it, for the reference.
    pub example: &'static str,
}

/// One parameter: the name the reference and the arity message show, and what it accepts.
#[derive(Debug, Clone, Copy)]
pub struct Param {
    pub name: &'static str,
    pub accepts: Arg,
}

/// A parameter, for writing entries briefly.
#[must_use]
pub const fn param(name: &'static str, accepts: Arg) -> Param {
    Param { name, accepts }
}

/// What one argument may be. The compiler checks it; a mismatch is `gouji::type-mismatch`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arg {
    /// Anything at all.
    Any,
    /// A number, or what stands for one (captured text, a match).
    Number,
    /// A number or a list of numbers.
    Numbers,
    /// Text, or what stands for it (a section, captured text, a match).
    Text,
    /// Text or a list of anything.
    TextOrList,
    /// A list of anything.
    List,
    /// A pattern written in place or a rule set's `令` that holds one: its groups must be known
    /// when the rules are compiled, since they name the fields of the result.
    Pattern,
    Section,
    Table,
    /// One cell: a cell variable, or a reference that picks a single cell.
    Cell,
}

impl Arg {
    /// How the reference says what the argument may be.
    #[must_use]
    pub fn chinese(self) -> &'static str {
        match self {
            Arg::Any => "任何值",
            Arg::Number => "数",
            Arg::Numbers => "数或数的列表",
            Arg::Text => "文本",
            Arg::TextOrList => "文本或列表",
            Arg::List => "列表",
            Arg::Pattern => "正则表达式（写在这里的 `/…/`，或规则集顶层存着它的 `令`）",
            Arg::Section => "章节",
            Arg::Table => "表格",
            Arg::Cell => "一个单元格",
        }
    }
}

/// The type of a call's result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Returns {
    Number,
    Bool,
    Date,
    /// A list of numbers.
    Numbers,
    /// The type of the items of the first argument, a list.
    ItemOfList,
    /// A match whose fields are the named groups of the pattern argument.
    Match,
}

impl Returns {
    /// How the reference says what the result is.
    #[must_use]
    pub fn chinese(self) -> &'static str {
        match self {
            Returns::Number => "数",
            Returns::Bool => "真假值",
            Returns::Date => "日期",
            Returns::Numbers => "数的列表",
            Returns::ItemOfList => "列表的项",
            Returns::Match => "匹配结果",
        }
    }
}

/// Every built-in function, in the order of the reference.
pub static FUNCTIONS: &[Function] = &[
    Function {
        name: "和",
        params: &[param("x", Arg::Numbers)],
        repeats: true,
        returns: Returns::Number,
        evaluate: eval::sum,
        doc: "所有数之和",
        example: "和(r[自然人..其他])",
    },
    Function {
        name: "计数",
        params: &[param("列表", Arg::List)],
        repeats: false,
        returns: Returns::Number,
        evaluate: eval::count,
        doc: "列表中有几项",
        example: "计数(申请[三.不予公开, 总计])",
    },
    Function {
        name: "最小",
        params: &[param("x", Arg::Numbers)],
        repeats: true,
        returns: Returns::Number,
        evaluate: eval::min,
        doc: "最小的数",
        example: "最小(一[总计], 二[总计])",
    },
    Function {
        name: "最大",
        params: &[param("x", Arg::Numbers)],
        repeats: true,
        returns: Returns::Number,
        evaluate: eval::max,
        doc: "最大的数",
        example: "最大(数据[复议.维持..复议.未结])",
    },
    Function {
        name: "绝对值",
        params: &[param("数", Arg::Number)],
        repeats: false,
        returns: Returns::Number,
        evaluate: eval::abs,
        doc: "绝对值",
        example: "绝对值(甲 - 乙)",
    },
    Function {
        name: "四舍五入",
        params: &[param("数", Arg::Number), param("位数", Arg::Number)],
        repeats: false,
        returns: Returns::Number,
        evaluate: eval::round,
        doc: "四舍五入到小数点后若干位",
        example: "四舍五入(比例, 1)",
    },
    Function {
        name: "捕获",
        params: &[param("文本", Arg::Text), param("/正则/", Arg::Pattern)],
        repeats: false,
        returns: Returns::Match,
        evaluate: eval::capture,
        doc: "在文本中找正则表达式，结果的成员是各命名分组",
        example: r"捕获(全文, /收到.{0,20}?申请\s*(?P<数>\d+)\s*件/)",
    },
    Function {
        name: "数值",
        params: &[param("文本", Arg::Text)],
        repeats: false,
        returns: Returns::Number,
        evaluate: eval::to_number,
        doc: "把文字读成数",
        example: "数值(m.数)",
    },
    Function {
        name: "各数之和",
        params: &[param("文本", Arg::Text)],
        repeats: false,
        returns: Returns::Number,
        evaluate: eval::sum_of_numbers,
        doc: "文字中写到的各个数之和",
        example: "各数之和(问题改进)",
    },
    Function {
        name: "年份",
        params: &[param("文本", Arg::Text)],
        repeats: false,
        returns: Returns::Numbers,
        evaluate: eval::years,
        doc: "文字中写到的年份，按出现的先后",
        example: "年份(报告.标题)",
    },
    Function {
        name: "首个",
        params: &[param("列表", Arg::List)],
        repeats: false,
        returns: Returns::ItemOfList,
        evaluate: eval::first,
        doc: "列表的第一项",
        example: "首个(年份(报告.标题))",
    },
    Function {
        name: "长度",
        params: &[param("x", Arg::TextOrList)],
        repeats: false,
        returns: Returns::Number,
        evaluate: eval::length,
        doc: "文本的字数，或列表的项数",
        example: "长度(全文)",
    },
    Function {
        name: "日期",
        params: &[
            param("年", Arg::Number),
            param("月", Arg::Number),
            param("日", Arg::Number),
        ],
        repeats: false,
        returns: Returns::Date,
        evaluate: eval::make_date,
        doc: "由年月日组成日期",
        example: "日期(报告.年度 + 1, 3, 31)",
    },
    Function {
        name: "存在",
        params: &[param("x", Arg::Any)],
        repeats: false,
        returns: Returns::Bool,
        evaluate: eval::exists,
        doc: "章节、表格在报告中找到了；其他值有值",
        example: "存在(旧版概述)",
    },
    Function {
        name: "为空",
        params: &[param("表格", Arg::Table)],
        repeats: false,
        returns: Returns::Bool,
        evaluate: eval::is_empty,
        doc: "表格的单元格全都空白",
        example: "为空(申请)",
    },
    Function {
        name: "有效",
        params: &[param("单元格", Arg::Cell)],
        repeats: false,
        returns: Returns::Bool,
        evaluate: eval::is_valid,
        doc: "单元格的内容符合它的类型（§8.4）",
        example: "有效(一[总计])",
    },
    Function {
        name: "是空白",
        params: &[param("单元格", Arg::Cell)],
        repeats: false,
        returns: Returns::Bool,
        evaluate: eval::is_blank,
        doc: "单元格是空白的（或写了不被接受的「/」「—」）",
        example: "非 是空白(x)",
    },
    Function {
        name: "顺序正确",
        params: &[param("章节", Arg::Section)],
        repeats: false,
        returns: Returns::Bool,
        evaluate: eval::in_order,
        doc: "这一部分在报告中的位置符合 `章节顺序`",
        example: "顺序正确(s)",
    },
];

/// The built-in function of this name.
#[must_use]
pub fn function(name: &str) -> Option<&'static Function> {
    FUNCTIONS.iter().find(|f| f.name == name)
}

impl Function {
    /// The call with its parameters' names: `日期(年, 月, 日)`, `和(x, …)`.
    #[must_use]
    pub fn usage(&self) -> String {
        let mut names: Vec<&str> = self.params.iter().map(|p| p.name).collect();
        if self.repeats {
            names.push("…");
        }
        format!("{}({})", self.name, names.join(", "))
    }

    /// How many arguments a call needs, as the arity error says it: "1 个参数", "至少 1 个参数",
    /// "3 个参数（年、月、日）".
    #[must_use]
    pub fn arity(&self) -> String {
        let n = self.params.len();
        if self.repeats {
            return format!("至少 {n} 个参数");
        }
        // With three or more parameters the count alone does not say which one is which.
        if n >= 3 {
            let names: Vec<&str> = self.params.iter().map(|p| p.name).collect();
            return format!("{n} 个参数（{}）", names.join("、"));
        }
        format!("{n} 个参数")
    }

    /// Whether `count` arguments are what a call needs.
    #[must_use]
    pub fn takes(&self, count: usize) -> bool {
        if self.repeats {
            count >= self.params.len()
        } else {
            count == self.params.len()
        }
    }

    /// What the parameter at `index` accepts; repeated arguments accept what the last one does.
    #[must_use]
    pub fn accepts(&self, index: usize) -> Arg {
        self.params[index.min(self.params.len() - 1)].accepts
    }

    /// The reference's words for the parameters: "数、数", "一个或多个：数或数的列表".
    fn params_text(&self) -> String {
        let kinds: Vec<&str> = self.params.iter().map(|p| p.accepts.chinese()).collect();
        match (self.repeats, kinds.as_slice()) {
            (true, [one]) => format!("一个或多个：{one}"),
            (true, _) => format!("{}（最后一个可以重复）", kinds.join("、")),
            (false, _) => kinds.join("、"),
        }
    }
}

/// The table of built-in functions in `docs/rule-language.md` §内置函数, written from
/// [`FUNCTIONS`].
#[must_use]
pub fn reference_table() -> String {
    let mut out = String::from("| 函数 | 参数 | 结果 | 含义 | 例子 |\n|---|---|---|---|---|\n");
    for f in FUNCTIONS {
        let _ = writeln!(
            out,
            "| `{}` | {} | {} | {} | `{}` |",
            f.usage(),
            f.params_text(),
            f.returns.chinese(),
            f.doc,
            f.example
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_every_function_takes_a_parameter() {
        for (i, f) in FUNCTIONS.iter().enumerate() {
            assert!(!f.params.is_empty(), "{} has no parameter", f.name);
            assert!(
                FUNCTIONS[..i].iter().all(|g| g.name != f.name),
                "{} is in the table twice",
                f.name
            );
            assert!(
                f.example.contains(&format!("{}(", f.name)),
                "the example of {} does not call it",
                f.name
            );
        }
    }

    #[test]
    fn arity_is_said_as_the_compiler_always_said_it() {
        let arity = |name| function(name).map(Function::arity);
        assert_eq!(arity("和").as_deref(), Some("至少 1 个参数"));
        assert_eq!(arity("四舍五入").as_deref(), Some("2 个参数"));
        assert_eq!(arity("日期").as_deref(), Some("3 个参数（年、月、日）"));
        let sum = function("和").expect("和 is built in");
        assert!(!sum.takes(0) && sum.takes(1) && sum.takes(5));
        assert_eq!(sum.accepts(4), Arg::Numbers);
    }
}
