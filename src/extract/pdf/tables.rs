//! Ruled tables: ruling lines that touch form a grid; the horizontal rules cut it into rows,
//! the vertical rules crossing a row cut that row into cells, and the text lines inside a
//! cell (a label wrapped over lines, a header stacked a character a line) are one cell text.

use super::glyphs::{Page, Rule};
use super::lines::{TextLine, join_stacked, runs};

/// Rules whose ends lie this close (points) touch; positions this close are one position.
const TOUCH: f64 = 2.0;

/// One table row as read from a grid: cells left to right, blank cells included.
#[derive(Debug, Clone)]
pub struct Row {
    pub page: u32,
    pub cells: Vec<Cell>,
}

#[derive(Debug, Clone)]
pub struct Cell {
    pub left: f64,
    pub right: f64,
    pub text: String,
}

/// A grid of ruling lines on one page and the rows read from it.
#[derive(Debug, Clone)]
pub struct Table {
    pub page: u32,
    pub top: f64,
    pub bottom: f64,
    pub left: f64,
    pub right: f64,
    pub rows: Vec<Row>,
    /// Whether the page cuts the table at its top or bottom, with no rule there: the row
    /// there goes on over the page break.
    pub open_top: bool,
    pub open_bottom: bool,
}

impl Table {
    /// Whether a text line lies inside the grid.
    pub fn holds(&self, line: &TextLine) -> bool {
        self.top < line.middle()
            && line.middle() < self.bottom
            && line.left() < self.right
            && line.right() > self.left
    }

    /// Appends `next`, which continues this table on the next page; a row the page break cut
    /// in two is one row again.
    pub fn extend(&mut self, mut next: Table) {
        if self.open_bottom && next.open_top && !next.rows.is_empty() {
            let first = next.rows.remove(0);
            if let Some(last) = self.rows.last_mut() {
                let same_cells = last.cells.len() == first.cells.len()
                    && last
                        .cells
                        .iter()
                        .zip(&first.cells)
                        .all(|(a, b)| (a.left - b.left).abs() <= TOUCH);
                if same_cells {
                    for (cell, rest) in last.cells.iter_mut().zip(first.cells) {
                        cell.text = join_stacked(&[std::mem::take(&mut cell.text), rest.text]);
                    }
                } else {
                    self.rows.push(first);
                }
            }
        }
        self.rows.extend(next.rows);
        self.open_bottom = next.open_bottom;
    }

    /// Whether `next` continues this table on the page after its last row's: same left and
    /// right edges.
    pub fn continues_onto(&self, next: &Table) -> bool {
        let last_page = self.rows.last().map_or(self.page, |r| r.page);
        next.page == last_page + 1
            && (self.left - next.left).abs() <= TOUCH
            && (self.right - next.right).abs() <= TOUCH
    }
}

/// The tables of a page, top to bottom, with the text lines inside them taken out of `lines`.
pub fn take_tables(page: &Page, lines: &mut Vec<TextLine>) -> Vec<Table> {
    let mut tables: Vec<Table> = grids(&page.rules)
        .into_iter()
        .filter_map(|rules| grid_table(page.number, &rules, lines))
        .collect();
    lines.retain(|line| !tables.iter().any(|t| t.holds(line)));
    tables.sort_by(|a, b| a.top.total_cmp(&b.top));
    tables
}

/// Groups rules into sets that touch one another (union–find over pairs).
fn grids(rules: &[Rule]) -> Vec<Vec<Rule>> {
    fn root(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    let mut parent: Vec<usize> = (0..rules.len()).collect();
    for (i, a) in rules.iter().enumerate() {
        for (j, b) in rules.iter().enumerate().skip(i + 1) {
            if touch(a, b) {
                let (ra, rb) = (root(&mut parent, i), root(&mut parent, j));
                parent[ra] = rb;
            }
        }
    }
    let mut groups: Vec<Vec<Rule>> = Vec::new();
    let mut index_of_root = vec![usize::MAX; rules.len()];
    for (i, rule) in rules.iter().enumerate() {
        let r = root(&mut parent, i);
        if index_of_root[r] == usize::MAX {
            index_of_root[r] = groups.len();
            groups.push(Vec::new());
        }
        groups[index_of_root[r]].push(*rule);
    }
    groups
}

fn touch(a: &Rule, b: &Rule) -> bool {
    let within = |v: f64, from: f64, to: f64| from - TOUCH <= v && v <= to + TOUCH;
    if a.vertical == b.vertical {
        (a.at - b.at).abs() <= TOUCH && a.from <= b.to + TOUCH && b.from <= a.to + TOUCH
    } else {
        within(a.at, b.from, b.to) && within(b.at, a.from, a.to)
    }
}

/// Sorted distinct positions, those within [`TOUCH`] of each other merged.
pub fn cluster(mut positions: Vec<f64>) -> Vec<f64> {
    positions.sort_by(f64::total_cmp);
    let mut out: Vec<f64> = Vec::with_capacity(positions.len());
    for p in positions {
        match out.last() {
            Some(&last) if p - last <= TOUCH => {}
            _ => out.push(p),
        }
    }
    out
}

/// Reads the rows of one grid from the lines inside it; `None` when the rules do not make a
/// grid of at least two columns and one cell with text.
fn grid_table(page: u32, rules: &[Rule], lines: &[TextLine]) -> Option<Table> {
    let xs = cluster(rules.iter().filter(|r| r.vertical).map(|r| r.at).collect());
    // A table broken by a page has no rule where the page cuts it: the ends of its vertical
    // rules close it there.
    let ys = cluster(
        rules
            .iter()
            .map(|r| if r.vertical { r.from } else { r.at })
            .chain(rules.iter().filter(|r| r.vertical).map(|r| r.to))
            .collect(),
    );
    // A frame around text, with no rule between columns, is no grid: its lines are read
    // by their gaps like any text.
    if xs.len() < 3 || ys.len() < 2 {
        return None;
    }
    let horizontal = cluster(rules.iter().filter(|r| !r.vertical).map(|r| r.at).collect());
    let ruled_at = |y: f64| horizontal.iter().any(|&h| (h - y).abs() <= TOUCH);
    let mut table = Table {
        page,
        top: ys[0],
        bottom: ys[ys.len() - 1],
        left: xs[0],
        right: xs[xs.len() - 1],
        rows: Vec::new(),
        open_top: !ruled_at(ys[0]),
        open_bottom: !ruled_at(ys[ys.len() - 1]),
    };
    let inside: Vec<&TextLine> = lines.iter().filter(|l| table.holds(l)).collect();
    for band in ys.windows(2) {
        let (top, bottom) = (band[0], band[1]);
        let middle = f64::midpoint(top, bottom);
        // The vertical rules crossing this row cut it into cells.
        let cuts: Vec<f64> = xs
            .iter()
            .copied()
            .filter(|&x| {
                rules.iter().any(|r| {
                    r.vertical
                        && (r.at - x).abs() <= TOUCH
                        && r.from - TOUCH <= middle
                        && middle <= r.to + TOUCH
                })
            })
            .collect();
        let mut cells: Vec<Cell> = cuts
            .windows(2)
            .map(|w| Cell {
                left: w[0],
                right: w[1],
                text: String::new(),
            })
            .collect();
        let mut parts: Vec<Vec<String>> = vec![Vec::new(); cells.len()];
        for line in inside
            .iter()
            .filter(|l| top < l.middle() && l.middle() < bottom)
        {
            for run in runs(&line.glyphs, &cuts) {
                let centre = f64::midpoint(run.left, run.right);
                if let Some(i) = cells
                    .iter()
                    .position(|c| c.left <= centre && centre < c.right)
                {
                    parts[i].push(run.text);
                }
            }
        }
        if parts.iter().all(Vec::is_empty) {
            continue;
        }
        for (cell, parts) in cells.iter_mut().zip(&parts) {
            cell.text = join_stacked(parts);
        }
        table.rows.push(Row { page, cells });
    }
    (!table.rows.is_empty()).then_some(table)
}
