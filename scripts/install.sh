#!/usr/bin/env bash
# Build quadform and put it on PATH:  scripts/install.sh [PREFIX]
#
#   PREFIX   where to install: PREFIX/bin/quadform, PREFIX/bin/quadform-explorer (the server `quadform
#            serve` runs; quadform itself does not link the HTTP stack), PREFIX/bin/quadform-mpi
#            (docs/distributed.md) and
#            the man pages PREFIX/share/man/man1/quadform.1 and quadform-mpi.1 (generated from the
#            commands' help by swift-argument-parser's generate-manual plugin). Default: /usr/local
#            as root, ~/.local otherwise. A PREFIX you cannot write is written with sudo (only the copy).
#   CONFIGURATION=debug scripts/install.sh PREFIX
#            installs the debug build instead of `swift build -c release` (CI uses it to test this
#            script without a second full compile).
#
# The binary keeps using the Swift runtime of the toolchain that built it (its RUNPATH names the
# toolchain's lib/swift/linux) and the system's LAPACKE/OpenBLAS; uninstall by deleting
# PREFIX/bin/quadform, PREFIX/bin/quadform-explorer, PREFIX/bin/quadform-mpi and
# PREFIX/share/man/man1/quadform*.1.
# To run without installing: swift run -c release quadform synth "x^2 + y".
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" -eq 0 ]; then DEFAULT_PREFIX=/usr/local; else DEFAULT_PREFIX="$HOME/.local"; fi
PREFIX="${1:-${PREFIX:-$DEFAULT_PREFIX}}"
CONFIGURATION="${CONFIGURATION:-release}"
case "$CONFIGURATION" in release|debug) ;; *) echo "install.sh: CONFIGURATION must be release or debug, got '$CONFIGURATION'" >&2; exit 2 ;; esac

for product in quadform quadform-explorer quadform-mpi; do
    echo "== swift build -c $CONFIGURATION --product $product"
    swift build -c "$CONFIGURATION" --product "$product"
done
BIN_DIR="$(swift build -c "$CONFIGURATION" --show-bin-path)"

# The man pages, from the commands' own help (swift-argument-parser's generate-manual plugin; it
# reuses the build above and writes under .build/plugins/GenerateManual/outputs/).
echo "== swift package generate-manual --configuration $CONFIGURATION"
swift package generate-manual --configuration "$CONFIGURATION" >/dev/null
MAN_SOURCE=.build/plugins/GenerateManual/outputs

MAN_DIR="$PREFIX/share/man/man1"
SUDO=""
if ! mkdir -p "$PREFIX/bin" "$MAN_DIR" 2>/dev/null || [ ! -w "$PREFIX/bin" ] || [ ! -w "$MAN_DIR" ]; then
    if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null; then SUDO="sudo"; else
        echo "install.sh: cannot write $PREFIX/bin and $MAN_DIR" >&2; exit 2
    fi
    $SUDO mkdir -p "$PREFIX/bin" "$MAN_DIR"
fi
# Copy to a temporary name and rename, so a running quadform is never overwritten in place.
for product in quadform quadform-explorer quadform-mpi; do
    $SUDO install -m 755 "$BIN_DIR/$product" "$PREFIX/bin/.$product.tmp.$$"
    $SUDO mv -f "$PREFIX/bin/.$product.tmp.$$" "$PREFIX/bin/$product"
    echo "== installed $PREFIX/bin/$product"
    if [ -f "$MAN_SOURCE/$product/$product.1" ]; then
        $SUDO install -m 644 "$MAN_SOURCE/$product/$product.1" "$MAN_DIR/$product.1"
        echo "== installed $MAN_DIR/$product.1"
    fi
done
"$PREFIX/bin/quadform" --version | head -1

case ":$PATH:" in
    *":$PREFIX/bin:"*) ;;
    *) echo "note: $PREFIX/bin is not on PATH; add it:  export PATH=\"$PREFIX/bin:\$PATH\"" ;;
esac
