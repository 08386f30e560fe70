#!/usr/bin/env bash
# Build quadform and put it on PATH:  scripts/install.sh [PREFIX]
#
#   PREFIX   where to install: the binary goes to PREFIX/bin/quadform. Default: /usr/local as root,
#            ~/.local otherwise. A PREFIX you cannot write is written with sudo (only the copy).
#   CONFIGURATION=debug scripts/install.sh PREFIX
#            installs the debug build instead of `swift build -c release` (CI uses it to test this
#            script without a second full compile).
#
# The binary keeps using the Swift runtime of the toolchain that built it (its RUNPATH names the
# toolchain's lib/swift/linux) and the system's LAPACKE/OpenBLAS; uninstall by deleting
# PREFIX/bin/quadform. To run without installing: swift run -c release quadform synth "x^2 + y".
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" -eq 0 ]; then DEFAULT_PREFIX=/usr/local; else DEFAULT_PREFIX="$HOME/.local"; fi
PREFIX="${1:-${PREFIX:-$DEFAULT_PREFIX}}"
CONFIGURATION="${CONFIGURATION:-release}"
case "$CONFIGURATION" in release|debug) ;; *) echo "install.sh: CONFIGURATION must be release or debug, got '$CONFIGURATION'" >&2; exit 2 ;; esac

echo "== swift build -c $CONFIGURATION --product quadform"
swift build -c "$CONFIGURATION" --product quadform
BIN_DIR="$(swift build -c "$CONFIGURATION" --show-bin-path)"

SUDO=""
if ! mkdir -p "$PREFIX/bin" 2>/dev/null || [ ! -w "$PREFIX/bin" ]; then
    if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null; then SUDO="sudo"; else
        echo "install.sh: cannot write $PREFIX/bin" >&2; exit 2
    fi
    $SUDO mkdir -p "$PREFIX/bin"
fi
# Copy to a temporary name and rename, so a running quadform is never overwritten in place.
$SUDO install -m 755 "$BIN_DIR/quadform" "$PREFIX/bin/.quadform.tmp.$$"
$SUDO mv -f "$PREFIX/bin/.quadform.tmp.$$" "$PREFIX/bin/quadform"
echo "== installed $PREFIX/bin/quadform"
"$PREFIX/bin/quadform" --version | head -1

case ":$PATH:" in
    *":$PREFIX/bin:"*) ;;
    *) echo "note: $PREFIX/bin is not on PATH; add it:  export PATH=\"$PREFIX/bin:\$PATH\"" ;;
esac
