//! The tree: an arena of nodes, built by html5ever's tree builder through `Sink`.

use std::borrow::Cow;
use std::cell::{Cell, Ref, RefCell};

use html5ever::tendril::StrTendril;
use html5ever::tree_builder::{ElementFlags, NodeOrText, QuirksMode, TreeSink};
use html5ever::{Attribute, LocalName, QualName, local_name, ns};

use super::scan::is_space;

pub(super) type Id = usize;
pub(super) const NONE: Id = usize::MAX;
pub(super) const DOCUMENT: Id = 0;

#[derive(Debug)]
pub(super) struct Node {
    pub(super) parent: Id,
    pub(super) first: Id,
    pub(super) last: Id,
    pub(super) prev: Id,
    pub(super) next: Id,
    pub(super) depth: u32,
    pub(super) data: Data,
}

#[derive(Debug)]
pub(super) enum Data {
    Document,
    Element(Elem),
    Text(Text),
    Other,
}

#[derive(Debug)]
pub(super) struct Elem {
    pub(super) kind: Kind,
    /// Where the element's content starts in the source (just after its start tag); `None`
    /// for an element the parser implied.
    pub(super) content: Option<usize>,
    pub(super) colspan: usize,
    pub(super) rowspan: usize,
    /// A `<template>`'s contents.
    pub(super) template: Id,
}

/// Text and where each part of it comes from.
#[derive(Debug, Default)]
pub(super) struct Text {
    pub(super) text: String,
    pub(super) segs: Vec<Seg>,
}

/// A piece of decoded text and the source it was decoded from: either literal (byte for
/// byte the source) or one character reference (its characters all map to the whole
/// reference).
#[derive(Debug, Clone, Copy)]
pub(super) struct Seg {
    pub(super) at: usize,
    pub(super) len: usize,
    pub(super) src: usize,
    pub(super) src_len: usize,
    pub(super) literal: bool,
}

/// What an element means for the projection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
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

pub(super) fn kind_of(name: &QualName) -> Kind {
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
pub(super) struct PendingTag {
    pub(super) name: LocalName,
    pub(super) content: usize,
    pub(super) colspan: usize,
    pub(super) rowspan: usize,
}

/// The character token being fed (or last fed: the tree builder holds text inside tables
/// until the next tag), and how much of it the tree has taken.
#[derive(Default)]
pub(super) struct CharToken {
    /// Where the token lies in the source.
    pub(super) start: usize,
    pub(super) end: usize,
    /// Its text, if references made it differ from the source.
    pub(super) decoded: Option<Text>,
    pub(super) taken: usize,
}

pub(super) struct Sink<'s> {
    pub(super) src: &'s str,
    pub(super) nodes: RefCell<Vec<Node>>,
    pub(super) names: RefCell<Vec<QualName>>,
    pub(super) tag: RefCell<Option<PendingTag>>,
    /// The element created for the start tag being fed.
    pub(super) created: Cell<Id>,
    pub(super) chars: RefCell<CharToken>,
}

impl<'s> Sink<'s> {
    pub(super) fn new(src: &'s str) -> Self {
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

    pub(super) fn push(&self, node: Node, name: QualName) -> Id {
        let mut nodes = self.nodes.borrow_mut();
        nodes.push(node);
        self.names.borrow_mut().push(name);
        nodes.len() - 1
    }

    /// Adds to `out` the source of a piece of text that the tree builder inserts, at text
    /// offset `base`: it is part of the current character token, normally right where the
    /// last piece ended.
    pub(super) fn locate(&self, piece: &str, base: usize, out: &mut Vec<Seg>) {
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

    pub(super) fn insert_text(&self, parent: Id, before: Id, piece: &str) {
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

    pub(super) fn insert(&self, parent: Id, before: Id, child: NodeOrText<Id>) {
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

pub(super) fn no_name() -> QualName {
    QualName::new(None, ns!(), local_name!(""))
}

impl Node {
    pub(super) fn new(data: Data) -> Self {
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

pub(super) fn detach(nodes: &mut [Node], id: Id) {
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

pub(super) fn append_child(nodes: &mut [Node], parent: Id, id: Id) {
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

pub(super) fn insert_before(nodes: &mut [Node], sibling: Id, id: Id) {
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
pub(super) fn slice_segs(segs: &[Seg], from: usize, to: usize, base: usize, out: &mut Vec<Seg>) {
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
