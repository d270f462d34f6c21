#!/usr/bin/env bash
# Fills corpus/<target>/ with the test fixtures each target reads (run from fuzz/; the corpora
# are not committed). Copies are named by content hash, as libFuzzer names what it adds.
set -eu
fixtures=../tests/fixtures
seed() { # seed TARGET FIND-ARGS...
    target=$1
    shift
    mkdir -p "corpus/$target"
    find "$@" -type f -print0 | while IFS= read -r -d '' file; do
        cp "$file" "corpus/$target/$(sha1sum "$file" | cut -c1-40)"
    done
}
for target in rules parse_rules; do
    seed "$target" ../rules "$fixtures" -name '*.gouji'
done
for target in report_text extract_text; do
    seed "$target" "$fixtures" -name '*.txt' -size -64k
done
for target in report_html extract_html; do
    seed "$target" "$fixtures" '(' -name '*.html' -o -name '*.htm' ')' -size -64k
done
seed report_structured "$fixtures/reports" '(' -name '*.json' -o -name '*.toml' ')'
# The published PDFs are 128-330 KB and cost 20-110 ms a run; small PDFs laid out from their
# text instead (pdf_seeds.py), and the fixture PDFs that are small anyway.
python3 pdf_seeds.py "corpus/report_pdf" "$fixtures"/published/*.chromium.txt
seed report_pdf "$fixtures" -name '*.pdf' -size -64k
seed report_docx "$fixtures" -name '*.docx'
