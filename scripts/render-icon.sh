#!/usr/bin/env bash
# Renders media/icon.svg to the 128×128 media/icon.png the marketplace and the Extensions view show, with headless Chromium (the Debian package the UI tests use).
set -euo pipefail
cd "$(dirname "$0")/.."
chromium="${ROD_CHROMIUM:-/usr/bin/chromium}"
page="$(mktemp --suffix=.html)"
trap 'rm -f "$page"' EXIT
# A page exactly the icon's size with a transparent background, so the rounded corners stay transparent.
printf '<html><body style="margin:0;background:transparent">%s</body></html>' "$(cat media/icon.svg)" > "$page"
"$chromium" --headless --no-sandbox --disable-gpu --hide-scrollbars --default-background-color=00000000 \
  --window-size=128,128 --screenshot="$PWD/media/icon.png" "file://$page" 2>/dev/null
file media/icon.png
