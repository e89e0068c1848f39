#!/usr/bin/env bash
# Builds the one-folder bundle dist/pos/ from build.spec with PyInstaller, then proves the frozen
# app works on its own, headless, in a fresh data folder:
#   1. every Qt library the bundled Qt plugins link against is in the bundle (ldd, Linux);
#   2. `pos demo --products 200` seeds the demo store;
#   3. `pos self-test` passes on Qt's offscreen platform;
#   4. the bundled CJK font alone renders Chinese (system fonts hidden from fontconfig);
#   5. `pos self-test` passes on a real X server (Xvfb) when xvfb-run is installed
#      (POS_BUNDLE_XVFB=0 skips it);
#   6. `pos decode` reads a QR code generated here (OpenCV, numpy and zxing-cpp in the bundle) and
#      prints exactly the expected JSON line; on Linux pyzbar loads the bundled libzbar, and the
#      face models are in the bundle with the SHA-256 the app checks.
# Exits non-zero with "build_bundle: FAILED: ..." on the first problem. Prints the build time
# and the bundle size. Safe to run again (build/ and dist/ are rebuilt; both are git-ignored).
# POS_BUNDLE_SKIP_BUILD=1 re-runs the checks on the existing dist/pos without rebuilding.
set -euo pipefail
cd "$(dirname "$0")/.."

BUNDLE=dist/pos
APP=$BUNDLE/pos
LOG=build/pyinstaller.log
RUN_TIMEOUT=${POS_BUNDLE_RUN_TIMEOUT:-120}  # seconds per frozen command; CI must never hang

fail() {
  echo "build_bundle: FAILED: $*" >&2
  exit 1
}

now() {  # seconds since the epoch, with decimals where bash has EPOCHREALTIME (bash 5)
  local t=${EPOCHREALTIME:-}
  [ -n "$t" ] && echo "${t/,/.}" || date +%s
}

seconds_since() {  # seconds since a now() value, one decimal
  awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'
}

timeout_cmd=()
command -v timeout >/dev/null 2>&1 && timeout_cmd=(timeout "$RUN_TIMEOUT")

all_started=$(now)
mkdir -p build

# One build at a time in this checkout (a second one would delete the first one's dist/).
if command -v flock >/dev/null 2>&1; then
  exec 9>build/.build_bundle.lock
  flock -n 9 || fail "another scripts/build_bundle.sh is running in $(pwd)"
fi

# --- build --------------------------------------------------------------------------------------
if [ "${POS_BUNDLE_SKIP_BUILD:-0}" = "1" ]; then
  echo "build_bundle: POS_BUNDLE_SKIP_BUILD=1: checking the existing $BUNDLE"
  build_time="skipped"
else
  [ -x .venv/bin/pyinstaller ] || fail ".venv/bin/pyinstaller is missing: run scripts/setup.sh"
  echo "build_bundle: building $BUNDLE (log: $LOG)"
  build_started=$(now)
  if ! .venv/bin/pyinstaller --noconfirm --clean build.spec >"$LOG" 2>&1; then
    tail -n 40 "$LOG" >&2
    fail "PyInstaller failed; the last lines of $LOG are above"
  fi
  build_time="$(seconds_since "$build_started") s"
  echo "build_bundle: built in $build_time"
fi
[ -x "$APP" ] || fail "$APP was not produced (see $LOG)"

# --- 1. Qt libraries the bundled plugins need -------------------------------------------------
# build.spec drops some Qt plugins and libraries (virtual keyboard, QML/Quick, PDF...); a Qt
# library that is "not found" means it dropped one still in use. Host libraries (GTK, Wayland)
# are optional and may be missing on build machines, so only Qt's own count.
if [ "$(uname -s)" = "Linux" ] && command -v ldd >/dev/null 2>&1; then
  missing=$(find "$BUNDLE/_internal/PySide6" -name '*.so*' -type f -print0 \
    | xargs -0 -r -n 20 ldd 2>/dev/null \
    | grep -E '^\s*lib(Qt6|pyside6|shiboken6|icu)[^ ]* => not found' | sort -u || true)
  [ -z "$missing" ] || fail "bundled Qt plugins need Qt libraries that build.spec left out:
$missing"
  echo "ok   bundle: every Qt library the bundled plugins link against is present"
fi

# --- the frozen app, isolated from this machine's config, caches and display --------------------
tmp=$(mktemp -d "${TMPDIR:-/tmp}/pos-bundle.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/data" "$tmp/config" "$tmp/cache"

frozen() {  # frozen [ENV=VALUE...] -- ARGS...: runs $APP on the fresh data folder, output in $out
  local envs=()
  while [ "$1" != "--" ]; do envs+=("$1"); shift; done
  shift
  set +e
  out=$(env -u POS_CONFIG -u POS_DATA_DIR -u ESCPOS_CAPABILITIES_PICKLE_DIR -u FONTCONFIG_FILE \
      -u DISPLAY -u WAYLAND_DISPLAY \
      XDG_CONFIG_HOME="$tmp/config" XDG_CACHE_HOME="$tmp/cache" QT_QPA_PLATFORM=offscreen \
      "${envs[@]}" "${timeout_cmd[@]}" "$APP" --data-dir "$tmp/data" "$@" 2>&1)
  status=$?
  set -e
}

# --- 2. demo store ------------------------------------------------------------------------------
step_started=$(now)
frozen -- demo --products 200
echo "$out" | sed 's/^/     /'
[ "$status" -eq 0 ] || fail "frozen \`pos demo --products 200\` exited with $status (output above)"
echo "ok   demo: seeded in $(seconds_since "$step_started") s"

# --- 3. self-test, offscreen --------------------------------------------------------------------
step_started=$(now)
frozen -- self-test
echo "$out"
[ "$status" -eq 0 ] || fail "frozen \`pos self-test\` (QT_QPA_PLATFORM=offscreen) exited with $status (output above)"
echo "ok   self-test (offscreen): $(seconds_since "$step_started") s"

# --- 4. the bundled font on its own -------------------------------------------------------------
# A fontconfig configuration that knows only the bundle's fonts: the self-test's Qt check finds
# a Simplified Chinese font only if the bundled one works.
fonts_dir="$(pwd)/$BUNDLE/_internal/resources/fonts"
if [ "$(uname -s)" = "Linux" ] && ls "$fonts_dir"/*.tt[cf] >/dev/null 2>&1; then
  cat >"$tmp/bundled-fonts-only.conf" <<EOF
<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">
<fontconfig><dir>$fonts_dir</dir><cachedir>$tmp/cache/fontconfig</cachedir></fontconfig>
EOF
  frozen FONTCONFIG_FILE="$tmp/bundled-fonts-only.conf" -- self-test
  qt_line=$(echo "$out" | grep -E '^(ok|FAIL) +qt:' || true)
  case "$qt_line" in
    ok*) echo "ok   bundled font alone: ${qt_line#*qt: }" ;;
    *) echo "$out" >&2; fail "the bundled CJK font does not render without the system fonts" ;;
  esac
elif [ "$(uname -s)" = "Linux" ]; then
  fail "no CJK font in $fonts_dir (see build.spec: POS_CJK_FONT)"
fi

# --- 5. self-test on a real X server ------------------------------------------------------------
if [ "${POS_BUNDLE_XVFB:-1}" != "0" ] && command -v xvfb-run >/dev/null 2>&1; then
  # Not through frozen(): xvfb-run starts the server and sets DISPLAY for the app itself.
  set +e
  out=$(env -u POS_CONFIG -u POS_DATA_DIR -u ESCPOS_CAPABILITIES_PICKLE_DIR -u FONTCONFIG_FILE \
      -u WAYLAND_DISPLAY -u QT_QPA_PLATFORM \
      XDG_CONFIG_HOME="$tmp/config" XDG_CACHE_HOME="$tmp/cache" \
      "${timeout_cmd[@]}" xvfb-run -a -s "-screen 0 1280x800x24" \
      "$APP" --data-dir "$tmp/data" self-test 2>&1)
  status=$?
  set -e
  qt_line=$(echo "$out" | grep -E '^(ok|FAIL) +qt:' || true)
  [ "$status" -eq 0 ] || { echo "$out" >&2; fail "frozen \`pos self-test\` on Xvfb (xcb) exited with $status"; }
  echo "ok   self-test on Xvfb: ${qt_line#*qt: }"
fi

# --- 6. the camera stack: decode a generated QR code with the frozen app -----------------------
step_started=$(now)
qr_text="POS-BUNDLE-CHECK-0001"
.venv/bin/python - "$tmp/qr.png" "$qr_text" <<'EOF_PY' || fail "could not generate the test QR code"
import sys

import cv2
import numpy as np
import zxingcpp

bitmap = zxingcpp.create_barcode(sys.argv[2], zxingcpp.BarcodeFormat.QRCode)
image = np.asarray(bitmap.to_image(scale=8, add_quiet_zones=True), dtype=np.uint8)
sys.exit(0 if cv2.imwrite(sys.argv[1], image) else 1)
EOF_PY
expected="{\"file\": \"$tmp/qr.png\", \"format\": \"QRCode\", \"text\": \"$qr_text\"}"
if [ "$(uname -s)" = "Linux" ]; then
  frozen LD_DEBUG=libs LD_DEBUG_OUTPUT="$tmp/ld" -- decode "$tmp/qr.png"
else
  frozen -- decode "$tmp/qr.png"
fi
[ "$status" -eq 0 ] || { echo "$out" >&2; fail "frozen \`pos decode\` exited with $status"; }
decoded=$(echo "$out" | grep -F '"format"' || true)
[ "$decoded" = "$expected" ] || { echo "$out" >&2; fail "frozen \`pos decode\` printed
  $decoded
instead of
  $expected"; }
echo "ok   decode: $decoded ($(seconds_since "$step_started") s)"
if [ "$(uname -s)" = "Linux" ]; then
  [ -e "$BUNDLE/_internal/libzbar.so.0" ] || fail "libzbar.so.0 is not in the bundle (apt-get install libzbar0 before building)"
  grep -qs "calling init: $(pwd)/$BUNDLE/_internal/libzbar.so.0" "$tmp"/ld.* \
    || fail "the frozen app did not load the bundled libzbar (scripts/pyi_hooks/rthook_pos_zbar.py)"
  echo "ok   zbar: pyzbar loads the bundled libzbar.so.0"
fi
models="$BUNDLE/_internal/resources/models"
for model in face_detection_yunet_2023mar_int8bq.onnx:49f000ec501fef24739071fc7e68267d32209045b6822c0c72dce1da25726f10 \
             face_recognition_sface_2021dec_int8bq.onnx:fb143eea07838aa532d1c95df5f69899974ea0140e1fba05e94204be13ed74ee; do
  name=${model%%:*}
  [ -f "$models/$name" ] || fail "face model $name is not in $models"
  [ "$(sha256sum "$models/$name" | cut -d' ' -f1)" = "${model#*:}" ] \
    || fail "face model $name in the bundle is not the shipped file"
done
echo "ok   face models: bundled with their licences ($(du -sh "$models" | cut -f1))"

echo "build_bundle: bundle $(du -sh "$BUNDLE" | cut -f1) in $BUNDLE; build $build_time;" \
     "total $(seconds_since "$all_started") s"
