#!/usr/bin/env bash
# Build quadform and put it on PATH:  scripts/install.sh [PREFIX]
#
#   PREFIX   where to install: the binaries go to PREFIX/bin (quadform, and quadform-explorer, the
#            server `quadform serve` runs). Default: /usr/local as root,
#            ~/.local otherwise. A PREFIX you cannot write is written with sudo (only the copy).
#   CONFIGURATION=debug scripts/install.sh PREFIX
#            installs the debug build instead of `swift build -c release` (CI uses it to test this
#            script without a second full compile).
#
# The binary keeps using the Swift runtime of the toolchain that built it (its RUNPATH names the
# toolchain's lib/swift/linux) and the system's LAPACKE/OpenBLAS; uninstall by deleting
# PREFIX/bin/quadform and PREFIX/bin/quadform-explorer. To run without installing: swift run -c release quadform synth "x^2 + y".
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" -eq 0 ]; then DEFAULT_PREFIX=/usr/local; else DEFAULT_PREFIX="$HOME/.local"; fi
PREFIX="${1:-${PREFIX:-$DEFAULT_PREFIX}}"
CONFIGURATION="${CONFIGURATION:-release}"
case "$CONFIGURATION" in release|debug) ;; *) echo "install.sh: CONFIGURATION must be release or debug, got '$CONFIGURATION'" >&2; exit 2 ;; esac

# quadform-explorer is the server `quadform serve` runs (quadform itself does not link the HTTP stack).
for product in quadform quadform-explorer; do
    echo "== swift build -c $CONFIGURATION --product $product"
    swift build -c "$CONFIGURATION" --product "$product"
done
BIN_DIR="$(swift build -c "$CONFIGURATION" --show-bin-path)"

SUDO=""
if ! mkdir -p "$PREFIX/bin" 2>/dev/null || [ ! -w "$PREFIX/bin" ]; then
    if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null; then SUDO="sudo"; else
        echo "install.sh: cannot write $PREFIX/bin" >&2; exit 2
    fi
    $SUDO mkdir -p "$PREFIX/bin"
fi
# Copy to a temporary name and rename, so a running binary is never overwritten in place.
for product in quadform quadform-explorer; do
    $SUDO install -m 755 "$BIN_DIR/$product" "$PREFIX/bin/.$product.tmp.$$"
    $SUDO mv -f "$PREFIX/bin/.$product.tmp.$$" "$PREFIX/bin/$product"
    echo "== installed $PREFIX/bin/$product"
done
"$PREFIX/bin/quadform" --version | head -1

case ":$PATH:" in
    *":$PREFIX/bin:"*) ;;
    *) echo "note: $PREFIX/bin is not on PATH; add it:  export PATH=\"$PREFIX/bin:\$PATH\"" ;;
esac
