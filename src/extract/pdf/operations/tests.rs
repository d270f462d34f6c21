//! The fast reading against lopdf's: the same operations wherever it answers.

use lopdf::content::{Content, Operation};
use lopdf::{Document, Object};

use super::{Lexer, decode};

/// Operations as comparable values (lopdf's `Operation` has no `PartialEq`).
fn plain(operations: &[Operation]) -> Vec<(String, Vec<Object>)> {
    operations
        .iter()
        .map(|o| (o.operator.clone(), o.operands.clone()))
        .collect()
}

/// The fast reading agrees with lopdf's: the same operations where it answers; where lopdf
/// fails, it leaves the stream to lopdf. Returns whether it answered.
fn agrees(bytes: &[u8]) -> bool {
    let fast = Lexer::new(bytes).operations();
    let lopdf = Content::decode(bytes).map(|c| plain(&c.operations));
    if let Some(fast) = &fast {
        assert_eq!(
            Ok(&plain(fast)),
            lopdf.as_ref().map_err(ToString::to_string),
            "{:?}",
            String::from_utf8_lossy(bytes)
        );
    }
    let decoded = decode(bytes).map(|c| plain(&c.operations));
    assert_eq!(
        decoded.map_err(|e| e.to_string()),
        lopdf.map_err(|e| e.to_string())
    );
    fast.is_some()
}

#[test]
fn what_pdf_printers_write_is_read_without_lopdf() {
    for stream in [
        "",
        "q 1 0 0 -1 0 842 cm\nBT /F1 12 Tf 72 712 Td (Hello) Tj ET Q",
        "BT/F2 10.5 Tf 1 0 0 1 56.8 700.2 Tm[(\u{1}\u{2})-20.5(ab\\)c\\\\d\\(e)30]TJ ET",
        "BT <00410042> Tj <0 04 1 0042 4> Tj <> Tj (nested (paren) s) Tj ET",
        "/Span <</MCID 3 /ActualText (x\\101\\7\\0537)>> BDC EMC /P <</MCID 0>>BDC EMC",
        "0.5 g 10 10 100 50 re f* 0 0 1 RG 1 w 0 0 m 100 0 l S .5 -.25 +3 -4. Td",
        "T* (a) ' 1 2 (b) \" /Name#20with#2Fhex 0 Tf true false null sh",
        "[1 2 [3 [4]] <</A [5 6] /B <</C (d)>>>>] 0 d\r\n(line\\\r\nbreak\\\nx\ry\r\nz) Tj",
        "BT\n(\\n\\r\\t\\b\\f\\q\\(\\)) Tj\nET\n   \t",
        "/GS1 gs /Im1 Do q Q W n",
    ] {
        assert!(agrees(stream.as_bytes()), "{stream:?}");
    }
}

#[test]
fn what_it_does_not_read_is_left_to_lopdf() {
    for stream in [
        // A comment, inline images, references, tokens lopdf splits.
        "% a comment\nBT ET",
        "q BI /W 1 /H 1 /BPC 8 /CS /G ID \u{0} EI Q",
        "BIx Tj",
        "[1 0 R] 0 d",
        "<</A 1 0 R>> BDC",
        "12Tf",
        "nullx",
        "1.2.3 Td",
        // Damage: unbalanced, unterminated, stray bytes, operands without an operator.
        "(unterminated Tj",
        "<0G> Tj",
        "] TJ",
        "BT \u{0} ET",
        "/A#zz Tf",
        "1 2",
        // lopdf reads a Type 3 glyph's `d0` as `d` and drops the `0`.
        "0 0 d0",
        "99999999999999999999 Td",
        "- Td",
        "{ }",
        "[(a)(b) TJ",
        "<</A>> BDC",
    ] {
        assert!(!agrees(stream.as_bytes()), "{stream:?}");
    }
    // Nesting deeper than the fast reading goes.
    let deep = format!("{}{} d", "[".repeat(40), "]".repeat(40));
    assert!(!agrees(deep.as_bytes()));
    let deep = format!("({}{}) Tj", "(".repeat(40), ")".repeat(40));
    assert!(!agrees(deep.as_bytes()));
}

/// Every PDF the project holds.
fn fixture_pdfs() -> Vec<std::path::PathBuf> {
    let mut pdfs = Vec::new();
    let mut dirs = vec![std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(dir).expect("fixtures").flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "pdf") {
                pdfs.push(path);
            }
        }
    }
    pdfs.sort();
    pdfs
}

#[test]
fn every_page_of_the_fixtures_reads_as_lopdf_reads_it() {
    let mut pages = 0;
    let mut fast = 0;
    for path in fixture_pdfs() {
        let Ok(document) = Document::load(&path) else {
            continue;
        };
        // The other streams: forms, Type 3 glyphs, CMaps, and font programs, which must not
        // read as operations lopdf would not find (a sample: there are thousands).
        let streams = document.objects.values().filter_map(|o| match o {
            Object::Stream(s) => s.decompressed_content().ok(),
            _ => None,
        });
        for bytes in streams.filter(|b| b.len() <= 4096).take(100) {
            agrees(&bytes);
        }
        for (n, id) in document.get_pages().into_values().enumerate() {
            let content = document.get_page_content(id).expect("page content");
            pages += 1;
            fast += usize::from(agrees(&content));
            if n == 0 {
                damaged_variants_agree(&content);
            }
        }
    }
    // Every page printed by Chromium and LibreOffice is read without lopdf.
    assert!(pages >= 30, "only {pages} pages read");
    assert_eq!(fast, pages);
}

/// Pieces of a page's content, cut anywhere and damaged with the bytes that matter to the
/// grammar: the fast reading answers as lopdf does or leaves them to it.
fn damaged_variants_agree(content: &[u8]) {
    const PIECE: usize = 600;
    let step = (content.len() / 4).max(1);
    for start in (0..content.len()).step_by(step) {
        let piece = &content[start..(start + PIECE).min(content.len())];
        agrees(piece);
        let at = piece.len() / 2;
        for byte in *b"%()<>[]{}/\\#\0\x0c1.-RBE \n\xff" {
            let mut damaged = piece.to_vec();
            if let Some(b) = damaged.get_mut(at) {
                *b = byte;
            }
            agrees(&damaged);
            damaged.insert(at / 2, byte);
            agrees(&damaged);
        }
    }
}

/// Streams made of random tokens, well-formed and not, joined by random space: the fast
/// reading answers as lopdf does or leaves them to it, and answers for many of them.
#[test]
fn random_streams_read_as_lopdf_reads_them() {
    #[rustfmt::skip]
    const TOKENS: &[&str] = &[
        "1", "-2.5", ".5", "5.", "+3", "-0", "0.0299", "595.2756", "12345678.9", "1.2.3",
        "99999999999999999999", "-", "/F1", "/A#20B", "/A#zz", "/", "(a)", "(a(b)c)",
        "(\\n\\101\\7)", "(x\\\ny)", "(open", "<0a1B>", "<0 1 f>", "<0G>", "<>", "[", "]", "<<",
        ">>", "true", "false", "null", "nullx", "Tj", "TJ", "BT", "ET", "cm", "Td", "'", "\"",
        "T*", "d0", "BI", "ID", "EI", "R", "0 0 R", ")", "{", "#", "\u{e9}",
    ];
    const SPACES: &[&str] = &[" ", " ", " ", "\n", "\r\n", "\t", "", "\0", "\u{c}", "%c\n"];
    // xorshift: the same streams on every run.
    let mut state = 0x9e37_79b9_7f4a_7c15_u64;
    let mut next = |n: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        usize::try_from(state % n as u64).expect("small")
    };
    let mut answered = 0;
    let runs = 20_000;
    for _ in 0..runs {
        let mut stream = String::new();
        for _ in 0..next(12) {
            stream.push_str(TOKENS[next(TOKENS.len())]);
            // Mostly plain spaces, so that many streams are well formed.
            let space = if next(4) == 0 {
                SPACES[next(SPACES.len())]
            } else {
                " "
            };
            stream.push_str(space);
        }
        answered += usize::from(agrees(stream.as_bytes()));
    }
    assert!(
        answered > runs / 20,
        "the fast reading answered only {answered} times"
    );
}
