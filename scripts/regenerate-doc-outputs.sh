#!/usr/bin/env bash
# Rewrites the outputs of the ```console transcripts in README.md and docs/*.md that no longer match
# what the built quadform prints (Tests/QuadFormCLITests/DocExamples.swift states the format).
# Transcripts that still match — numbers within tolerance, `[...]` for varying output — are left
# as they are, so the diff shows only real changes; review it, and put `[...]` back where a
# regenerated line holds something that varies between machines (versions, BLAS threads,
# timings, absolute paths).
#
#   scripts/regenerate-doc-outputs.sh            build, then regenerate
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --build-tests
QUADFORM_REGENERATE_DOCS=1 swift test --skip-build --filter 'DocExamplesTests/run' 2>&1 | grep -E "^regenerated|error|✘" || true
git diff --stat -- README.md docs
