#!/usr/bin/env bash
# Builds the libFuzzer binary fuzz/.work/bin/fuzz-quadform: every library source (the core, reports
# and interop layers under Sources/QuadForm*) and fuzz/Harness.swift compiled with
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

# The library's layers (design.md §8) and the harness, compiled as one module: the layers' own
# `import QuadFormCore`/`QuadFormReports` lines are dropped from copies of their sources, and
# -package-name lets `package` declarations be seen across them.
rm -rf "$WORK/src" && mkdir -p "$WORK/src"
mapfile -t layered < <(find Sources/QuadFormCore Sources/QuadFormReports Sources/QuadFormInterop -name '*.swift' | sort)
[ "${#layered[@]}" -gt 0 ] || { echo "no sources under Sources/QuadFormCore" >&2; exit 1; }
sources=()
for f in "${layered[@]}"; do
  copy="$WORK/src/$(echo "$f" | tr '/' '_')"
  sed -E '/^import QuadForm(Core|Reports|Interop)$/d' "$f" > "$copy"
  sources+=("$copy")
done
swiftc -parse-as-library -sanitize=fuzzer,address -use-ld=lld -O -g -module-name QuadForm -package-name quadform \
  -I Sources/CLapacke -I Sources/CGMP -I "$WORK/bigint" -L "$WORK/bigint" -lBigInt -llapacke -lblas -lgmp \
  -I "$WORK/protobuf" -L "$WORK/protobuf" -lONNXProto -lSwiftProtobuf \
  "${sources[@]}" fuzz/Harness.swift -o "$WORK/bin/fuzz-quadform"
for target in $TARGETS; do ln -sf fuzz-quadform "$WORK/bin/fuzz-$target"; done
echo "built $WORK/bin/fuzz-quadform (${#sources[@]} sources); targets: $TARGETS"
