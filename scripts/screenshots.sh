#!/usr/bin/env bash
# Screenshots of the cashier window and the customer display under Xvfb with two screens
# (1280x800 for the cashier, 800x480 for the customer display), Chinese text included.
#   scripts/screenshots.sh [--locale en]     -> screenshots/*.png
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
display=:${POS_SHOT_DISPLAY:-97}
Xvfb "$display" -screen 0 1280x800x24 -screen 1 800x480x24 -nolisten tcp >/tmp/pos-xvfb.log 2>&1 &
xvfb=$!
trap 'kill $xvfb 2>/dev/null || true' EXIT
for _ in $(seq 50); do
  xdpyinfo -display "$display" >/dev/null 2>&1 && break
  [ -e "/tmp/.X11-unix/X${display#:}" ] && break
  sleep 0.1
done
DISPLAY=$display QT_QPA_PLATFORM=xcb .venv/bin/python scripts/screenshots.py \
  --customer-size 800x480 "$@"
