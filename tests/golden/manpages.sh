#!/bin/sh
# Every example in the manuals works: each literal block of lr(5)'s EXAMPLES
# section runs as an experiment, and each `$ lrc ...` command in lrc(1)'s
# EXAMPLES runs and prints what the page shows after it (if anything).
. "$(dirname "$0")/../golden_lib.sh"

# Splits the literal blocks of a page's EXAMPLES section into tmp/NAME.N,
# undoing the mdoc escapes they use.
blocks() {
    awk -v out="$tmp/$2" '
        /^\.Sh / { inside = ($2 == "EXAMPLES") }
        inside && /^\.Bd -literal/ { n++; file = out "." n; printf "" > file; next }
        inside && /^\.Ed/ { file = ""; next }
        file != "" {
            gsub(/\\\(em/, "\342\200\224"); gsub(/\\e/, "\\"); gsub(/\\&/, "")
            print >> file
        }' "$1"
}

blocks man/lr.5 lr5
# In the page's order: an inference example loads what the one before saved.
n=1
while [ -e "$tmp/lr5.$n" ]; do
    f=$tmp/lr5.$n
    if "$LRC" --quiet "$f" >/dev/null 2>"$tmp/err"; then echo "ok lr(5) example $(basename "$f")"
    else echo "not ok lr(5) example $(basename "$f"): $(head -3 "$tmp/err")"; fi
    n=$((n + 1))
done

blocks man/lrc.1 lrc1
# The commands run in a scratch directory (with examples/), where what
# they write (a run directory, a figure) goes.
top=$(pwd)
mkdir "$tmp/work" && ln -s "$top/examples" "$tmp/work/examples"
# In the page's order too: an example may use the run directory an
# earlier one made.
n=1
while [ -e "$tmp/lrc1.$n" ]; do
    f=$tmp/lrc1.$n
    n=$((n + 1))
    # Join continuation lines; run every "$ lrc" line, compare the rest.
    sed -e ':a' -e '/\\$/N; s/\\\n//; ta' "$f" >"$tmp/joined"
    grep '^\$ lrc' "$tmp/joined" | sed 's/^\$ lrc/"$LRC"/' >"$tmp/cmds"
    grep -v '^\$ ' "$tmp/joined" >"$tmp/want"
    if (cd "$tmp/work" && eval "$(cat "$tmp/cmds")") >"$tmp/got" 2>"$tmp/err"; then
        if [ ! -s "$tmp/want" ] || cmp -s "$tmp/want" "$tmp/got"; then
            echo "ok lrc(1) example $(basename "$f")"
        else
            echo "not ok lrc(1) example $(basename "$f"): $(diff "$tmp/want" "$tmp/got" | head -4)"
        fi
    else
        echo "not ok lrc(1) example $(basename "$f"): $(head -3 "$tmp/err")"
    fi
done
exit 0
