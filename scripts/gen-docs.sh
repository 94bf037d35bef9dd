#!/usr/bin/env bash
# Regenerates completions/ and docs/man/ from the cobra command tree.
# TestGeneratedDocs fails in CI when they are stale.
set -euo pipefail
cd "$(dirname "$0")/.."
KITE_UPDATE_DOCS=1 go test ./cmd/kite -run '^TestGeneratedDocs$' -count=1 >/dev/null
echo "regenerated completions/ and docs/man/"
