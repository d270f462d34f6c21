//! `word/document.xml` → paragraphs and tables, in document order.

use quick_xml::events::{BytesStart, Event};

use super::numbering::Numbering;
use super::{DocxError, attribute};

/// Elements nested deeper than this make the document malformed: Word's own stay under 30.
const MAX_DEPTH: usize = 512;

#[derive(Debug)]
pub enum Block {
    /// A paragraph's text with its generated number; `\n` where a line break stands, `\t`
    /// where a tab does.
    Paragraph(String),
    Table(Table),
}

#[derive(Debug, Default)]
pub struct Table {
    /// The columns `w:tblGrid` declares.
    pub grid_columns: usize,
    pub rows: Vec<Row>,
}

#[derive(Debug, Default)]
pub struct Row {
    /// Grid columns skipped before the first cell and after the last.
    pub before: usize,
    pub after: usize,
    pub cells: Vec<Cell>,
}

#[derive(Debug)]
pub struct Cell {
    /// Grid columns covered.
    pub span: usize,
    pub merge: Merge,
    /// Whether the cell continues the one to its left (legacy `w:hMerge`).
    pub merged_left: bool,
    pub blocks: Vec<Block>,
}

/// Vertical merging (`w:vMerge`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Merge {
    None,
    /// The first cell of a vertically merged run.
    Restart,
    /// A cell that continues the one above.
    Continue,
}

#[derive(Default)]
struct Paragraph {
    text: String,
    style: Option<String>,
    list: (Option<String>, Option<usize>),
    /// Open `w:r` elements: tabs and breaks count only inside a run.
    runs: usize,
    in_text: bool,
    /// Text boxes anchored in the paragraph, shown after it.
    floating: Vec<Block>,
}

/// Parses the document's body into blocks, generating paragraph numbers on the way.
pub fn parse(xml: &[u8], numbering: &mut Numbering) -> Result<Vec<Block>, DocxError> {
    let mut reader = quick_xml::Reader::from_reader(xml);
    let mut buf = Vec::new();
    // Where blocks go: the body, then each open cell or text box.
    let mut containers: Vec<Vec<Block>> = vec![Vec::new()];
    let mut tables: Vec<Table> = Vec::new();
    let mut paragraphs: Vec<Paragraph> = Vec::new();
    let mut depth = 0usize;
    // Inside an element whose content is not read (`mc:Fallback` repeats the `mc:Choice`
    // before it; headers and footers are other parts): the depth where it started.
    let mut skipping: Option<usize> = None;
    loop {
        let event = reader
            .read_event_into(&mut buf)
            .map_err(|e| DocxError::xml(&e))?;
        match &event {
            Event::Start(e) => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Err(DocxError::Malformed("元素嵌套过深".to_owned()));
                }
                if skipping.is_some() {
                    buf.clear();
                    continue;
                }
                match e.name().as_ref() {
                    b"mc:Fallback" | b"w:del" | b"w:instrText" | b"w:footnoteReference" => {
                        skipping = Some(depth);
                    }
                    b"w:tbl" => tables.push(Table::default()),
                    b"w:tr" => {
                        if let Some(table) = tables.last_mut() {
                            table.rows.push(Row::default());
                        }
                    }
                    b"w:tc" => {
                        if let Some(row) = tables.last_mut().and_then(|t| t.rows.last_mut()) {
                            row.cells.push(Cell {
                                span: 1,
                                merge: Merge::None,
                                merged_left: false,
                                blocks: Vec::new(),
                            });
                        }
                        containers.push(Vec::new());
                    }
                    b"w:txbxContent" => containers.push(Vec::new()),
                    b"w:p" => paragraphs.push(Paragraph::default()),
                    b"w:r" => {
                        if let Some(p) = paragraphs.last_mut() {
                            p.runs += 1;
                        }
                    }
                    b"w:t" => {
                        if let Some(p) = paragraphs.last_mut() {
                            p.in_text = true;
                        }
                    }
                    // Properties are empty elements, but may be written with an end tag.
                    _ => empty(e, &mut tables, &mut paragraphs),
                }
            }
            Event::Empty(e) if skipping.is_none() => empty(e, &mut tables, &mut paragraphs),
            Event::End(e) => {
                let ending = depth;
                depth = depth.saturating_sub(1);
                if let Some(start) = skipping {
                    if ending == start {
                        skipping = None;
                    }
                    buf.clear();
                    continue;
                }
                match e.name().as_ref() {
                    b"w:t" => {
                        if let Some(p) = paragraphs.last_mut() {
                            p.in_text = false;
                        }
                    }
                    b"w:r" => {
                        if let Some(p) = paragraphs.last_mut() {
                            p.runs = p.runs.saturating_sub(1);
                        }
                    }
                    b"w:p" => {
                        if let Some(p) = paragraphs.pop() {
                            let container = containers.last_mut().expect("the body");
                            finish_paragraph(p, numbering, container);
                        }
                    }
                    b"w:txbxContent" if containers.len() > 1 => {
                        let blocks = containers.pop().unwrap_or_default();
                        match paragraphs.last_mut() {
                            Some(p) => p.floating.extend(blocks),
                            None => containers.last_mut().expect("the body").extend(blocks),
                        }
                    }
                    b"w:tc" if containers.len() > 1 => {
                        let blocks = containers.pop().unwrap_or_default();
                        if let Some(row) = tables.last_mut().and_then(|t| t.rows.last_mut()) {
                            if let Some(mut cell) = row.cells.pop() {
                                cell.blocks = blocks;
                                match row.cells.last_mut() {
                                    Some(left) if cell.merged_left => left.span += cell.span,
                                    _ => row.cells.push(cell),
                                }
                            }
                        }
                    }
                    b"w:tbl" => {
                        if let Some(table) = tables.pop() {
                            containers
                                .last_mut()
                                .expect("the body")
                                .push(Block::Table(table));
                        }
                    }
                    _ => {}
                }
            }
            Event::Text(t) if skipping.is_none() => {
                if let Some(p) = paragraphs.last_mut().filter(|p| p.in_text) {
                    let text = t
                        .decode()
                        .map_err(|e| DocxError::Malformed(e.to_string()))?;
                    p.text.push_str(&text);
                }
            }
            Event::CData(t) if skipping.is_none() => {
                if let Some(p) = paragraphs.last_mut().filter(|p| p.in_text) {
                    let text = t
                        .decode()
                        .map_err(|e| DocxError::Malformed(e.to_string()))?;
                    p.text.push_str(&text);
                }
            }
            Event::GeneralRef(r) if skipping.is_none() => {
                if let Some(p) = paragraphs.last_mut().filter(|p| p.in_text) {
                    let resolved = resolve(r);
                    if let Some(c) = resolved.filter(|c| !c.is_control() || *c == '\t') {
                        p.text.push(c);
                    }
                }
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    // Elements left open by a truncated document: what was read is kept.
    while let Some(p) = paragraphs.pop() {
        finish_paragraph(p, numbering, containers.last_mut().expect("the body"));
    }
    while containers.len() > 1 {
        let blocks = containers.pop().unwrap_or_default();
        containers[0].extend(blocks);
    }
    for table in tables {
        containers[0].push(Block::Table(table));
    }
    Ok(containers.swap_remove(0))
}

/// Empty elements: properties of the open paragraph, row or cell; tabs and breaks in runs.
fn empty(e: &BytesStart, tables: &mut [Table], paragraphs: &mut [Paragraph]) {
    let value = || attribute(e, b"w:val");
    let number = || value().and_then(|v| v.parse::<usize>().ok());
    match e.name().as_ref() {
        b"w:tab" | b"w:br" | b"w:cr" | b"w:noBreakHyphen" => {
            if let Some(p) = paragraphs.last_mut().filter(|p| p.runs > 0) {
                p.text.push(match e.name().as_ref() {
                    b"w:tab" => '\t',
                    b"w:noBreakHyphen" => '-',
                    _ => '\n',
                });
            }
        }
        b"w:pStyle" => {
            if let Some(p) = paragraphs.last_mut() {
                p.style = value();
            }
        }
        b"w:numId" => {
            if let Some(p) = paragraphs.last_mut() {
                p.list.0 = value();
            }
        }
        b"w:ilvl" => {
            if let Some(p) = paragraphs.last_mut() {
                p.list.1 = number();
            }
        }
        b"w:gridCol" => {
            if let Some(t) = tables.last_mut() {
                t.grid_columns += 1;
            }
        }
        b"w:gridBefore" | b"w:gridAfter" => {
            if let Some(r) = tables.last_mut().and_then(|t| t.rows.last_mut()) {
                let n = number().unwrap_or(0).min(super::MAX_GRID_COLUMNS);
                if e.name().as_ref() == b"w:gridBefore" {
                    r.before = n;
                } else {
                    r.after = n;
                }
            }
        }
        b"w:gridSpan" => {
            if let Some(c) = cell(tables) {
                c.span = number().unwrap_or(1).clamp(1, super::MAX_GRID_COLUMNS);
            }
        }
        b"w:vMerge" => {
            if let Some(c) = cell(tables) {
                c.merge = if value().as_deref() == Some("restart") {
                    Merge::Restart
                } else {
                    Merge::Continue
                };
            }
        }
        b"w:hMerge" => {
            if let Some(c) = cell(tables) {
                c.merged_left = value().as_deref() != Some("restart");
            }
        }
        _ => {}
    }
}

/// The cell being read.
fn cell(tables: &mut [Table]) -> Option<&mut Cell> {
    tables
        .last_mut()
        .and_then(|t| t.rows.last_mut())
        .and_then(|r| r.cells.last_mut())
}

fn finish_paragraph(p: Paragraph, numbering: &mut Numbering, container: &mut Vec<Block>) {
    let list = match p.list {
        (Some(id), level) => Some((id, level.unwrap_or(0))),
        (None, level) => p
            .style
            .as_deref()
            .and_then(|s| numbering.style_list(s))
            .map(|(id, l)| (id, level.unwrap_or(l))),
    };
    let number = list.and_then(|(id, level)| numbering.next(&id, level));
    let mut text = number.unwrap_or_default();
    text.push_str(&p.text);
    container.push(Block::Paragraph(text));
    container.extend(p.floating);
}

/// The title in the document's properties (`docProps/core.xml`, `dc:title`), if any.
pub fn core_title(xml: &[u8]) -> Option<String> {
    let mut reader = quick_xml::Reader::from_reader(xml);
    let mut buf = Vec::new();
    let mut inside = false;
    let mut title = String::new();
    loop {
        match reader.read_event_into(&mut buf).ok()? {
            Event::Start(e) if e.name().as_ref() == b"dc:title" => inside = true,
            Event::End(e) if e.name().as_ref() == b"dc:title" => break,
            Event::Text(t) if inside => title.push_str(&t.decode().ok()?),
            Event::GeneralRef(r) if inside => title.extend(resolve(&r)),
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    let title = title.trim();
    (!title.is_empty()).then(|| title.to_owned())
}

/// The character a reference stands for (`&amp;`, `&#x4e00;`).
fn resolve(r: &quick_xml::events::BytesRef) -> Option<char> {
    match r.resolve_char_ref() {
        Ok(Some(c)) => Some(c),
        _ => match &**r {
            b"amp" => Some('&'),
            b"lt" => Some('<'),
            b"gt" => Some('>'),
            b"quot" => Some('"'),
            b"apos" => Some('\''),
            _ => None,
        },
    }
}
