#!/usr/bin/env bash
# Fails, naming the files, when a Swift file is not as swift-format (with .swift-format) writes it.
# `make format` fixes them.
set -u
cd "$(dirname "$0")/.."
bad=0
while IFS= read -r -d '' f; do
    if ! swift format format --configuration .swift-format "$f" 2>/dev/null | cmp -s - "$f"; then
        echo "not formatted: $f"
        bad=1
    fi
done < <(find Sources Tools Chapters Tests Fuzz -name '*.swift' -print0; printf 'Package.swift\0')
long=$(find Sources Tools Chapters Tests Fuzz -name '*.swift' -print0 | LC_ALL=C.UTF-8 xargs -0 grep -hcE '^.{121,}' |
    awk '{n += $1} END {print n + 0}')
if [ "$long" -gt 0 ]; then echo "$long lines are over 120 characters"; bad=1; fi
if [ "$bad" = 1 ]; then echo "run 'make format' (lines that stay long are strings or comments to break by hand)"; exit 1; fi
echo "formatting: every Swift file as swift-format writes it, no line over 120 characters"
