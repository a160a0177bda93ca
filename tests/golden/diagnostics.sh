#!/bin/sh
# Diagnostics: their cost on files full of errors, what they quote of the
# user's text, byte order marks, and the messages for unknown names.
# Prints "ok NAME" / "not ok NAME: why".
LRC=${LRC:-./lrc}
LRC=$(cd "$(dirname "$LRC")" && pwd)/$(basename "$LRC")
PY=/usr/bin/python3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ok() { echo "ok $1"; }
notok() { echo "not ok $1: $2"; }
# expect NAME STATUS PATTERN COMMAND...: the command exits STATUS and its
# stderr matches PATTERN (grep -E).
expect() {
    name=$1 want=$2 pattern=$3
    shift 3
    "$@" >"$tmp/out" 2>"$tmp/err"
    st=$?
    if [ $st -eq "$want" ] && { [ -z "$pattern" ] || grep -Eq -- "$pattern" "$tmp/err"; }; then ok "$name"
    else notok "$name" "exit $st: $(head -3 "$tmp/err")"; fi
}

# --- cost: a position is a binary search, and errors past the cap are only
# counted (this took minutes when each error rescanned the file). The bound
# is generous: about 0.4 s under ASan.
$PY -c "import sys; sys.stdout.write('evaluate\n' * 1000000)" >"$tmp/evaluate.lr"
expect "a million errors are checked quickly" 2 "evaluate.lr:20:1: error: evaluate needs a dataset" \
    timeout 10 "$LRC" check "$tmp/evaluate.lr"
[ "$(grep -c ': error: ' "$tmp/err")" -eq 20 ] && ok "only the first 20 errors are printed" ||
    notok "only the first 20 errors are printed" "$(grep -c ': error: ' "$tmp/err") printed"
