#!/usr/bin/env python3
"""The obvious script, for comparison with gouji in `cargo bench --bench pipeline`.

Checks the table balances of the applications table (三、收到和处理政府信息公开申请情况) of
every .txt report under a directory, one core: for each of the seven columns,
  新收 + 上年结转 = 办理结果总计 + 结转下年度, and
  办理结果总计 = the sum of the result rows above it.
Prints the number of reports read and of imbalances found.
"""

import os
import re
import sys

NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


def numbers(line):
    """The last seven numeric cells of a tab-separated row ("/" and blanks count 0)."""
    cells = [c.strip() for c in line.split("\t")]
    values = []
    for cell in cells[1:]:
        if NUMBER.match(cell):
            values.append(float(cell))
        elif cell in ("/", "／"):
            values.append(0.0)
    return values[-7:] if len(values) >= 7 else None


def check(text):
    new = carried = total = carried_over = None
    results = []
    in_results = False
    for line in text.splitlines():
        row = numbers(line)
        if "本年新收政府信息公开申请数量" in line:
            new = row
        elif "上年结转政府信息公开申请数量" in line:
            carried = row
        elif "本年度办理结果" in line:
            in_results = True
            if row:
                results.append(row)
        elif "总计" in line and in_results and row:
            total = row
            in_results = False
        elif "结转下年度继续办理" in line:
            carried_over = row
        elif in_results and row:
            results.append(row)
    if None in (new, carried, total, carried_over):
        return 1
    imbalances = 0
    for col in range(7):
        if abs(new[col] + carried[col] - total[col] - carried_over[col]) > 1e-9:
            imbalances += 1
        if abs(sum(r[col] for r in results) - total[col]) > 1e-9:
            imbalances += 1
    return imbalances


def main():
    reports = imbalances = 0
    for root, _, files in os.walk(sys.argv[1]):
        for name in sorted(files):
            if name.endswith(".txt"):
                with open(os.path.join(root, name), encoding="utf-8") as f:
                    imbalances += check(f.read())
                reports += 1
    print(f"{reports} reports, {imbalances} imbalances")


if __name__ == "__main__":
    main()
