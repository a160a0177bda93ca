#!/bin/sh
# Where lrc finds its standard library: from its own binary, whatever
# PREFIX it was installed under (nothing is compiled in). Prints
# "ok NAME" / "not ok NAME: why".
. "$(dirname "$0")/../golden_lib.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
unset LRC_PATH

# `use` from a directory that is neither the build tree nor the prefix.
mkdir "$tmp/elsewhere"
printf 'use schedules\nminimize (x - 3)^2 from x=0 lr=linear_decay steps=3\n' >"$tmp/elsewhere/s.lr"

# The layout `make install DESTDIR=D PREFIX=/opt/x` makes.
prefix="$tmp/d/opt/x"
mkdir -p "$prefix/bin" "$prefix/share/lrc/stdlib"
cp "$LRC" "$prefix/bin/lrc"
cp "$top"/stdlib/*.lr "$prefix/share/lrc/stdlib/"
(cd "$tmp/elsewhere" && "$prefix/bin/lrc" --quiet s.lr) >"$tmp/out" 2>"$tmp/err"
st=$?
if [ $st -eq 0 ] && [ -s "$tmp/out" ]; then ok "an installed lrc finds PREFIX/share/lrc/stdlib"
else notok "an installed lrc finds PREFIX/share/lrc/stdlib" "exit $st: $(head -3 "$tmp/err")"; fi

# A build tree: the stdlib/ beside the binary.
mkdir -p "$tmp/tree/stdlib"
cp "$LRC" "$tmp/tree/lrc"
cp "$top"/stdlib/*.lr "$tmp/tree/stdlib/"
(cd "$tmp/elsewhere" && "$tmp/tree/lrc" --quiet s.lr) >"$tmp/out2" 2>"$tmp/err"
st=$?
if [ $st -eq 0 ] && cmp -s "$tmp/out" "$tmp/out2"; then ok "lrc finds the stdlib beside it"
else notok "lrc finds the stdlib beside it" "exit $st: $(head -3 "$tmp/err")"; fi

# Without either, the message says where it looked.
rm -r "$prefix/share/lrc/stdlib"
(cd "$tmp/elsewhere" && "$prefix/bin/lrc" check s.lr) >/dev/null 2>"$tmp/err"
st=$?
real=$(cd "$prefix" && pwd -P)
if [ $st -eq 2 ] && grep -qF "cannot find module 'schedules' (searched $real/bin/stdlib, $real/share/lrc/stdlib)" "$tmp/err"
then ok "a missing stdlib names the directories searched"
else notok "a missing stdlib names the directories searched" "exit $st: $(head -1 "$tmp/err")"; fi
