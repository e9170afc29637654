#!/usr/bin/env python3
"""Adds or refreshes the Traditional Chinese `text_hant` line after each `text` line of a
script TOML file, converting with OpenCC (`pip install opencc-purepy`, Apache-2.0).

Usage: python3 tools/add_hant.py data/scripts.toml
A `text_hant` line ending in `# hand` was edited by a person and is kept as it is.
"""
import sys
from opencc_purepy import OpenCC

def main(path):
    cc = OpenCC("s2tw")
    lines = open(path, encoding="utf-8").read().split("\n")
    out = []
    i = 0
    while i < len(lines):
        line = lines[i]
        out.append(line)
        if line.startswith("text = "):
            nxt = lines[i + 1] if i + 1 < len(lines) else ""
            if nxt.startswith("text_hant = ") and nxt.rstrip().endswith("# hand"):
                pass
            else:
                if nxt.startswith("text_hant = "):
                    i += 1
                out.append("text_hant = " + cc.convert(line[len("text = "):]))
        i += 1
    open(path, "w", encoding="utf-8").write("\n".join(out))

if __name__ == "__main__":
    main(sys.argv[1])
