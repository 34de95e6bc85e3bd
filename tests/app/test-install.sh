#!/usr/bin/env bash
# tests/app/test-install.sh — `meson install` into a temporary DESTDIR: the installed files,
# validated, and the installed app run from there, finding its settings schema and its
# translations in the prefix rather than in the build folder
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Run by meson (under xvfb-run) with BACKPROP_BUILD_DIR, MESON (meson's command) and
# INSTALL_PREFIX, INSTALL_BINDIR, INSTALL_DATADIR, INSTALL_LOCALEDIR (the build's options). The
# checks of the files need no display; launching the app needs one and xdotool, and is skipped
# without them. Nothing needs MNIST: the app gets a tiny IDX data set made here.

. "$(dirname "$0")/lib.sh"

SOURCE_ROOT=$(cd "$(dirname "$0")/../.." && pwd)
APP_ID=io.github.nndl.Backprop
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"; finish' EXIT
DESTDIR=$WORK/destdir
ROOT=$DESTDIR${INSTALL_PREFIX:?}
BIN=$ROOT/${INSTALL_BINDIR:?}
SHARE=$ROOT/${INSTALL_DATADIR:?}
LOCALE=$ROOT/${INSTALL_LOCALEDIR:?}

# ── Install ─────────────────────────────────────────────────────────────────────────────────

install_into_destdir ()
{
  "${MESON:?}" install -C "$BACKPROP_BUILD_DIR" --no-rebuild --destdir "$DESTDIR" \
    >"$OUT_DIR/install.log" 2>&1
}
check "meson install --destdir works (log: $OUT_DIR/install.log)" install_into_destdir

# Exactly these files, nothing missing and nothing else (a test program, a build-tree file).
expected=(
  "$BIN/backprop"
  "$BIN/backprop-cli"
  "$SHARE/applications/$APP_ID.desktop"
  "$SHARE/metainfo/$APP_ID.metainfo.xml"
  "$SHARE/glib-2.0/schemas/$APP_ID.gschema.xml"
  "$SHARE/icons/hicolor/scalable/apps/$APP_ID.svg"
  "$SHARE/icons/hicolor/symbolic/apps/$APP_ID-symbolic.svg"
)
for lang in $(grep -v '^#' "$SOURCE_ROOT/po/LINGUAS"); do
  expected+=("$LOCALE/$lang/LC_MESSAGES/backprop.mo")
done
printf '%s\n' "${expected[@]}" | sort >"$WORK/expected"
(cd "$WORK" && find destdir \( -type f -o -type l \) | sed "s|^destdir|$DESTDIR|" | sort) >"$WORK/installed"
if cmp -s "$WORK/expected" "$WORK/installed"; then
  ok "the installed files are the ${#expected[@]} expected"
else
  not_ok "the installed files are the ${#expected[@]} expected"
  diff "$WORK/expected" "$WORK/installed" | grep '^[<>]' | sed "s|$DESTDIR||; s/^</# missing:/; s/^>/# unexpected:/"
fi
check "the programs are executable" test -x "$BIN/backprop" -a -x "$BIN/backprop-cli"

# The build folder is only where the files came from: the installed app looks for its
# translations in the prefix (LOCALEDIR, compiled in), and no run path points into the build.
check "the app's translations are looked for in $INSTALL_PREFIX/$INSTALL_LOCALEDIR" \
  grep -qaF "$INSTALL_PREFIX/$INSTALL_LOCALEDIR" "$BIN/backprop"
check "no run path into the build folder" \
  bash -c "! readelf -d '$BIN/backprop' '$BIN/backprop-cli' | grep -E 'R(UN)?PATH' | grep -qF '$BACKPROP_BUILD_DIR'"

# ── The installed data files ────────────────────────────────────────────────────────────────

desktop=$SHARE/applications/$APP_ID.desktop
metainfo=$SHARE/metainfo/$APP_ID.metainfo.xml
# validate DESCRIPTION COMMAND…: COMMAND succeeds; its report becomes TAP comments.
validate ()
{
  local description=$1 status
  shift
  if ! command -v "$1" >/dev/null 2>&1; then
    ok "# SKIP $1 is not installed"
    return
  fi
  "$@" >"$WORK/report" 2>&1
  status=$?
  check "$description" test "$status" = 0
  sed 's/^/# /' "$WORK/report"
}
validate "desktop-file-validate passes the installed desktop entry" desktop-file-validate "$desktop"
validate "appstreamcli validate passes the installed metadata" \
  appstreamcli validate --no-net --strict "$metainfo"
exec_name=$(sed -n 's/^Exec=\([^ ]*\).*/\1/p' "$desktop")
icon_name=$(sed -n 's/^Icon=//p' "$desktop")
check "the desktop entry runs an installed program ($exec_name)" test -x "$BIN/$exec_name"
check "and names an installed icon ($icon_name)" test -f "$SHARE/icons/hicolor/scalable/apps/$icon_name.svg"
check "the desktop entry is translated (Comment[zh_CN])" grep -q '^Comment\[zh_CN\]=' "$desktop"
check "the metadata is translated (summary xml:lang=zh_CN)" grep -q '<summary xml:lang="zh_CN">' "$metainfo"
check "the metadata launches the installed desktop entry" \
  grep -qF "<launchable type=\"desktop-id\">$APP_ID.desktop</launchable>" "$metainfo"

# meson does not run the post-install step (glib-compile-schemas) into a DESTDIR: do it as a
# package's post-installation would.
compile_schemas ()
{
  glib-compile-schemas --strict "$SHARE/glib-2.0/schemas" >"$WORK/report" 2>&1
  local status=$?
  sed 's/^/# /' "$WORK/report"
  [ "$status" = 0 ] && [ -s "$SHARE/glib-2.0/schemas/gschemas.compiled" ]
}
check "glib-compile-schemas --strict compiles the installed schema" compile_schemas

# The installed catalogue translates, read with gettext itself.
zh=$(TEXTDOMAINDIR=$LOCALE LC_ALL=C.UTF-8 LANGUAGE=zh_CN gettext backprop "Neural Network Lab" 2>/dev/null)
check "the installed zh_CN catalogue translates (“${zh}”)" test "$zh" = "神经网络实验室"

# ── The installed app ───────────────────────────────────────────────────────────────────────

if [ -z "${DISPLAY:-}" ] || ! command -v xdotool >/dev/null 2>&1 || ! command -v import >/dev/null 2>&1; then
  ok "# SKIP the installed app is not launched: no display, xdotool or import"
  exit
fi

# A tiny MNIST-shaped data set (IDX files: 200 training and 50 test images of 28×28, labels 0 to
# 9), so that the app reaches its lab at once and without the real one.
be32 ()
{
  printf "\\x$(printf %02x $(($1 >> 24 & 255)))\\x$(printf %02x $(($1 >> 16 & 255)))\\x$(printf %02x $(($1 >> 8 & 255)))\\x$(printf %02x $(($1 & 255)))"
}
make_idx ()
{
  local prefix=$1 n=$2 i
  { be32 2051; be32 "$n"; be32 28; be32 28; head -c $((n * 784)) /dev/urandom; } >"$WORK/mnist/$prefix-images-idx3-ubyte"
  { be32 2049; be32 "$n"; for ((i = 0; i < n; i++)); do printf "\\x0$((i % 10))"; done; } >"$WORK/mnist/$prefix-labels-idx1-ubyte"
}
mkdir -p "$WORK/mnist" "$WORK/config/glib-2.0/settings" "$WORK/home"
make_idx train 200
make_idx t10k 50

# Settings in a keyfile: a window size that is not the default shows that the installed schema
# was found and read.
printf '[io/github/nndl/Backprop]\nwindow-size=(1000, 700)\n' >"$WORK/config/glib-2.0/settings/keyfile"

# launch NAME [NAME=VALUE…]: the installed app, from the DESTDIR only: data files from
# XDG_DATA_DIRS, the catalogues from the installed locale folder (the compiled-in one is under
# the real prefix, which a DESTDIR is not), nothing of the build folder or of `meson devenv`.
launch ()
{
  local name=$1
  shift
  EVENTS=$OUT_DIR/$name-events.log
  APP_STDERR=$OUT_DIR/$name-stderr.log
  : >"$EVENTS"
  (cd "$WORK" && exec env -u GSETTINGS_SCHEMA_DIR -u BACKPROP_LOCALEDIR -u BACKPROP_APP \
     -u LANGUAGE -u LC_MESSAGES -u LANG \
     HOME="$WORK/home" XDG_CONFIG_HOME="$WORK/config" XDG_DATA_HOME="$WORK/home/data" \
     XDG_DATA_DIRS="$SHARE:/usr/local/share:/usr/share" \
     GSETTINGS_BACKEND=keyfile LC_ALL=C.UTF-8 BACKPROP_LOCALEDIR="$LOCALE" \
     BACKPROP_DATA_DIR="$WORK/mnist" BACKPROP_TEST_EVENTS=1 \
     GSK_RENDERER=cairo GDK_DEBUG=gl-disable GTK_A11Y=none \
     "$@" "$BIN/backprop" >"$EVENTS" 2>"$APP_STDERR") &
  APP_PID=$!
}

# The view switcher in the header bar, where the views' names are: its pixels say which
# language the window is in.
header_shot ()
{
  import -window "$WID" -crop "${WIDTH}x50+0+0" +repage "$OUT_DIR/$1.png"
}

quit_app ()
{
  key ctrl+q
  wait_exit 10
}

launch english
check "the installed app is ready" wait_for '^ready$' 30
check "and shows its window" focus_window
eval "$(xdotool getwindowgeometry --shell "${WID:-0}" 2>/dev/null)"
check "of the size the settings keyfile gives (${WIDTH:-?}×${HEIGHT:-?}): the installed schema is read" \
  test "${WIDTH:-0}x${HEIGHT:-0}" = 1000x700
sleep 0.3
header_shot english
check "nothing was logged on stderr (no missing schema)" test ! -s "$APP_STDERR"
quit_app
check "Ctrl+Q quits it (status $EXIT_STATUS)" test "$EXIT_STATUS" = 0

launch chinese LANGUAGE=zh_CN
check "in Chinese: ready" wait_for '^ready$' 30
focus_window
sleep 0.3
header_shot chinese
quit_app

# The same, without the catalogues: the English window again. The comparison of the two tells
# the translation apart from anything else that might change between runs.
launch no-catalogue LANGUAGE=zh_CN BACKPROP_LOCALEDIR="$WORK/no-such-folder"
wait_for '^ready$' 30
focus_window
sleep 0.3
header_shot no-catalogue
quit_app

differing ()
{
  compare -metric AE "$OUT_DIR/$1.png" "$OUT_DIR/$2.png" null: 2>&1 | cut -d ' ' -f 1
}
same=$(differing english no-catalogue)
translated=$(differing english chinese)
check "without the installed catalogue, LANGUAGE=zh_CN shows the English header ($same pixels differ)" \
  test "${same:-x}" = 0
check "with it, the header is in Chinese ($translated pixels differ; $OUT_DIR/chinese.png)" \
  test "${translated:-0}" -gt 500
