//! HTML → the same lines of cells as plain text, so that one matcher reads both.
//!
//! A page is parsed in two halves. A light scanner here finds the tags, comments and text of
//! the source and remembers where each lies; it feeds them, as tokens, to html5ever's tree
//! builder, the WHATWG tree-construction algorithm (implied `tbody`, unclosed `td` and `tr`,
//! misnested tags, foster parenting). The tree comes back through a sink of ours, which gives
//! every element the position of the start tag being fed when it was created (elements the
//! parser implies get none) and every text the source position of each of its characters, so
//! spans survive tree building exactly.
//!
//! The tree is then projected into lines:
//! - the page's title first (the first `<h1>` if the `<title>` contains it, since pages add
//!   the site's name to `<title>`; else the `<title>`; else the first `<h1>`), unless the
//!   body starts with the same line;
//! - each prose block (`p`, `div`, `h1`–`h6`, `li`, …, and each run between `<br>`s) is one
//!   line with one cell; empty blocks give no line; `<pre>` is laid out line by line with
//!   cells split as in plain text;
//! - each `<tr>` of a data table is one line with `table_row`, whose cells are the row of the
//!   table's grid: `rowspan` and `colspan` are expanded. A label cell (one that does not read
//!   as a value) is repeated, same text and span, in every row and column it covers, so that a
//!   row's last label is always its most specific one; a value cell counts once: its text is
//!   in the first row and column it covers, and the others get an empty cell (empty span at
//!   its content), so that merging never adds a value. A row whose every cell comes from one
//!   source cell (a caption row, a section title in the table) is one cell;
//! - inside a cell, `<br>` and block boundaries join (a line break next to a CJK character
//!   disappears, elsewhere it is a space), so `商业<br>企业` reads `商业企业`; the same goes
//!   for line breaks in the source, so Chinese prose wrapped in the source gets no spaces;
//! - a table used for layout (one cell per row, a nested table, or a cell holding long
//!   paragraphs) is read as blocks, not as a grid;
//! - whitespace collapses, `&nbsp;` and other references are decoded (a cell of `&nbsp;`
//!   alone is empty), `<script>`, `<style>`, `<head>`, comments and other non-text are
//!   ignored.
//!
//! A cell's span covers its trimmed text in the source (from its first character to its
//! last, tags and references inside included); an empty cell's span is empty, at the start of
//! the cell's content. Nesting is bounded: an element deeper than [`MAX_DEPTH`] is closed at
//! once, so its content joins its parent, which keeps the parser linear on hostile input.

use std::borrow::Cow;
use std::cell::{Cell, Ref, RefCell};
use std::collections::HashMap;
use std::rc::Rc;

use html5ever::tendril::StrTendril;
use html5ever::tokenizer::states::RawKind;
use html5ever::tokenizer::{Doctype, Tag, TagKind, Token, TokenSink, TokenSinkResult};
use html5ever::tree_builder::{
    ElementFlags, NodeOrText, QuirksMode, TreeBuilder, TreeBuilderOpts, TreeSink,
};
use html5ever::{Attribute, LocalName, QualName, local_name, ns};

use super::layout::{Line, LineCell, lay_out_text, split_cells};
use super::normalize::looks_like_value;
use crate::source::{SourceFile, Span, floor_char_boundary};

/// Elements nested deeper than this are closed as soon as they open. Real pages stay under
/// 50; the tree builder's scope checks cost up to this much per tag.
const MAX_DEPTH: u32 = 256;

/// Bounds on `colspan` and `rowspan`, tighter than the HTML standard's (1000 and 65534): no
/// report's table comes near them. Copies of merged cells are also bounded in all, by
/// [`Projector::allow`].
const MAX_COLSPAN: usize = 100;
const MAX_ROWSPAN: usize = 1000;
/// A cell with more text than this (in bytes) and paragraphs inside is page layout.
const LONG_CELL: usize = 600;

/// Projects an HTML page into text and lines with source spans.
pub fn lay_out_html(source: &SourceFile) -> (String, Vec<Line>) {
    let src = source.text();
    // The tree builder is fuzzed upstream and our part is written not to panic; should either
    // fail all the same, the page is still read, as text.
    let projected = std::panic::catch_unwind(|| {
        let dom = parse(src);
        Projector::new(src, &dom).run()
    });
    match projected {
        Ok(result) => result,
        Err(_) => (src.to_owned(), lay_out_text(source)),
    }
}

// ---------------------------------------------------------------------------------------
// The tree: an arena of nodes, built by the tree builder through `Sink`.

type Id = usize;
const NONE: Id = usize::MAX;
const DOCUMENT: Id = 0;

#[derive(Debug)]
struct Node {
    parent: Id,
    first: Id,
    last: Id,
    prev: Id,
    next: Id,
    depth: u32,
    data: Data,
}

#[derive(Debug)]
enum Data {
    Document,
    Element(Elem),
    Text(Text),
    Other,
}

#[derive(Debug)]
struct Elem {
    kind: Kind,
    /// Where the element's content starts in the source (just after its start tag); `None`
    /// for an element the parser implied.
    content: Option<usize>,
    colspan: usize,
    rowspan: usize,
    /// A `<template>`'s contents.
    template: Id,
}

/// Text and where each part of it comes from.
#[derive(Debug, Default)]
struct Text {
    text: String,
    segs: Vec<Seg>,
}

/// A piece of decoded text and the source it was decoded from: either literal (byte for
/// byte the source) or one character reference (its characters all map to the whole
/// reference).
#[derive(Debug, Clone, Copy)]
struct Seg {
    at: usize,
    len: usize,
    src: usize,
    src_len: usize,
    literal: bool,
}

/// What an element means for the projection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Inline,
    Block,
    H1,
    Br,
    Pre,
    Table,
    /// `thead`, `tbody`, `tfoot`.
    Group,
    Tr,
    Cell,
    Caption,
    Title,
    /// Not shown, but holds the `<title>`.
    Head,
    /// Not shown as text: `script`, `style`, `svg`, ….
    Skip,
}

fn kind_of(name: &QualName) -> Kind {
    if name.ns != ns!(html) {
        return Kind::Skip;
    }
    match name.local {
        local_name!("br") => Kind::Br,
        local_name!("h1") => Kind::H1,
        local_name!("pre")
        | local_name!("listing")
        | local_name!("xmp")
        | local_name!("plaintext") => Kind::Pre,
        local_name!("table") => Kind::Table,
        local_name!("thead") | local_name!("tbody") | local_name!("tfoot") => Kind::Group,
        local_name!("tr") => Kind::Tr,
        local_name!("td") | local_name!("th") => Kind::Cell,
        local_name!("caption") => Kind::Caption,
        local_name!("title") => Kind::Title,
        local_name!("head") => Kind::Head,
        local_name!("script")
        | local_name!("style")
        | local_name!("noscript")
        | local_name!("template")
        | local_name!("textarea")
        | local_name!("select")
        | local_name!("datalist")
        | local_name!("iframe")
        | local_name!("object")
        | local_name!("embed")
        | local_name!("noembed")
        | local_name!("noframes")
        | local_name!("audio")
        | local_name!("video")
        | local_name!("canvas")
        | local_name!("colgroup")
        | local_name!("col")
        | local_name!("input")
        | local_name!("img")
        | local_name!("meta")
        | local_name!("link")
        | local_name!("base") => Kind::Skip,
        local_name!("address")
        | local_name!("article")
        | local_name!("aside")
        | local_name!("blockquote")
        | local_name!("body")
        | local_name!("center")
        | local_name!("dd")
        | local_name!("details")
        | local_name!("dialog")
        | local_name!("dir")
        | local_name!("div")
        | local_name!("dl")
        | local_name!("dt")
        | local_name!("fieldset")
        | local_name!("figcaption")
        | local_name!("figure")
        | local_name!("footer")
        | local_name!("form")
        | local_name!("frameset")
        | local_name!("h2")
        | local_name!("h3")
        | local_name!("h4")
        | local_name!("h5")
        | local_name!("h6")
        | local_name!("header")
        | local_name!("hgroup")
        | local_name!("hr")
        | local_name!("html")
        | local_name!("legend")
        | local_name!("li")
        | local_name!("main")
        | local_name!("menu")
        | local_name!("nav")
        | local_name!("ol")
        | local_name!("p")
        | local_name!("section")
        | local_name!("summary")
        | local_name!("ul") => Kind::Block,
        _ => Kind::Inline,
    }
}

/// The start tag being fed to the tree builder.
struct PendingTag {
    name: LocalName,
    content: usize,
    colspan: usize,
    rowspan: usize,
}

/// The character token being fed (or last fed: the tree builder holds text inside tables
/// until the next tag), and how much of it the tree has taken.
#[derive(Default)]
struct CharToken {
    /// Where the token lies in the source.
    start: usize,
    end: usize,
    /// Its text, if references made it differ from the source.
    decoded: Option<Text>,
    taken: usize,
}

struct Sink<'s> {
    src: &'s str,
    nodes: RefCell<Vec<Node>>,
    names: RefCell<Vec<QualName>>,
    tag: RefCell<Option<PendingTag>>,
    /// The element created for the start tag being fed.
    created: Cell<Id>,
    chars: RefCell<CharToken>,
}

impl<'s> Sink<'s> {
    fn new(src: &'s str) -> Self {
        // About one node per 12 bytes of a typical page.
        let mut nodes = Vec::with_capacity(src.len() / 12 + 16);
        nodes.push(Node::new(Data::Document));
        let mut names = Vec::with_capacity(nodes.capacity());
        names.push(no_name());
        Self {
            src,
            nodes: RefCell::new(nodes),
            names: RefCell::new(names),
            tag: RefCell::new(None),
            created: Cell::new(NONE),
            chars: RefCell::new(CharToken::default()),
        }
    }

    fn push(&self, node: Node, name: QualName) -> Id {
        let mut nodes = self.nodes.borrow_mut();
        nodes.push(node);
        self.names.borrow_mut().push(name);
        nodes.len() - 1
    }

    /// Adds to `out` the source of a piece of text that the tree builder inserts, at text
    /// offset `base`: it is part of the current character token, normally right where the
    /// last piece ended.
    fn locate(&self, piece: &str, base: usize, out: &mut Vec<Seg>) {
        let mut chars = self.chars.borrow_mut();
        let token = &mut *chars;
        let text = match &token.decoded {
            Some(decoded) => decoded.text.as_str(),
            None => self.src.get(token.start..token.end).unwrap_or(""),
        };
        let done = token.taken.min(text.len());
        let from = if text[done..].starts_with(piece) {
            Some(done)
        } else {
            text.get(done..)
                .and_then(|t| t.find(piece))
                .map(|i| done + i)
                .or_else(|| text.find(piece))
        };
        match from {
            Some(from) if !piece.is_empty() => {
                token.taken = from + piece.len();
                match &token.decoded {
                    Some(decoded) => {
                        slice_segs(&decoded.segs, from, from + piece.len(), base, out);
                    }
                    None => out.push(Seg {
                        at: base,
                        len: piece.len(),
                        src: token.start + from,
                        src_len: piece.len(),
                        literal: true,
                    }),
                }
            }
            _ => out.push(Seg {
                at: base,
                len: piece.len(),
                src: token.start,
                src_len: 0,
                literal: false,
            }),
        }
    }

    fn insert_text(&self, parent: Id, before: Id, piece: &str) {
        let mut nodes = self.nodes.borrow_mut();
        // Whitespace between a table's rows and cells is not text of the page.
        if matches!(&nodes[parent].data, Data::Element(e) if matches!(e.kind, Kind::Table | Kind::Group | Kind::Tr))
            && piece.bytes().all(is_space)
        {
            return;
        }
        let neighbour = if before == NONE {
            nodes[parent].last
        } else {
            nodes[before].prev
        };
        if let Some(Node {
            data: Data::Text(text),
            ..
        }) = nodes.get_mut(neighbour)
        {
            let base = text.text.len();
            text.text.push_str(piece);
            self.locate(piece, base, &mut text.segs);
            return;
        }
        drop(nodes);
        let mut segs = Vec::with_capacity(1);
        self.locate(piece, 0, &mut segs);
        let id = self.push(
            Node::new(Data::Text(Text {
                text: piece.to_owned(),
                segs,
            })),
            no_name(),
        );
        let mut nodes = self.nodes.borrow_mut();
        if before == NONE {
            append_child(&mut nodes, parent, id);
        } else {
            insert_before(&mut nodes, before, id);
        }
    }

    fn insert(&self, parent: Id, before: Id, child: NodeOrText<Id>) {
        match child {
            NodeOrText::AppendNode(id) => {
                let mut nodes = self.nodes.borrow_mut();
                if before == NONE {
                    append_child(&mut nodes, parent, id);
                } else {
                    insert_before(&mut nodes, before, id);
                }
            }
            NodeOrText::AppendText(text) => self.insert_text(parent, before, &text),
        }
    }
}

fn no_name() -> QualName {
    QualName::new(None, ns!(), local_name!(""))
}

impl Node {
    fn new(data: Data) -> Self {
        Self {
            parent: NONE,
            first: NONE,
            last: NONE,
            prev: NONE,
            next: NONE,
            depth: 0,
            data,
        }
    }
}

fn detach(nodes: &mut [Node], id: Id) {
    let Node {
        parent, prev, next, ..
    } = nodes[id];
    if parent == NONE {
        return;
    }
    if prev == NONE {
        nodes[parent].first = next;
    } else {
        nodes[prev].next = next;
    }
    if next == NONE {
        nodes[parent].last = prev;
    } else {
        nodes[next].prev = prev;
    }
    let node = &mut nodes[id];
    node.parent = NONE;
    node.prev = NONE;
    node.next = NONE;
}

fn append_child(nodes: &mut [Node], parent: Id, id: Id) {
    detach(nodes, id);
    let last = nodes[parent].last;
    if last == NONE {
        nodes[parent].first = id;
    } else {
        nodes[last].next = id;
    }
    nodes[parent].last = id;
    let depth = nodes[parent].depth + 1;
    let node = &mut nodes[id];
    node.parent = parent;
    node.prev = last;
    node.depth = depth;
}

fn insert_before(nodes: &mut [Node], sibling: Id, id: Id) {
    detach(nodes, id);
    let parent = nodes[sibling].parent;
    if parent == NONE {
        return;
    }
    let prev = nodes[sibling].prev;
    if prev == NONE {
        nodes[parent].first = id;
    } else {
        nodes[prev].next = id;
    }
    nodes[sibling].prev = id;
    let depth = nodes[parent].depth + 1;
    let node = &mut nodes[id];
    node.parent = parent;
    node.prev = prev;
    node.next = sibling;
    node.depth = depth;
}

/// Adds to `out` the segments of `from..to` of a text, re-based to start at `base`.
fn slice_segs(segs: &[Seg], from: usize, to: usize, base: usize, out: &mut Vec<Seg>) {
    let first = segs.partition_point(|s| s.at + s.len <= from);
    for seg in &segs[first..] {
        if seg.at >= to {
            break;
        }
        let start = seg.at.max(from);
        let end = (seg.at + seg.len).min(to);
        let (src, src_len) = if seg.literal {
            (seg.src + (start - seg.at), end - start)
        } else {
            (seg.src, seg.src_len)
        };
        out.push(Seg {
            at: base + start - from,
            len: end - start,
            src,
            src_len,
            literal: seg.literal,
        });
    }
}

impl TreeSink for Sink<'_> {
    type Handle = Id;
    type Output = Vec<Node>;
    type ElemName<'a>
        = Ref<'a, QualName>
    where
        Self: 'a;

    fn finish(self) -> Vec<Node> {
        self.nodes.into_inner()
    }

    fn parse_error(&self, _msg: Cow<'static, str>) {}

    fn get_document(&self) -> Id {
        DOCUMENT
    }

    fn elem_name<'a>(&'a self, target: &'a Id) -> Ref<'a, QualName> {
        Ref::map(self.names.borrow(), |names| &names[*target])
    }

    fn create_element(&self, name: QualName, _attrs: Vec<Attribute>, flags: ElementFlags) -> Id {
        let template = if flags.template {
            self.push(Node::new(Data::Other), no_name())
        } else {
            NONE
        };
        let mut tag = self.tag.borrow_mut();
        let own = tag.as_ref().is_some_and(|t| t.name == name.local) && name.ns == ns!(html);
        let (content, colspan, rowspan) = match tag.take_if(|_| own) {
            Some(t) => (Some(t.content), t.colspan, t.rowspan),
            None => (None, 1, 1),
        };
        drop(tag);
        let kind = kind_of(&name);
        let id = self.push(
            Node::new(Data::Element(Elem {
                kind,
                content,
                colspan,
                rowspan,
                template,
            })),
            name,
        );
        if own {
            self.created.set(id);
        }
        id
    }

    fn create_comment(&self, _text: StrTendril) -> Id {
        self.push(Node::new(Data::Other), no_name())
    }

    fn create_pi(&self, _target: StrTendril, _data: StrTendril) -> Id {
        self.push(Node::new(Data::Other), no_name())
    }

    fn append(&self, parent: &Id, child: NodeOrText<Id>) {
        self.insert(*parent, NONE, child);
    }

    fn append_based_on_parent_node(&self, element: &Id, prev_element: &Id, child: NodeOrText<Id>) {
        let has_parent = self.nodes.borrow()[*element].parent != NONE;
        if has_parent {
            self.append_before_sibling(element, child);
        } else {
            self.append(prev_element, child);
        }
    }

    fn append_doctype_to_document(&self, _: StrTendril, _: StrTendril, _: StrTendril) {}

    fn get_template_contents(&self, target: &Id) -> Id {
        match &self.nodes.borrow()[*target].data {
            Data::Element(e) if e.template != NONE => e.template,
            _ => *target,
        }
    }

    fn same_node(&self, x: &Id, y: &Id) -> bool {
        x == y
    }

    fn set_quirks_mode(&self, _mode: QuirksMode) {}

    fn append_before_sibling(&self, sibling: &Id, new_node: NodeOrText<Id>) {
        let parent = self.nodes.borrow()[*sibling].parent;
        if parent != NONE {
            self.insert(parent, *sibling, new_node);
        }
    }

    fn add_attrs_if_missing(&self, _target: &Id, _attrs: Vec<Attribute>) {}

    fn remove_from_parent(&self, target: &Id) {
        detach(&mut self.nodes.borrow_mut(), *target);
    }

    fn reparent_children(&self, node: &Id, new_parent: &Id) {
        let mut nodes = self.nodes.borrow_mut();
        let mut child = nodes[*node].first;
        while child != NONE {
            let next = nodes[child].next;
            append_child(&mut nodes, *new_parent, child);
            child = next;
        }
    }
}

// ---------------------------------------------------------------------------------------
// The scanner: source → tokens with positions, fed to the tree builder as it goes.

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0c)
}

/// A tag as scanned.
struct ScannedTag<'s> {
    name: Cow<'s, str>,
    self_closing: bool,
    colspan: usize,
    rowspan: usize,
    /// The `type` attribute, which the tree builder needs (`<input type=hidden>`).
    kind_attr: Option<&'s str>,
    /// Just after the closing `>`.
    end: usize,
}

struct Parser<'s> {
    src: &'s str,
    bytes: &'s [u8],
    builder: TreeBuilder<Id, Sink<'s>>,
    /// End tags to drop: they close elements that [`MAX_DEPTH`] closed early.
    dropped_ends: HashMap<LocalName, usize>,
}

fn parse(src: &str) -> Vec<Node> {
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
    fn run(&mut self) {
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
    fn text(&mut self, start: usize, end: usize, refs: bool) {
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
    fn bang(&mut self, at: usize) -> usize {
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

    fn bogus_comment(&mut self, from: usize) -> usize {
        self.comment();
        self.bytes[from..]
            .iter()
            .position(|&b| b == b'>')
            .map_or(self.bytes.len(), |i| from + i + 1)
    }

    fn comment(&mut self) {
        let _ = self
            .builder
            .process_token(Token::CommentToken(StrTendril::new()), 1);
    }

    /// Reads a tag's name and attributes from `from` (just after `<` or `</`); `None` if the
    /// page ends inside the tag.
    fn scan_tag(&self, from: usize) -> Option<ScannedTag<'s>> {
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
    fn start_tag(&mut self, tag: &ScannedTag<'s>) -> usize {
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

    fn end_tag(&mut self, tag: &ScannedTag<'s>) {
        let name = LocalName::from(&*tag.name);
        if let Some(count) = self.dropped_ends.get_mut(&name) {
            if *count > 0 {
                *count -= 1;
                return;
            }
        }
        self.feed_end(name);
    }

    fn feed_end(&mut self, name: LocalName) {
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
    fn raw_text(&mut self, from: usize, name: &str, kind: RawKind) -> usize {
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
fn is_void(name: &LocalName) -> bool {
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

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// A `colspan` or `rowspan` value: leading digits, as browsers read it.
fn span_attr(value: &str) -> usize {
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
fn doctype(body: &str) -> Doctype {
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
fn decode_text(src: &str, start: usize, end: usize, refs: bool) -> Text {
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

fn push_literal(out: &mut Text, src: &str, from: usize, to: usize) {
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
fn char_ref(rest: &[u8]) -> Option<([char; 2], usize, usize)> {
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
fn numeric_char(value: u32) -> char {
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

// ---------------------------------------------------------------------------------------
// The projection: tree → lines of cells.

/// Whether a line break next to a character disappears, as in CJK text.
pub(super) fn is_wide(c: char) -> bool {
    matches!(c,
        '\u{2e80}'..='\u{9fff}'
        | '\u{f900}'..='\u{faff}'
        | '\u{fe30}'..='\u{fe4f}'
        | '\u{ff00}'..='\u{ffef}'
        | '\u{20000}'..='\u{3ffff}')
}

/// A text without its spaces.
fn squash(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Collects the visible text of a run of inline content: whitespace collapsed, trimmed,
/// with the source span of what it kept.
#[derive(Default)]
struct Acc {
    text: String,
    start: usize,
    end: usize,
    last: char,
    /// Spaces seen since the last visible character: `' '` for collapsible whitespace,
    /// `'\u{a0}'` and `'\u{3000}'` as written.
    pending: String,
    newline: bool,
    /// Inside `<pre>`: every character as written, each with its source (a line is split
    /// into cells afterwards).
    pre: Option<Vec<(usize, usize, usize)>>,
}

impl Acc {
    fn push(&mut self, c: char, start: usize, end: usize) {
        if let Some(map) = &mut self.pre {
            if c != '\r' {
                map.push((self.text.len(), start, end));
                self.text.push(c);
            }
            return;
        }
        match c {
            ' ' | '\t' | '\n' | '\r' | '\u{c}' | '\u{b}' => {
                if !self.pending.ends_with(' ') {
                    self.pending.push(' ');
                }
                self.newline |= c == '\n';
            }
            '\u{a0}' | '\u{3000}' => self.pending.push(c),
            _ => {
                if !self.text.is_empty() && !self.pending.is_empty() {
                    let joined =
                        self.pending == " " && self.newline && (is_wide(self.last) || is_wide(c));
                    if !joined {
                        for p in self.pending.chars() {
                            self.text.push(if p == '\u{a0}' { ' ' } else { p });
                        }
                    }
                }
                if self.text.is_empty() {
                    self.start = start;
                }
                self.pending.clear();
                self.newline = false;
                self.text.push(c);
                self.end = end;
                self.last = c;
            }
        }
    }

    /// A line break that is not a new line (a `<br>` or a paragraph inside a cell).
    fn soft_break(&mut self) {
        self.push('\n', 0, 0);
    }

    fn push_text(&mut self, text: &Text) {
        for seg in &text.segs {
            let Some(piece) = text.text.get(seg.at..seg.at + seg.len) else {
                continue;
            };
            if seg.literal {
                for (i, c) in piece.char_indices() {
                    let at = seg.src + i;
                    self.push(c, at, at + c.len_utf8());
                }
            } else {
                for c in piece.chars() {
                    self.push(c, seg.src, seg.src + seg.src_len);
                }
            }
        }
    }

    fn take(&mut self) -> (String, Option<Span>) {
        let text = std::mem::take(&mut self.text);
        let span = (!text.is_empty()).then(|| Span::new(self.start, self.end));
        self.pending.clear();
        self.newline = false;
        (text, span)
    }
}

/// A line before it is written into the document's text.
struct Projected {
    cells: Vec<LineCell>,
    span: Span,
    table_row: bool,
}

/// A table cell's text and where it came from.
struct SourceCell {
    /// Tells the cell from the table's other cells.
    id: usize,
    text: String,
    span: Span,
    /// Where the cell's content starts (an empty cell's span).
    content: usize,
    value: bool,
    colspan: usize,
    rowspan: usize,
}

struct Projector<'a> {
    src: &'a str,
    nodes: &'a [Node],
    lines: Vec<Projected>,
    acc: Acc,
    /// Reused while reading a cell.
    cell: Acc,
    scratch: Vec<(Id, bool)>,
    /// How many source cells' spans were repeated: bounded by the number of cells.
    copies_left: usize,
}

impl<'a> Projector<'a> {
    fn new(src: &'a str, nodes: &'a [Node]) -> Self {
        let cells = nodes
            .iter()
            .filter(|n| matches!(&n.data, Data::Element(e) if e.kind == Kind::Cell))
            .count();
        Self {
            src,
            nodes,
            lines: Vec::new(),
            acc: Acc::default(),
            cell: Acc::default(),
            scratch: Vec::new(),
            copies_left: cells.saturating_mul(32).saturating_add(10_000),
        }
    }

    fn elem(&self, id: Id) -> Option<&'a Elem> {
        match &self.nodes.get(id)?.data {
            Data::Element(e) => Some(e),
            _ => None,
        }
    }

    fn kind(&self, id: Id) -> Option<Kind> {
        self.elem(id).map(|e| e.kind)
    }

    fn children(&self, id: Id) -> impl Iterator<Item = Id> + 'a {
        let nodes = self.nodes;
        std::iter::successors(Some(nodes[id].first).filter(|&c| c != NONE), move |&c| {
            Some(nodes[c].next).filter(|&n| n != NONE)
        })
    }

    fn run(mut self) -> (String, Vec<Line>) {
        let title = self.title();
        self.walk(DOCUMENT);
        self.flush();
        if let Some(title) = title {
            let repeated = self
                .lines
                .first()
                .is_some_and(|l| l.cells.len() == 1 && l.cells[0].text == title.cells[0].text);
            if !repeated {
                self.lines.insert(0, title);
            }
        }
        self.finish()
    }

    /// The page's title line: see the module documentation.
    fn title(&mut self) -> Option<Projected> {
        let mut title = None;
        let mut h1 = None;
        let mut stack = vec![DOCUMENT];
        while let Some(id) = stack.pop() {
            match self.kind(id) {
                Some(Kind::Title) if title.is_none() => title = Some(id),
                Some(Kind::H1) if h1.is_none() => h1 = Some(id),
                Some(Kind::Skip) => continue,
                _ => {}
            }
            if title.is_some() && h1.is_some() {
                break;
            }
            let first = stack.len();
            stack.extend(self.children(id));
            stack[first..].reverse();
        }
        let text_of = |this: &mut Self, id: Option<Id>| {
            let (text, span) = this.inline_text(id?);
            span.map(|span| (text, span))
        };
        let title = text_of(self, title);
        let h1 = text_of(self, h1);
        let (text, span) = match (title, h1) {
            (Some(t), Some(h)) if squash(&t.0).contains(&squash(&h.0)) => h,
            (Some(t), _) => t,
            (None, h) => h?,
        };
        Some(Projected {
            cells: vec![LineCell { text, span }],
            span,
            table_row: false,
        })
    }

    /// The document in order: blocks become lines, data tables become rows.
    fn walk(&mut self, root: Id) {
        let mut stack: Vec<(Id, bool)> = vec![(root, false)];
        while let Some((id, exit)) = stack.pop() {
            if exit {
                self.flush();
                if self.kind(id) == Some(Kind::Pre) {
                    self.acc.pre = None;
                }
                continue;
            }
            match &self.nodes[id].data {
                Data::Text(text) => {
                    self.acc.push_text(text);
                    continue;
                }
                Data::Other => continue,
                Data::Document | Data::Element(_) => {}
            }
            let kind = self.kind(id).unwrap_or(Kind::Inline);
            match kind {
                Kind::Skip | Kind::Head | Kind::Title => continue,
                Kind::Br => {
                    self.flush();
                    continue;
                }
                Kind::Table if self.data_table(id) => continue,
                Kind::Inline => {}
                Kind::Pre => {
                    self.flush();
                    self.acc.pre = Some(Vec::new());
                    stack.push((id, true));
                }
                _ => {
                    self.flush();
                    stack.push((id, true));
                }
            }
            let first = stack.len();
            stack.extend(self.children(id).map(|c| (c, false)));
            stack[first..].reverse();
        }
    }

    /// Ends the current prose line (or, in `<pre>`, lines).
    fn flush(&mut self) {
        if self.acc.pre.is_some() {
            let map = self.acc.pre.replace(Vec::new()).unwrap_or_default();
            let (text, _) = self.acc.take();
            let mut offset = 0;
            for line in text.split('\n') {
                let cells: Vec<LineCell> = split_cells(line, offset)
                    .into_iter()
                    .map(|cell| {
                        let first = map.partition_point(|&(at, ..)| at < cell.span.start);
                        let last = map.partition_point(|&(at, ..)| at < cell.span.end);
                        let span = match (map.get(first), last.checked_sub(1).map(|l| map[l])) {
                            (Some(&(_, start, _)), Some((_, _, end))) if first < last => {
                                Span::new(start, end)
                            }
                            _ => Span::default(),
                        };
                        LineCell {
                            text: cell.text,
                            span,
                        }
                    })
                    .collect();
                offset += line.len() + 1;
                if let (Some(a), Some(b)) = (cells.first(), cells.last()) {
                    let span = a.span.join(b.span);
                    self.lines.push(Projected {
                        cells,
                        span,
                        table_row: false,
                    });
                }
            }
            return;
        }
        let (text, span) = self.acc.take();
        if let Some(span) = span {
            self.lines.push(Projected {
                cells: vec![LineCell { text, span }],
                span,
                table_row: false,
            });
        }
    }

    /// The text of an element read as one cell: line breaks and blocks inside join.
    fn inline_text(&mut self, root: Id) -> (String, Option<Span>) {
        let mut stack = std::mem::take(&mut self.scratch);
        let mut acc = std::mem::take(&mut self.cell);
        stack.push((root, false));
        while let Some((id, exit)) = stack.pop() {
            if exit {
                acc.soft_break();
                continue;
            }
            match &self.nodes[id].data {
                Data::Text(text) => {
                    acc.push_text(text);
                    continue;
                }
                Data::Other => continue,
                Data::Document | Data::Element(_) => {}
            }
            match self.kind(id) {
                Some(Kind::Skip | Kind::Head) if id != root => continue,
                Some(Kind::Inline | Kind::Title | Kind::Skip | Kind::Head) | None => {}
                Some(Kind::Br) => acc.soft_break(),
                Some(_) => {
                    acc.soft_break();
                    stack.push((id, true));
                }
            }
            let first = stack.len();
            stack.extend(self.children(id).map(|c| (c, false)));
            stack[first..].reverse();
        }
        let result = acc.take();
        self.cell = acc;
        self.scratch = stack;
        result
    }

    /// The rows of a table, by row group, and its captions.
    fn table_parts(&self, table: Id) -> (Vec<Vec<Id>>, Vec<Id>) {
        let mut groups: Vec<Vec<Id>> = Vec::new();
        let mut captions = Vec::new();
        let mut loose = false;
        for child in self.children(table) {
            match self.kind(child) {
                Some(Kind::Group) => {
                    groups.push(
                        self.children(child)
                            .filter(|&r| self.kind(r) == Some(Kind::Tr))
                            .collect(),
                    );
                    loose = false;
                }
                Some(Kind::Tr) => {
                    if !loose {
                        groups.push(Vec::new());
                        loose = true;
                    }
                    if let Some(group) = groups.last_mut() {
                        group.push(child);
                    }
                }
                Some(Kind::Caption) => captions.push(child),
                _ => {}
            }
        }
        (groups, captions)
    }

    fn cells_of(&self, row: Id) -> impl Iterator<Item = Id> + '_ {
        self.children(row)
            .filter(move |&c| self.kind(c) == Some(Kind::Cell))
    }

    /// Whether a table lays out the page rather than holding data: one cell per row, a
    /// table inside a cell, or a cell holding long paragraphs.
    fn is_layout(&self, groups: &[Vec<Id>]) -> bool {
        let mut widest = 0;
        for &row in groups.iter().flatten() {
            let mut cells = 0;
            for cell in self.cells_of(row) {
                cells += 1;
                let mut text = 0;
                let mut blocks = false;
                let mut stack = vec![cell];
                while let Some(id) = stack.pop() {
                    match &self.nodes[id].data {
                        Data::Text(t) => text += t.text.trim().len(),
                        Data::Element(e) => match e.kind {
                            Kind::Table => return true,
                            Kind::Skip | Kind::Head => continue,
                            Kind::Inline | Kind::Cell | Kind::Title => {}
                            _ => blocks = true,
                        },
                        _ => {}
                    }
                    stack.extend(self.children(id));
                }
                if blocks && text > LONG_CELL {
                    return true;
                }
            }
            widest = widest.max(cells);
        }
        widest <= 1
    }

    /// Lays out a data table as rows of its grid; `false` (and nothing done) if the table
    /// is page layout.
    fn data_table(&mut self, table: Id) -> bool {
        let (groups, captions) = self.table_parts(table);
        if self.is_layout(&groups) {
            return false;
        }
        self.flush();
        for caption in captions {
            if let (text, Some(span)) = self.inline_text(caption) {
                self.lines.push(Projected {
                    cells: vec![LineCell { text, span }],
                    span,
                    table_row: false,
                });
            }
        }
        let table_at = self.elem(table).and_then(|e| e.content).unwrap_or_default();
        for group in &groups {
            // For each column, the cell above that reaches into this row, and for how many
            // more rows.
            let mut above: Vec<Above> = Vec::new();
            for (r, &row) in group.iter().enumerate() {
                let row_at = self.elem(row).and_then(|e| e.content).unwrap_or(table_at);
                let mut line: Vec<(LineCell, usize)> = Vec::new();
                let mut own: Option<Span> = None;
                let mut col = 0;
                for cell in self.cells_of(row).collect::<Vec<_>>() {
                    fill_from_above(&mut above, &mut line, &mut col, None);
                    let source = Rc::new(self.source_cell(cell, row_at, cell));
                    let colspan = if self.allow(source.colspan - 1) {
                        source.colspan
                    } else {
                        1
                    };
                    let rowspan = match source.rowspan {
                        0 => group.len() - r,
                        n => n,
                    };
                    let rowspan = if rowspan > 1 && self.allow((rowspan - 1) * colspan) {
                        rowspan
                    } else {
                        1
                    };
                    own = Some(own.map_or(source.span, |s| s.join(source.span)));
                    for k in 0..colspan {
                        line.push((copy_of(&source, k == 0), source.id));
                        if above.len() <= col + k {
                            above.resize(col + k + 1, None);
                        }
                        above[col + k] = (rowspan > 1).then(|| (source.clone(), rowspan - 1));
                    }
                    col += colspan;
                }
                fill_from_above(&mut above, &mut line, &mut col, Some(row_at));
                if line.iter().all(|(_, o)| *o == line[0].1) {
                    line.truncate(1);
                }
                let span = own
                    .or_else(|| line.iter().map(|(c, _)| c.span).reduce(Span::join))
                    .unwrap_or(Span::new(row_at, row_at));
                self.lines.push(Projected {
                    cells: line.into_iter().map(|(c, _)| c).collect(),
                    span,
                    table_row: true,
                });
            }
        }
        true
    }

    /// Takes `extra` copies of cells from the budget, if it has them.
    fn allow(&mut self, extra: usize) -> bool {
        if extra <= self.copies_left {
            self.copies_left -= extra;
            true
        } else {
            false
        }
    }

    fn source_cell(&mut self, cell: Id, row_at: usize, id: usize) -> SourceCell {
        let (text, span) = self.inline_text(cell);
        let elem = self.elem(cell);
        let content = elem.and_then(|e| e.content).unwrap_or(row_at);
        let value = !text.is_empty() && looks_like_value(&text);
        SourceCell {
            id,
            span: span.unwrap_or(Span::new(content, content)),
            text,
            content,
            value,
            colspan: elem.map_or(1, |e| e.colspan),
            rowspan: elem.map_or(1, |e| e.rowspan),
        }
    }

    /// Writes the lines into the document's text.
    fn finish(self) -> (String, Vec<Line>) {
        let mut text = String::new();
        let mut lines = Vec::with_capacity(self.lines.len());
        for (i, line) in self.lines.into_iter().enumerate() {
            if i > 0 {
                text.push('\n');
            }
            let start = text.len();
            let mut cells = line.cells;
            for (k, cell) in cells.iter_mut().enumerate() {
                if k > 0 {
                    text.push('\t');
                }
                text.push_str(&cell.text);
                cell.span = within(self.src, cell.span);
            }
            lines.push(Line {
                start,
                end: text.len(),
                span: within(self.src, line.span),
                cells,
                table_row: line.table_row,
            });
        }
        (text, lines)
    }
}

/// A cell of a row above that reaches down, and into how many more rows.
type Above = Option<(Rc<SourceCell>, usize)>;

/// Places the cells of rows above that reach down into this row, from column `col`: those
/// at `col` and after, up to a free column (for the row's next cell), or, at the row's end
/// (`row_at` given), all that remain, with empty cells for any gap.
fn fill_from_above(
    above: &mut [Above],
    line: &mut Vec<(LineCell, usize)>,
    col: &mut usize,
    row_at: Option<usize>,
) {
    let end = match row_at {
        Some(_) => above.iter().rposition(Option::is_some).map_or(0, |i| i + 1),
        None => above.len(),
    };
    while *col < end {
        match above[*col].take() {
            Some((source, left)) => {
                line.push((copy_of(&source, false), source.id));
                if left > 1 {
                    above[*col] = Some((source, left - 1));
                }
            }
            None => match row_at {
                Some(at) => line.push((
                    LineCell {
                        text: String::new(),
                        span: Span::new(at, at),
                    },
                    usize::MAX - *col,
                )),
                None => break,
            },
        }
        *col += 1;
    }
}

/// A grid cell made from a source cell: the cell itself, or a copy of it in another row or
/// column (a label's copy says the same; a value's copy is empty).
fn copy_of(source: &SourceCell, first: bool) -> LineCell {
    if first || !source.value {
        LineCell {
            text: source.text.clone(),
            span: source.span,
        }
    } else {
        LineCell {
            text: String::new(),
            span: Span::new(source.content, source.content),
        }
    }
}

/// A span clamped into the source, on character boundaries.
fn within(src: &str, span: Span) -> Span {
    let end = floor_char_boundary(src, span.end.min(src.len()));
    let start = floor_char_boundary(src, span.start.min(end));
    Span::new(start, end)
}
