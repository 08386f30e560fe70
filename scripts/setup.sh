#!/usr/bin/env bash
# Set up quadform on Debian/Ubuntu with Swift 6 installed, as root or as a user (sudo only when not
# root): the system packages of scripts/system-packages.txt with role build or tool (LAPACKE,
# OpenBLAS, GMP, pkg-config; ScaLAPACK/OpenMPI for quadform-mpi; Graphviz for pictures),
# then a release build installed as PREFIX/bin/quadform and PREFIX/bin/quadform-mpi, with the man
# page (scripts/install.sh; PREFIX defaults to /usr/local, which is on PATH for root and users alike).
#
#   scripts/setup.sh                      set up and install
#   scripts/setup.sh synth "x^2 + y"      … then run `quadform synth "x^2 + y"`
#   PREFIX=$HOME/.local scripts/setup.sh  install somewhere else
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
# The one list of system packages (what each is for is written next to it there).
mapfile -t PACKAGES < <(awk '!/^#/ && NF && ($2 == "build" || $2 == "tool") { print $1 }' scripts/system-packages.txt)
$SUDO apt-get install -y --no-install-recommends "${PACKAGES[@]}"

PREFIX="${PREFIX:-/usr/local}"
scripts/install.sh "$PREFIX"

if [ "$#" -gt 0 ]; then
    echo "== quadform $*"
    exec "$PREFIX/bin/quadform" "$@"
fi
