#!/usr/bin/env bash
# Screenshots of the real app with the demo shop, under Xvfb, for a look by eye:
# first run, workbench, case list and a case page, written to tests/artifacts/.
#
# Needs xvfb-run, ImageMagick's `import`, xdotool and a built app
# (cargo build -p afterdesk-app). The app opens a throw-away database (AFTERDESK_DB in a
# temporary folder), so nothing of a real shop is touched. Clicks go to fixed positions
# in the 1280x800 window; they are the first-run screen's demo button, the menu's
# 售后单 entry and the first row of the list.
set -euo pipefail
cd "$(dirname "$0")/.."
app=${APP:-${CARGO_TARGET_DIR:-target}/debug/afterdesk-app}
out=tests/artifacts
mkdir -p "$out"
tmp=$(mktemp -d)
export AFTERDESK_DB="$tmp/shop.sqlite" AFTERDESK_DEVICE=screenshots
export XDG_CONFIG_HOME="$tmp/config" XDG_DATA_HOME="$tmp/data"
export APP_BIN="$(realpath "$app")" OUT="$(realpath "$out")"
xvfb-run -a -s '-screen 0 1280x800x24' sh -c '
  "$APP_BIN" & pid=$!
  sleep 12; import -window root "$OUT/01-first-run.png"
  xdotool mousemove 900 420 click 1
  sleep 6; import -window root "$OUT/02-workbench.png"
  xdotool mousemove 100 130 click 1
  sleep 6; import -window root "$OUT/03-case-list.png"
  xdotool mousemove 640 150 click 1
  sleep 6; import -window root "$OUT/04-case-page.png"
  kill $pid; exit 0'
rm -rf "$tmp"
ls -l "$out"
