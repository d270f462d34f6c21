//! The scanner: source → tokens with positions, fed to the tree builder as it goes.

use std::borrow::Cow;
use std::collections::HashMap;

use html5ever::tendril::StrTendril;
use html5ever::tokenizer::states::RawKind;
use html5ever::tokenizer::{Doctype, Tag, TagKind, Token, TokenSink, TokenSinkResult};
use html5ever::tree_builder::{TreeBuilder, TreeBuilderOpts, TreeSink};
use html5ever::{Attribute, LocalName, QualName, local_name, ns};

use super::tree::{CharToken, Id, NONE, Node, PendingTag, Seg, Sink, Text};
use super::{MAX_COLSPAN, MAX_DEPTH, MAX_ROWSPAN};

pub(super) fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0c)
}

/// A tag as scanned.
pub(super) struct ScannedTag<'s> {
    pub(super) name: Cow<'s, str>,
    pub(super) self_closing: bool,
    pub(super) colspan: usize,
    pub(super) rowspan: usize,
    /// The `type` attribute, which the tree builder needs (`<input type=hidden>`).
    pub(super) kind_attr: Option<&'s str>,
    /// Just after the closing `>`.
    pub(super) end: usize,
}

pub(super) struct Parser<'s> {
    pub(super) src: &'s str,
    pub(super) bytes: &'s [u8],
    pub(super) builder: TreeBuilder<Id, Sink<'s>>,
    /// End tags to drop: they close elements that [`MAX_DEPTH`] closed early.
    pub(super) dropped_ends: HashMap<LocalName, usize>,
}

pub(super) fn parse(src: &str) -> Vec<Node> {
    let mut parser = Parser {
        src,
        bytes: src.as_bytes(),
        builder: TreeBuilder::new(Sink::new(src), TreeBuilderOpts::default()),
        dropped_ends: HashMap::new(),
    };
    parser.run();
    let Parser { builder, .. } = parser;
    builder.sink.finish()
}

impl<'s> Parser<'s> {
    pub(super) fn run(&mut self) {
        let len = self.bytes.len();
        let mut pos = 0;
        let mut text_start = 0;
        while pos < len {
            let Some(lt) = self.bytes[pos..].iter().position(|&b| b == b'<') else {
                break;
            };
            let at = pos + lt;
            let next = self.bytes.get(at + 1).copied().unwrap_or(0);
            let after_slash = self.bytes.get(at + 2).copied().unwrap_or(0);
            let markup = next.is_ascii_alphabetic()
                || next == b'!'
                || next == b'?'
                || (next == b'/' && at + 2 < len);
            if !markup {
                pos = at + 1;
                continue;
            }
            self.text(text_start, at, true);
            pos = match next {
                b'!' => self.bang(at),
                b'?' => self.bogus_comment(at + 2),
                b'/' if after_slash == b'>' => at + 3,
                b'/' if !after_slash.is_ascii_alphabetic() => self.bogus_comment(at + 2),
                b'/' => match self.scan_tag(at + 2) {
                    Some(tag) => {
                        self.end_tag(&tag);
                        tag.end
                    }
                    // A tag cut off by the end of the page is dropped, as browsers do.
                    None => len,
                },
                _ => match self.scan_tag(at + 1) {
                    Some(tag) => self.start_tag(&tag),
                    None => len,
                },
            };
            text_start = pos;
        }
        self.text(text_start, len, true);
        let _ = self.builder.process_token(Token::EOFToken, 1);
        self.builder.end();
    }

    /// Feeds the text `start..end`, references decoded.
    pub(super) fn text(&mut self, start: usize, end: usize, refs: bool) {
        if start >= end {
            return;
        }
        let raw = &self.src[start..end];
        let plain = !raw.bytes().any(|b| b == 0 || (refs && b == b'&'));
        let decoded = (!plain).then(|| decode_text(self.src, start, end, refs));
        let text = decoded.as_ref().map_or(raw, |d| d.text.as_str());
        if text.is_empty() {
            return;
        }
        let tendril = StrTendril::from_slice(text);
        *self.builder.sink.chars.borrow_mut() = CharToken {
            start,
            end,
            decoded,
            taken: 0,
        };
        let _ = self
            .builder
            .process_token(Token::CharacterTokens(tendril), 1);
    }

    /// `<!--…-->`, `<!DOCTYPE …>` or another `<!…>`; returns where scanning goes on.
    pub(super) fn bang(&mut self, at: usize) -> usize {
        let rest = &self.bytes[at + 2..];
        if rest.starts_with(b"--") {
            let body = at + 4;
            let end = if self.bytes[body..].starts_with(b">") {
                body + 1
            } else if self.bytes[body..].starts_with(b"->") {
                body + 2
            } else {
                find(&self.bytes[body..], b"-->")
                    .map(|i| body + i + 3)
                    .or_else(|| find(&self.bytes[body..], b"--!>").map(|i| body + i + 4))
                    .unwrap_or(self.bytes.len())
            };
            self.comment();
            return end;
        }
        if rest.len() >= 7 && rest[..7].eq_ignore_ascii_case(b"doctype") {
            let end = self.bytes[at..]
                .iter()
                .position(|&b| b == b'>')
                .map_or(self.bytes.len(), |i| at + i + 1);
            let token = doctype(&self.src[at + 9..end]);
            let _ = self.builder.process_token(Token::DoctypeToken(token), 1);
            return end;
        }
        self.bogus_comment(at + 2)
    }

    pub(super) fn bogus_comment(&mut self, from: usize) -> usize {
        self.comment();
        self.bytes[from..]
            .iter()
            .position(|&b| b == b'>')
            .map_or(self.bytes.len(), |i| from + i + 1)
    }

    pub(super) fn comment(&mut self) {
        let _ = self
            .builder
            .process_token(Token::CommentToken(StrTendril::new()), 1);
    }

    /// Reads a tag's name and attributes from `from` (just after `<` or `</`); `None` if the
    /// page ends inside the tag.
    pub(super) fn scan_tag(&self, from: usize) -> Option<ScannedTag<'s>> {
        let bytes = self.bytes;
        let len = bytes.len();
        let mut i = from;
        while i < len && !is_space(bytes[i]) && bytes[i] != b'/' && bytes[i] != b'>' {
            i += 1;
        }
        let raw = &self.src[from..i];
        let name = if raw.bytes().any(|b| b.is_ascii_uppercase()) {
            Cow::Owned(raw.to_ascii_lowercase())
        } else {
            Cow::Borrowed(raw)
        };
        let mut tag = ScannedTag {
            name,
            self_closing: false,
            colspan: 1,
            rowspan: 1,
            kind_attr: None,
            end: len,
        };
        loop {
            while i < len && is_space(bytes[i]) {
                i += 1;
            }
            match bytes.get(i)? {
                b'>' => {
                    tag.end = i + 1;
                    return Some(tag);
                }
                b'/' => {
                    if bytes.get(i + 1) == Some(&b'>') {
                        tag.self_closing = true;
                        tag.end = i + 2;
                        return Some(tag);
                    }
                    i += 1;
                    continue;
                }
                _ => {}
            }
            let name_start = i;
            i += 1;
            while i < len && !is_space(bytes[i]) && !matches!(bytes[i], b'/' | b'>' | b'=') {
                i += 1;
            }
            let attr = &self.src[name_start..i];
            while i < len && is_space(bytes[i]) {
                i += 1;
            }
            let mut value = "";
            if bytes.get(i) == Some(&b'=') {
                i += 1;
                while i < len && is_space(bytes[i]) {
                    i += 1;
                }
                let quote = *bytes.get(i)?;
                if quote == b'"' || quote == b'\'' {
                    let close = bytes[i + 1..].iter().position(|&b| b == quote)?;
                    value = &self.src[i + 1..i + 1 + close];
                    i += close + 2;
                } else {
                    let start = i;
                    while i < len && !is_space(bytes[i]) && bytes[i] != b'>' {
                        i += 1;
                    }
                    value = &self.src[start..i];
                }
            }
            if attr.eq_ignore_ascii_case("colspan") {
                tag.colspan = span_attr(value).clamp(1, MAX_COLSPAN);
            } else if attr.eq_ignore_ascii_case("rowspan") {
                // 0 means "to the end of the group".
                tag.rowspan = span_attr(value).min(MAX_ROWSPAN);
            } else if attr.eq_ignore_ascii_case("type") {
                tag.kind_attr = Some(value);
            }
        }
    }

    /// Feeds a start tag; returns where scanning goes on (after the element's raw text, for
    /// `<script>`, `<style>`, `<title>`, …).
    pub(super) fn start_tag(&mut self, tag: &ScannedTag<'s>) -> usize {
        let name = LocalName::from(&*tag.name);
        *self.builder.sink.tag.borrow_mut() = Some(PendingTag {
            name: name.clone(),
            content: tag.end,
            colspan: tag.colspan,
            rowspan: tag.rowspan,
        });
        self.builder.sink.created.set(NONE);
        let attrs = tag
            .kind_attr
            .map(|v| Attribute {
                name: QualName::new(None, ns!(), local_name!("type")),
                value: StrTendril::from_slice(v),
            })
            .into_iter()
            .collect();
        let result = self.builder.process_token(
            Token::TagToken(Tag {
                kind: TagKind::StartTag,
                name: name.clone(),
                self_closing: tag.self_closing,
                attrs,
                had_duplicate_attributes: false,
            }),
            1,
        );
        *self.builder.sink.tag.borrow_mut() = None;
        let created = self.builder.sink.created.replace(NONE);
        match result {
            TokenSinkResult::RawData(kind) => return self.raw_text(tag.end, &tag.name, kind),
            TokenSinkResult::Plaintext => {
                self.text(tag.end, self.bytes.len(), false);
                return self.bytes.len();
            }
            _ => {}
        }
        if created != NONE && !is_void(&name) {
            let depth = self.builder.sink.nodes.borrow()[created].depth;
            if depth > MAX_DEPTH {
                self.feed_end(name.clone());
                *self.dropped_ends.entry(name).or_insert(0) += 1;
            }
        }
        tag.end
    }

    pub(super) fn end_tag(&mut self, tag: &ScannedTag<'s>) {
        let name = LocalName::from(&*tag.name);
        if let Some(count) = self.dropped_ends.get_mut(&name) {
            if *count > 0 {
                *count -= 1;
                return;
            }
        }
        self.feed_end(name);
    }

    pub(super) fn feed_end(&mut self, name: LocalName) {
        let _ = self.builder.process_token(
            Token::TagToken(Tag {
                kind: TagKind::EndTag,
                name,
                self_closing: false,
                attrs: Vec::new(),
                had_duplicate_attributes: false,
            }),
            1,
        );
    }

    /// The text of a raw-text element, up to its end tag, which is left to be scanned.
    pub(super) fn raw_text(&mut self, from: usize, name: &str, kind: RawKind) -> usize {
        let bytes = self.bytes;
        let mut i = from;
        let end = loop {
            let Some(at) = find(&bytes[i..], b"</").map(|k| i + k) else {
                break bytes.len();
            };
            let name_end = at + 2 + name.len();
            if bytes
                .get(at + 2..name_end)
                .is_some_and(|n| n.eq_ignore_ascii_case(name.as_bytes()))
                && bytes
                    .get(name_end)
                    .is_none_or(|&b| is_space(b) || b == b'/' || b == b'>')
            {
                break at;
            }
            i = at + 2;
        };
        self.text(from, end, kind == RawKind::Rcdata);
        end
    }
}

/// Elements that have no end tag (an end tag `</br>` even reads as `<br>`).
pub(super) fn is_void(name: &LocalName) -> bool {
    matches!(
        *name,
        local_name!("area")
            | local_name!("base")
            | local_name!("br")
            | local_name!("col")
            | local_name!("embed")
            | local_name!("hr")
            | local_name!("img")
            | local_name!("image")
            | local_name!("input")
            | local_name!("keygen")
            | local_name!("link")
            | local_name!("meta")
            | local_name!("param")
            | local_name!("source")
            | local_name!("track")
            | local_name!("wbr")
    )
}

pub(super) fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// A `colspan` or `rowspan` value: leading digits, as browsers read it.
pub(super) fn span_attr(value: &str) -> usize {
    let digits = value.trim_start();
    let digits = &digits[..digits
        .bytes()
        .position(|b| !b.is_ascii_digit())
        .unwrap_or(digits.len())];
    if digits.is_empty() {
        1
    } else {
        digits.parse().unwrap_or(usize::MAX)
    }
}

/// A doctype's name and identifiers, which decide quirks mode.
pub(super) fn doctype(body: &str) -> Doctype {
    let body = body.trim_end_matches('>').trim();
    let name = body.split_ascii_whitespace().next().unwrap_or("");
    let mut quoted = body.split(['"', '\'']).skip(1).step_by(2);
    let lower = body.to_ascii_lowercase();
    let (public_id, system_id) = if lower.contains("public") {
        (quoted.next(), quoted.next())
    } else if lower.contains("system") {
        (None, quoted.next())
    } else {
        (None, None)
    };
    Doctype {
        name: Some(StrTendril::from_slice(&name.to_ascii_lowercase())),
        public_id: public_id.map(StrTendril::from_slice),
        system_id: system_id.map(StrTendril::from_slice),
        force_quirks: name.is_empty(),
    }
}

/// Decodes `start..end` of the source: character references (when `refs`) become their
/// characters, NUL characters are dropped.
pub(super) fn decode_text(src: &str, start: usize, end: usize, refs: bool) -> Text {
    let bytes = src.as_bytes();
    let mut out = Text::default();
    let mut run = start;
    let mut i = start;
    while i < end {
        let b = bytes[i];
        if b == 0 || (refs && b == b'&') {
            let reference = if b == b'&' {
                char_ref(&bytes[i + 1..end])
            } else {
                Some((['\u{0}', '\u{0}'], 0, 0))
            };
            let Some((chars, count, len)) = reference else {
                i += 1;
                continue;
            };
            push_literal(&mut out, src, run, i);
            let at = out.text.len();
            for &c in &chars[..count] {
                out.text.push(c);
            }
            if count > 0 {
                out.segs.push(Seg {
                    at,
                    len: out.text.len() - at,
                    src: i,
                    src_len: len + 1,
                    literal: false,
                });
            }
            i += len + 1;
            run = i;
        } else {
            i += 1;
        }
    }
    push_literal(&mut out, src, run, end);
    out
}

pub(super) fn push_literal(out: &mut Text, src: &str, from: usize, to: usize) {
    if from >= to {
        return;
    }
    let at = out.text.len();
    out.text.push_str(&src[from..to]);
    out.segs.push(Seg {
        at,
        len: to - from,
        src: from,
        src_len: to - from,
        literal: true,
    });
}

/// A character reference after its `&`: its characters, how many, and its length.
pub(super) fn char_ref(rest: &[u8]) -> Option<([char; 2], usize, usize)> {
    if rest.first() == Some(&b'#') {
        let (hex, digits_from) = match rest.get(1) {
            Some(b'x' | b'X') => (true, 2),
            _ => (false, 1),
        };
        let digits = rest[digits_from..]
            .iter()
            .take_while(|b| {
                if hex {
                    b.is_ascii_hexdigit()
                } else {
                    b.is_ascii_digit()
                }
            })
            .count();
        if digits == 0 {
            return None;
        }
        let text = std::str::from_utf8(&rest[digits_from..digits_from + digits]).ok()?;
        let value = u32::from_str_radix(text, if hex { 16 } else { 10 }).unwrap_or(u32::MAX);
        let mut len = digits_from + digits;
        if rest.get(len) == Some(&b';') {
            len += 1;
        }
        return Some(([numeric_char(value), '\0'], 1, len));
    }
    let limit = rest.len().min(40);
    let mut best = None;
    for i in 1..=limit {
        let c = rest[i - 1];
        if !(c.is_ascii_alphanumeric() || c == b';') {
            break;
        }
        let key = std::str::from_utf8(&rest[..i]).ok()?;
        match html5ever::data::NAMED_ENTITIES.get(key) {
            Some(&(0, _)) => {}
            Some(&(c1, c2)) => {
                let first = char::from_u32(c1).unwrap_or('\u{fffd}');
                best = Some(match char::from_u32(c2) {
                    Some(second) if c2 != 0 => ([first, second], 2, i),
                    _ => ([first, '\0'], 1, i),
                });
            }
            None => break,
        }
        if c == b';' {
            break;
        }
    }
    best
}

/// The character a numeric reference stands for, with the HTML standard's replacements.
pub(super) fn numeric_char(value: u32) -> char {
    match value {
        0x80..=0x9f => {
            html5ever::data::C1_REPLACEMENTS[(value - 0x80) as usize].unwrap_or('\u{fffd}')
        }
        0x09 | 0x0a | 0x0c | 0x0d | 0x20.. => char::from_u32(value)
            .filter(|c| !c.is_control() || c.is_ascii_whitespace())
            .unwrap_or('\u{fffd}'),
        _ => '\u{fffd}',
    }
}
