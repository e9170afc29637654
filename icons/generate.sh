#!/usr/bin/env bash
# Regenerates every app icon from one 1024x1024 master drawn with ImageMagick.
# The mark is a rounded square in Ant Design blue (#1677ff) carrying a white 售,
# so the icon matches the UI's primary colour and reads as "after-sales" in Chinese.
# Needs the real ImageMagick 6 (`convert-im6.q16`), fonts-noto-cjk and python3
# (python3 writes icon.icns, because ImageMagick 6 has no ICNS writer).
set -euo pipefail
cd "$(dirname "$0")"

IM=${IM:-/usr/bin/convert}
FONT=${FONT:-Noto-Sans-CJK-SC-Bold}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The glyph's ink box is not centred on its em box, so measure it and shift it
# until the ink sits in the middle of the square.
size=1024
pt=600
read -r gw gh gx gy < <("$IM" -size ${size}x${size} xc:black -font "$FONT" -pointsize $pt \
  -fill white -gravity center -annotate +0+0 '售' -trim -format '%w %h %X %Y\n' info:- |
  tr -d '+' )
dx=$(( size / 2 - (gx + gw / 2) ))
dy=$(( size / 2 - (gy + gh / 2) ))
ox=$(printf '%+d' "$dx")
oy=$(printf '%+d' "$dy")

"$IM" -size ${size}x${size} xc:none \
  -fill '#1677ff' -draw "roundrectangle 0,0 $((size - 1)),$((size - 1)) 228,228" \
  -font "$FONT" -pointsize $pt -fill white -gravity center -annotate "${ox}${oy}" '售' \
  -depth 8 "$work/master.png"

png() { "$IM" "$work/master.png" -filter Lanczos -resize "$1x$1" -depth 8 -strip "PNG32:$2"; }

png 32 32x32.png
png 128 128x128.png
png 256 128x128@2x.png
png 512 icon.png

# Windows: one .ico holding the sizes Explorer and the taskbar ask for.
for s in 16 24 32 48 64 256; do png "$s" "$work/ico-$s.png"; done
"$IM" "$work"/ico-16.png "$work"/ico-24.png "$work"/ico-32.png "$work"/ico-48.png \
  "$work"/ico-64.png "$work"/ico-256.png icon.ico

# macOS: an .icns is a 'icns' header followed by typed chunks; modern types
# simply wrap PNG data, so a few lines of Python are enough.
for s in 16 32 64 128 256 512 1024; do png "$s" "$work/icns-$s.png"; done
python3 - "$work" <<'PY'
import struct, sys
work = sys.argv[1]
types = [("icp4", 16), ("icp5", 32), ("icp6", 64), ("ic07", 128), ("ic08", 256),
         ("ic09", 512), ("ic10", 1024), ("ic11", 32), ("ic12", 64), ("ic13", 256), ("ic14", 512)]
chunks = b""
for kind, s in types:
    data = open(f"{work}/icns-{s}.png", "rb").read()
    chunks += kind.encode() + struct.pack(">I", len(data) + 8) + data
with open("icon.icns", "wb") as out:
    out.write(b"icns" + struct.pack(">I", len(chunks) + 8) + chunks)
PY
echo "icons written to $(pwd)"
