#!/usr/bin/env bash
# Builds the libFuzzer targets fuzz/.work/bin/fuzz-{expression,npy,json}: the QuadForm sources and
# fuzz/Harness.swift compiled with -sanitize=fuzzer,address, BigInt as a separate (uninstrumented
# for coverage, address-sanitized) static module from the package's checkout.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
WORK=$ROOT/fuzz/.work
mkdir -p "$WORK/bin" "$WORK/bigint"
if [ ! -d .build/checkouts/BigInt/Sources ]; then swift package resolve; fi

if [ ! -f "$WORK/bigint/libBigInt.a" ]; then
  swiftc -parse-as-library -O -sanitize=address -module-name BigInt -emit-module \
    -emit-module-path "$WORK/bigint/BigInt.swiftmodule" -emit-library -static \
    -o "$WORK/bigint/libBigInt.a" .build/checkouts/BigInt/Sources/*.swift
fi

targets=("${@:-expression npy json}")
for target in ${targets[@]}; do
  flag=FUZZ_$(echo "$target" | tr a-z A-Z)
  swiftc -parse-as-library -sanitize=fuzzer,address -use-ld=lld -O -g -module-name QuadForm -D "$flag" \
    -I Sources/CLapacke -I "$WORK/bigint" -L "$WORK/bigint" -lBigInt -llapacke -lblas \
    $(find Sources/QuadForm -name '*.swift' | sort) fuzz/Harness.swift -o "$WORK/bin/fuzz-$target"
  echo "built $WORK/bin/fuzz-$target"
done
