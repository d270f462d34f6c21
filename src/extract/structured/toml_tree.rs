//! TOML, through the `toml` crate's span-keeping document tree. Chinese keys may be written
//! without quotes (`[表格.申请.一]`, `自然人 = 0`): TOML itself allows only ASCII bare keys,
//! so the one error TOML reports for such a key is forgiven, and the key is read as written.

use toml::de::{DeTable, DeValue};

use super::{Entry, Item, SyntaxError, Value, exact_decimal};
use crate::ruleset::Date;
use crate::source::Span;

pub(super) fn parse(text: &str) -> Result<Item, SyntaxError> {
    let table = crate::lenient_toml::parse(text)
        .map_err(|(message, span)| SyntaxError { message, span })?;
    let span = table.span();
    Ok(Item {
        value: Value::Table(entries(text, table.get_ref())),
        span: Span::new(span.start, span.end),
    })
}

fn entries(text: &str, table: &DeTable<'_>) -> Vec<Entry> {
    let mut entries: Vec<Entry> = table
        .iter()
        .map(|(key, value)| {
            let span = key.span();
            Entry {
                key: key.get_ref().to_string(),
                key_span: Span::new(span.start, span.end),
                value: item(text, value),
            }
        })
        .collect();
    entries.sort_by_key(|e| e.key_span.start);
    entries
}

fn item(text: &str, value: &toml::Spanned<DeValue<'_>>) -> Item {
    let range = value.span();
    let span = Span::new(range.start, range.end);
    let literal = text.get(range).unwrap_or("").to_owned();
    let value = match value.get_ref() {
        DeValue::String(s) => Value::String(s.to_string()),
        DeValue::Integer(i) => {
            let exact = if i.radix() == 10 {
                exact_decimal(i.as_str())
            } else {
                i128::from_str_radix(i.as_str(), i.radix())
                    .ok()
                    .and_then(|n| rust_decimal::Decimal::try_from_i128_with_scale(n, 0).ok())
            };
            Value::Number { literal, exact }
        }
        DeValue::Float(f) => Value::Number {
            exact: exact_decimal(f.as_str()),
            literal,
        },
        DeValue::Boolean(_) => Value::Bool,
        DeValue::Datetime(d) => Value::Datetime {
            date: match (d.date, d.time, d.offset) {
                (Some(date), None, None) => Date::new(
                    i32::from(date.year),
                    u32::from(date.month),
                    u32::from(date.day),
                ),
                _ => None,
            },
        },
        DeValue::Array(_) => Value::Array,
        DeValue::Table(table) => Value::Table(entries(text, table)),
    };
    Item { value, span }
}
