#!/usr/bin/env python3
"""Writes small PDF seeds for the report_pdf target (usage: pdf_seeds.py OUT-DIR TEXT...): each
page of the space-aligned text reports given is laid out glyph by glyph as a PDF of its own,
and the first report whole as one more. The published fixtures are 128-330 KB (their embedded
fonts) and cost 20-110 ms a run; these are 1-16 KB, carry no font programs (gouji reads none),
and cover the same reader: composite fonts with a ToUnicode map, the predefined UniGB-UCS2-H
and GBK-EUC-H CMaps, a simple font, Flate-compressed and plain content, TJ spacing, ruling
lines."""

import sys
import zlib
from pathlib import Path

sys.dont_write_bytecode = True  # nothing left behind in the fixtures' folder
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests/fixtures/published"))
from make import pdf_bytes  # noqa: E402 (the fixtures' PDF writer)

FONT_SIZE = 10
LINE_HEIGHT = 14
LINES_PER_PAGE = 55
COLUMN = FONT_SIZE / 2  # one display column of the text: half an ideograph
LEFT, TOP = 30, 800


def columns(text):
    """Display width: ideographs and full-width punctuation take two columns."""
    return sum(1 if ord(c) < 0x1100 else 2 for c in text)


def segments(line):
    """(column, text) of each run of the line separated by two or more spaces."""
    out, col, i = [], 0, 0
    while i < len(line):
        if line[i] == " ":
            col, i = col + 1, i + 1
            continue
        j = i
        while j < len(line) and not (line[j] == " " and line[j + 1 : j + 2] in (" ", "")):
            j += 1
        out.append((col, line[i:j]))
        col, i = col + columns(line[i:j]), j
    return out


def shown(text, encoding):
    """A TJ array for `text`: one string per glyph; ASCII glyphs (their fonts' default width is
    an ideograph's) are pulled back half an ideograph, except where /W gives them their own."""
    parts = []
    for c in text:
        if encoding == "Identity-H":
            parts.append(f"<{ord(c):04X}>")
            continue
        if encoding == "UniGB-UCS2-H":
            data = c.encode("utf-16-be") if ord(c) < 0x10000 else b"\xff\xfd"
        elif encoding == "GBK-EUC-H":
            data = c.encode("gbk", errors="replace")
        else:  # WinAnsiEncoding: only the ASCII of the text survives
            data = c.encode("cp1252", errors="replace")
        parts.append(f"<{data.hex().upper()}>")
        if encoding != "WinAnsiEncoding" and ord(c) < 0x80:
            parts.append("500")
    return "[" + " ".join(parts) + "] TJ"


def page_content(lines, encoding, ruled):
    ops = [f"BT /F1 {FONT_SIZE} Tf"]
    rules = []
    for row, line in enumerate(lines):
        y = TOP - row * LINE_HEIGHT
        runs = segments(line)
        for col, text in runs:
            ops.append(f"1 0 0 1 {LEFT + col * COLUMN:.1f} {y} Tm {shown(text, encoding)}")
        if ruled and len(runs) >= 3:
            bottom, top = y - 4, y + LINE_HEIGHT - 4
            rules.append(f"{LEFT - 2} {bottom} m {LEFT + 480} {bottom} l S")
            for c, _ in runs:
                x = LEFT + c * COLUMN - 2
                rules.append(f"{x:.1f} {bottom} m {x:.1f} {top} l S")
    ops.append("ET")
    if rules:
        ops = ["0.5 w"] + rules + ops
    return "\n".join(ops).encode()


def to_unicode(codes):
    body = [b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap",
            b"/CMapName /Seed-UCS def /CMapType 2 def",
            b"1 begincodespacerange <0000> <FFFF> endcodespacerange"]
    codes = sorted(codes)
    for start in range(0, len(codes), 100):
        chunk = codes[start : start + 100]
        body.append(f"{len(chunk)} beginbfchar".encode())
        body.extend(f"<{c:04X}> <{c:04X}>".encode() for c in chunk)
        body.append(b"endbfchar")
    body.append(b"endcmap CMapName currentdict /CMap defineresource pop end end")
    return b"\n".join(body)


def font_objects(encoding, codes):
    """The font's objects, the first of them the font /F1 refers to (numbered from 3)."""
    if encoding == "WinAnsiEncoding":
        return [b"<< /Type /Font /Subtype /TrueType /BaseFont /Arial "
                b"/Encoding /WinAnsiEncoding /FirstChar 32 /LastChar 126 "
                b"/Widths [" + b" ".join([b"500"] * 95) + b"] >>"]
    ordering = b"Identity" if encoding == "Identity-H" else b"GB1"
    widths = b" /W [32 126 500]" if encoding == "Identity-H" else b""
    objects = [
        b"<< /Type /Font /Subtype /Type0 /BaseFont /SimSun /Encoding /" + encoding.encode()
        + b" /DescendantFonts [4 0 R]"
        + (b" /ToUnicode 6 0 R" if encoding == "Identity-H" else b"") + b" >>",
        b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /SimSun"
        + b" /CIDSystemInfo << /Registry (Adobe) /Ordering (" + ordering + b") /Supplement 4 >>"
        + b" /FontDescriptor 5 0 R"
        + b" /DW 1000" + widths + b" >>",
        b"<< /Type /FontDescriptor /FontName /SimSun /Flags 4 /FontBBox [0 -141 1000 859] "
        b"/ItalicAngle 0 /Ascent 859 /Descent -141 /CapHeight 859 /StemV 80 >>",
    ]
    if encoding == "Identity-H":
        objects.append(stream(to_unicode(codes), compress=True))
    return objects


def stream(data, compress):
    if compress:
        data = zlib.compress(data)
        return b"<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream" % (len(data), data)
    return b"<< /Length %d >>\nstream\n%s\nendstream" % (len(data), data)


def write_pdf(path, text, encoding, compress, ruled):
    lines = text.splitlines()
    pages = [lines[i : i + LINES_PER_PAGE] for i in range(0, len(lines), LINES_PER_PAGE)] or [[]]
    codes = {ord(c) for c in text if 0x20 <= ord(c) < 0x10000}
    fonts = font_objects(encoding, codes)
    first_page = 3 + len(fonts)
    kids = " ".join(f"{first_page + 2 * i} 0 R" for i in range(len(pages)))
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               f"<< /Type /Pages /Kids [{kids}] /Count {len(pages)} >>".encode()] + fonts
    for i, page in enumerate(pages):
        objects.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources "
                       f"<< /Font << /F1 3 0 R >> >> /Contents {first_page + 2 * i + 1} 0 R >>"
                       .encode())
        objects.append(stream(page_content(page, encoding, ruled), compress))
    path.write_bytes(pdf_bytes(objects))


# The pages of the texts are written in these in turn, so every encoding and form appears.
VARIANTS = [("Identity-H", True, False), ("UniGB-UCS2-H", False, False),
            ("GBK-EUC-H", False, True), ("Identity-H", False, True),
            ("UniGB-UCS2-H", True, True), ("WinAnsiEncoding", False, False)]


def main():
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    written = 0
    for source in map(Path, sys.argv[2:]):
        lines = source.read_text(encoding="utf-8").splitlines()
        # A run's cost grows with the pages read: one page a seed, and the first text whole
        # (several pages in one file).
        pages = ["\n".join(lines[i : i + LINES_PER_PAGE])
                 for i in range(0, len(lines), LINES_PER_PAGE)]
        if written == 0:
            pages.append("\n".join(lines))
        for n, text in enumerate(pages):
            encoding, compress, ruled = VARIANTS[written % len(VARIANTS)]
            written += 1
            form = f"{encoding}{'.flate' if compress else ''}{'.ruled' if ruled else ''}"
            write_pdf(out / f"{source.stem}.{n + 1}.{form}.pdf", text, encoding, compress, ruled)


if __name__ == "__main__":
    main()
