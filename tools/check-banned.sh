#!/usr/bin/env bash
# Fails when a banned function is called anywhere in the project's C code
# (STYLE.md §14): strcpy, strcat, sprintf, vsprintf, atoi, atol, gets.
set -uo pipefail
cd "$(dirname "$0")/.."
hits=$(grep -rnE '(^|[^A-Za-z0-9_])(strcpy|strcat|sprintf|vsprintf|atoi|atol|gets)[[:space:]]*\(' \
    --include='*.c' --include='*.h' src include tools tests fuzz bench examples 2>/dev/null)
if [ -n "$hits" ]; then
    echo "banned functions used:"
    echo "$hits"
    exit 1
fi
echo "banned-function check: clean"
