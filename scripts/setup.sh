#!/usr/bin/env bash
# Set up quadform on Debian/Ubuntu with Swift 6 installed, as root or as a user (sudo only when not
# root): the system libraries it links (LAPACKE, OpenBLAS, pkg-config; ScaLAPACK/OpenMPI for
# quadform-mpi) and Graphviz for pictures,
# then a release build installed as PREFIX/bin/quadform (scripts/install.sh; PREFIX defaults to
# /usr/local, which is on PATH for root and users alike).
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
# OpenMPI and ScaLAPACK: quadform-mpi (docs/distributed.md), a target of the same package.
$SUDO apt-get install -y --no-install-recommends liblapacke-dev libopenblas-dev pkg-config graphviz \
    libscalapack-openmpi-dev libopenmpi-dev openmpi-bin

PREFIX="${PREFIX:-/usr/local}"
scripts/install.sh "$PREFIX"

if [ "$#" -gt 0 ]; then
    echo "== quadform $*"
    exec "$PREFIX/bin/quadform" "$@"
fi
