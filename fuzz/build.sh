#!/usr/bin/env bash
# Builds the libFuzzer binary fuzz/.work/bin/fuzz-quadform: every QuadForm source (found in all the
# stage folders under Sources/QuadForm) and fuzz/Harness.swift compiled with
# -sanitize=fuzzer,address, BigInt as a separate (uninstrumented for coverage, address-sanitized)
# static module from the package's checkout, and likewise SwiftProtobuf and the generated ONNX
# messages (ONNXProto) for the ONNX reader. The targets are links to that one binary, named
# fuzz-TARGET; the harness picks the target from the name it is started under.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
WORK=$ROOT/fuzz/.work
TARGETS="expression json-form json-network npy npz onnx safetensors"
mkdir -p "$WORK/bin" "$WORK/bigint" "$WORK/protobuf"
if [ ! -d .build/checkouts/BigInt/Sources ] || [ ! -d .build/checkouts/swift-protobuf/Sources ]; then swift package resolve; fi

if [ ! -f "$WORK/bigint/libBigInt.a" ]; then
  swiftc -parse-as-library -O -sanitize=address -module-name BigInt -emit-module \
    -emit-module-path "$WORK/bigint/BigInt.swiftmodule" -emit-library -static \
    -o "$WORK/bigint/libBigInt.a" .build/checkouts/BigInt/Sources/*.swift
fi

if [ ! -f "$WORK/protobuf/libONNXProto.a" ]; then
  mapfile -t protobuf < <(find .build/checkouts/swift-protobuf/Sources/SwiftProtobuf -name '*.swift' | sort)
  swiftc -parse-as-library -O -sanitize=address -module-name SwiftProtobuf -package-name swift_protobuf -emit-module \
    -emit-module-path "$WORK/protobuf/SwiftProtobuf.swiftmodule" -emit-library -static \
    -o "$WORK/protobuf/libSwiftProtobuf.a" "${protobuf[@]}"
  swiftc -parse-as-library -O -sanitize=address -module-name ONNXProto -emit-module \
    -I "$WORK/protobuf" -emit-module-path "$WORK/protobuf/ONNXProto.swiftmodule" -emit-library -static \
    -o "$WORK/protobuf/libONNXProto.a" Sources/ONNXProto/*.swift
fi

mapfile -t sources < <(find Sources/QuadForm -name '*.swift' | sort)
[ "${#sources[@]}" -gt 0 ] || { echo "no sources under Sources/QuadForm" >&2; exit 1; }
swiftc -parse-as-library -sanitize=fuzzer,address -use-ld=lld -O -g -module-name QuadForm \
  -I Sources/CLapacke -I Sources/CGMP -I "$WORK/bigint" -L "$WORK/bigint" -lBigInt -llapacke -lblas -lgmp \
  -I "$WORK/protobuf" -L "$WORK/protobuf" -lONNXProto -lSwiftProtobuf \
  "${sources[@]}" fuzz/Harness.swift -o "$WORK/bin/fuzz-quadform"
for target in $TARGETS; do ln -sf fuzz-quadform "$WORK/bin/fuzz-$target"; done
echo "built $WORK/bin/fuzz-quadform (${#sources[@]} sources); targets: $TARGETS"
