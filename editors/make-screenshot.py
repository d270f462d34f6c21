#!/usr/bin/env python3
"""Makes docs/editor.png: editors/sample.gouji highlighted with the TextMate grammar of
editors/vscode, drawn by headless Chromium (installed by apt: `apt-get install chromium`).

The tokenizer here follows TextMate's rules as far as this grammar needs them: at each place
the leftmost match of the patterns wins (the first pattern on a tie), `begin`/`end` rules
hold their own patterns, and `captures` colour groups. Run from anywhere:
    python3 editors/make-screenshot.py
"""
import html
import json
import os
import re
import subprocess
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
GRAMMAR = json.load(open(os.path.join(HERE, "vscode/syntaxes/gouji.tmLanguage.json"), encoding="utf-8"))
SAMPLE = open(os.path.join(HERE, "sample.gouji"), encoding="utf-8").read()

# A light theme close to VS Code's "Light+".
COLOURS = [
    ("comment", "#008000"),
    ("string.regexp", "#811f3f"),
    ("variable.other.placeholder", "#0070c1"),
    ("constant.character.escape", "#ee0000"),
    ("string", "#a31515"),
    ("keyword.control", "#af00db"),
    ("keyword.other", "#0000ff"),
    ("keyword.operator.word", "#0000ff"),
    ("keyword.operator", "#000000"),
    ("constant.language", "#cd3131"),
    ("constant.numeric", "#098658"),
    ("entity.name.function", "#795e26"),
]


def colour(scope):
    for prefix, value in COLOURS:
        if scope.startswith(prefix):
            return value
    return None


def expand(patterns):
    """The patterns with every include replaced by what it names."""
    out = []
    for p in patterns:
        if "include" in p:
            rule = GRAMMAR["repository"][p["include"][1:]]
            out.extend(expand(rule["patterns"]) if "patterns" in rule and "match" not in rule and "begin" not in rule else [rule])
        else:
            out.append(p)
    return out


def tokenize(line, patterns, pos=0, end_re=None, spans=None):
    """Coloured spans (start, end, scope) of a line; returns the position after `end_re`."""
    spans = [] if spans is None else spans
    compiled = [(p, re.compile(p["match"] if "match" in p else p["begin"])) for p in patterns]
    while pos <= len(line):
        best = None
        for p, rx in compiled:
            m = rx.search(line, pos)
            if m and (best is None or m.start() < best[1].start()):
                best = (p, m)
        if end_re is not None:
            m = end_re.search(line, pos)
            if m and (best is None or m.start() <= best[1].start()):
                return m.end()
        if best is None or best[1].end() == best[1].start() and best[1].start() >= len(line):
            return len(line)
        p, m = best
        if "match" in p:
            if "name" in p:
                spans.append((m.start(), m.end(), p["name"]))
            for group, capture in p.get("captures", {}).items():
                if m.group(int(group)) is not None:
                    spans.append((m.start(int(group)), m.end(int(group)), capture["name"]))
            pos = max(m.end(), pos + 1)
        else:
            inner = []
            stop = tokenize(line, expand(p.get("patterns", [])), m.end(), re.compile(p["end"]), inner)
            spans.append((m.start(), stop, p["name"]))
            spans.extend(inner)
            pos = max(stop, pos + 1)
    return len(line)


def render_line(line):
    spans = []
    tokenize(line, expand(GRAMMAR["patterns"]), spans=spans)
    scopes = [None] * len(line)
    # Outer spans first, inner ones (captures, placeholders) over them.
    for start, end, scope in sorted(spans, key=lambda s: (s[0], -(s[1] - s[0]))):
        for i in range(start, min(end, len(line))):
            scopes[i] = scope
    out, i = [], 0
    while i < len(line):
        j = i
        while j < len(line) and scopes[j] == scopes[i]:
            j += 1
        text = html.escape(line[i:j])
        c = colour(scopes[i]) if scopes[i] else None
        out.append(f'<span style="color:{c}">{text}</span>' if c else text)
        i = j
    return "".join(out)


def main():
    body = "\n".join(render_line(l) for l in SAMPLE.rstrip("\n").split("\n"))
    page = f"""<!doctype html><meta charset="utf-8"><style>
body {{ margin: 0; background: #ffffff; }}
pre {{ margin: 0; padding: 16px 20px; font: 15px/1.55 "Noto Sans Mono CJK SC", "Noto Sans CJK SC", monospace; }}
.bar {{ background: #f3f3f3; color: #333; font: 13px sans-serif; padding: 6px 20px; border-bottom: 1px solid #ddd; }}
</style><div class="bar">sample.gouji — 勾稽规则语言 · editors/vscode</div><pre>{body}</pre>"""
    with tempfile.TemporaryDirectory() as tmp:
        page_path = os.path.join(tmp, "sample.html")
        open(page_path, "w", encoding="utf-8").write(page)
        out = os.path.join(ROOT, "docs", "editor.png")
        subprocess.run(
            ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
             f"--screenshot={out}", "--window-size=1000,1010", "file://" + page_path],
            check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    print("wrote", out)


if __name__ == "__main__":
    main()
