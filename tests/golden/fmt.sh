#!/bin/sh
# lrc fmt: every .lr file of the repository formats to a file that formats
# to itself, checks to the same experiment (or the same errors) and keeps
# every comment; the layout of a messy file is the one lrc(1) describes;
# --check, '-', and the files it must not or cannot touch.
. "$(dirname "$0")/../golden_lib.sh"
top=$(pwd)

# The comments of an .lr file, in order, found without lrc: a '#' outside
# a string runs to the end of its line (trailing blanks are no part of it).
comments() {
    "$PY" -c '
import sys
for line in open(sys.argv[1], encoding="utf-8", errors="surrogateescape"):
    quoted = escaped = False
    for i, c in enumerate(line):
        if quoted:
            if escaped: escaped = False
            elif c == "\\": escaped = True
            elif c == "\"": quoted = False
        elif c == "\"": quoted = True
        elif c == "#":
            print(line[i:].rstrip(" \t\r\n")); break
' "$1"
}

# The messages of lrc check, without their places (formatting moves lines).
messages() {
    grep -E '(^lrc: |: )(error|warning|note): ' "$1" | sed -E 's/^<stdin>:[0-9]+:[0-9]+: //'
}

# --- every .lr file in the repository ---------------------------------
n_formatted=0 n_unparsed=0 bad=""
for f in $(find examples stdlib bench tests fuzz -name '*.lr' | sort); do
    dir=$(dirname "$f")
    "$LRC" fmt - <"$f" >"$tmp/a.lr" 2>"$tmp/a.err"
    st=$?
    if [ $st -eq 2 ]; then
        # Not parsed: the errors are among lrc check's, word for word
        # (which also reports what checking the statements that parsed finds).
        (cd "$dir" && "$LRC" check - <"$top/$f") >/dev/null 2>"$tmp/c.err"
        if [ ! -s "$tmp/a.lr" ] && [ -s "$tmp/a.err" ] && ! grep -qvxFf "$tmp/c.err" "$tmp/a.err"; then
            n_unparsed=$((n_unparsed + 1))
        else
            bad="$bad $f(unparsed: $(head -1 "$tmp/a.err"))"
        fi
        continue
    fi
    if [ $st -ne 0 ]; then
        bad="$bad $f(exit $st)"
        continue
    fi
    n_formatted=$((n_formatted + 1))
    "$LRC" fmt - <"$tmp/a.lr" >"$tmp/b.lr" 2>&1
    cmp -s "$tmp/a.lr" "$tmp/b.lr" || bad="$bad $f(twice: $(diff "$tmp/a.lr" "$tmp/b.lr" | head -3))"
    (cd "$dir" && "$LRC" check --explain - <"$top/$f") >"$tmp/c1.out" 2>"$tmp/c1.err"
    s1=$?
    (cd "$dir" && "$LRC" check --explain - <"$tmp/a.lr") >"$tmp/c2.out" 2>"$tmp/c2.err"
    s2=$?
    messages "$tmp/c1.err" >"$tmp/m1"
    messages "$tmp/c2.err" >"$tmp/m2"
    if [ $s1 -ne $s2 ] || ! cmp -s "$tmp/c1.out" "$tmp/c2.out" || ! cmp -s "$tmp/m1" "$tmp/m2"; then
        bad="$bad $f(check: exit $s1/$s2 $(diff "$tmp/c1.out" "$tmp/c2.out" | head -3) $(diff "$tmp/m1" "$tmp/m2" | head -3))"
    fi
    comments "$f" >"$tmp/k1"
    comments "$tmp/a.lr" >"$tmp/k2"
    cmp -s "$tmp/k1" "$tmp/k2" || bad="$bad $f(comments: $(diff "$tmp/k1" "$tmp/k2" | head -3))"
done
# Most files parse; the corpus of parse errors does not.
if [ -z "$bad" ] && [ $n_formatted -ge 50 ] && [ $n_unparsed -ge 5 ]; then
    ok "fmt: every .lr file ($n_formatted formatted, $n_unparsed not parsed)"
else
    notok "fmt: every .lr file ($n_formatted formatted, $n_unparsed not parsed)" "$bad"
fi

# --- the layout ----------------------------------------------------------
cat >"$tmp/messy.lr" <<'EOF'
#  header comment   
seed   1 ;  # seed note


let   rate=0.1*2^-1
let f( x ,y )=x^2+ -y
let xs = [1,  # one
   2,
      # three next
 3]
let h = dense(4) ->  # hidden
  dense(1)
dataset d=linear(n=100,features=2,weights=[1,-0.5,])   validation=0.2
model dense(64,activation=relu,init=he_normal)->dropout(0.1)->dense(64,activation=relu,init=he_normal)->dense(1)
loss mse;optimizer sgd lr = rate   momentum=0.9
# before train

# after a blank
train epochs = 2 metrics=[ mae , mse ]  # trailing
evaluate on = d . validation   # short
minimize f(x, 1) from x=-1 lr=piecewise(boundaries=[0], values=[0.05, 0.5]) steps=20 trace=true
EOF
cat >"$tmp/want.lr" <<'EOF'
#  header comment
seed 1  # seed note

let rate = 0.1 * 2^-1
let f(x, y) = x^2 + -y
let xs = [1,  # one
          2,
          # three next
          3]
let h = dense(4) ->  # hidden
        dense(1)
dataset d = linear(n=100, features=2, weights=[1, -0.5]) validation=0.2
model dense(64, activation=relu, init=he_normal) -> dropout(0.1) ->
      dense(64, activation=relu, init=he_normal) -> dense(1)
loss mse
optimizer sgd lr=rate momentum=0.9
# before train

# after a blank
train epochs=2 metrics=[mae, mse]  # trailing
evaluate on=d.validation           # short
minimize f(x, 1) from x=-1 lr=piecewise(boundaries=[0],
                                        values=[0.05, 0.5]) steps=20 trace=true
EOF
"$LRC" fmt - <"$tmp/messy.lr" >"$tmp/got.lr" 2>"$tmp/err"
st=$?
if [ $st -eq 0 ] && cmp -s "$tmp/want.lr" "$tmp/got.lr" && [ ! -s "$tmp/err" ]; then ok "fmt: the layout of a messy file"
else notok "fmt: the layout of a messy file" "exit $st: $(diff "$tmp/want.lr" "$tmp/got.lr" | head -8) $(head -2 "$tmp/err")"; fi
check "fmt: the messy file checks as before" sh -c \
    "'$LRC' check --explain - <'$tmp/messy.lr' >'$tmp/e1' && '$LRC' check --explain - <'$tmp/want.lr' >'$tmp/e2' && cmp '$tmp/e1' '$tmp/e2'"
printf '' | "$LRC" fmt - >"$tmp/out" 2>"$tmp/err"
[ $? -eq 0 ] && [ ! -s "$tmp/out" ] && [ ! -s "$tmp/err" ] && ok "fmt: an empty file stays empty" ||
    notok "fmt: an empty file stays empty" "$(head -c 80 "$tmp/out") $(head -2 "$tmp/err")"

# --- the files of the repository are formatted -----------------------------
"$LRC" fmt --check examples/*.lr stdlib/*.lr >"$tmp/out" 2>"$tmp/err"
st=$?
[ $st -eq 0 ] && [ ! -s "$tmp/out" ] && ok "fmt: examples/ and stdlib/ are formatted" ||
    notok "fmt: examples/ and stdlib/ are formatted" "exit $st: $(cat "$tmp/out" "$tmp/err" | head -5)"

# --- rewriting files, --check ------------------------------------------------
mkdir "$tmp/w"
cp "$tmp/messy.lr" "$tmp/w/messy.lr"
cp "$tmp/want.lr" "$tmp/w/tidy.lr"
chmod 640 "$tmp/w/messy.lr"
cp "$tmp/w/messy.lr" "$tmp/w/messy.orig"
inode=$(stat -c %i "$tmp/w/tidy.lr")
"$LRC" fmt --check "$tmp/w/tidy.lr" "$tmp/w/messy.lr" >"$tmp/out" 2>"$tmp/err"
st=$?
printf '%s\n' "$tmp/w/messy.lr" >"$tmp/want"
[ $st -eq 1 ] && cmp -s "$tmp/want" "$tmp/out" && [ ! -s "$tmp/err" ] && cmp -s "$tmp/w/messy.lr" "$tmp/w/messy.orig" &&
    ok "fmt --check lists the file that would change, changes nothing, exit 1" ||
    notok "fmt --check lists the file that would change, changes nothing, exit 1" "exit $st: $(cat "$tmp/out" "$tmp/err" | head -3)"
"$LRC" fmt "$tmp/w/tidy.lr" "$tmp/w/messy.lr" >"$tmp/out" 2>"$tmp/err"
st=$?
[ $st -eq 0 ] && [ ! -s "$tmp/out" ] && [ ! -s "$tmp/err" ] && cmp -s "$tmp/want.lr" "$tmp/w/messy.lr" &&
    [ "$(stat -c %a "$tmp/w/messy.lr")" = 640 ] && [ "$(stat -c %i "$tmp/w/tidy.lr")" = "$inode" ] &&
    [ "$(ls -A "$tmp/w" | wc -l)" -eq 3 ] &&
    ok "fmt rewrites a file that changes (keeping its mode), not one that does not" ||
    notok "fmt rewrites a file that changes (keeping its mode), not one that does not" \
        "exit $st: $(cat "$tmp/out" "$tmp/err" | head -3) mode $(stat -c %a "$tmp/w/messy.lr") $(ls -A "$tmp/w")"
"$LRC" fmt --check "$tmp/w/tidy.lr" "$tmp/w/messy.lr" >"$tmp/out" 2>"$tmp/err"
st=$?
[ $st -eq 0 ] && [ ! -s "$tmp/out" ] && ok "fmt --check of formatted files: nothing listed, exit 0" ||
    notok "fmt --check of formatted files: nothing listed, exit 0" "exit $st: $(head -3 "$tmp/out")"
expect "fmt --check - lists <stdin>" 1 "" sh -c "'$LRC' fmt --check - <'$tmp/messy.lr' | grep -qx '<stdin>' && exit 1"
ln -s messy.orig "$tmp/w/link.lr"
"$LRC" fmt "$tmp/w/link.lr" 2>"$tmp/err"
[ $? -eq 0 ] && [ -L "$tmp/w/link.lr" ] && cmp -s "$tmp/want.lr" "$tmp/w/messy.orig" &&
    ok "fmt through a symlink rewrites its target and keeps the link" ||
    notok "fmt through a symlink rewrites its target and keeps the link" "$(head -2 "$tmp/err")"

# --- what fmt must not or cannot touch -----------------------------------
printf 'seed   1\nmodel dense(4 -> dense(1)\ntrain\n' >"$tmp/w/broken.lr"
cp "$tmp/w/broken.lr" "$tmp/w/broken.orig"
"$LRC" check "$tmp/w/broken.lr" 2>"$tmp/want" >/dev/null
"$LRC" fmt "$tmp/w/broken.lr" >"$tmp/out" 2>"$tmp/err"
st=$?
[ $st -eq 2 ] && [ -s "$tmp/want" ] && cmp -s "$tmp/want" "$tmp/err" && [ ! -s "$tmp/out" ] &&
    cmp -s "$tmp/w/broken.lr" "$tmp/w/broken.orig" &&
    ok "fmt leaves a file that does not parse alone, with lrc check's errors, exit 2" ||
    notok "fmt leaves a file that does not parse alone, with lrc check's errors, exit 2" "exit $st: $(head -3 "$tmp/err")"
cp "$tmp/messy.lr" "$tmp/w/again.lr"
"$LRC" fmt "$tmp/w/broken.lr" "$tmp/w/again.lr" >/dev/null 2>&1
st=$?
[ $st -eq 2 ] && cmp -s "$tmp/want.lr" "$tmp/w/again.lr" &&
    ok "fmt formats the other files when one does not parse, exit 2" ||
    notok "fmt formats the other files when one does not parse, exit 2" "exit $st"
expect_exact "fmt of a missing file" 2 "lrc: error: cannot read '$tmp/w/none.lr': No such file or directory\n" \
    "$LRC" fmt "$tmp/w/none.lr"
expect "fmt of a directory" 2 "cannot read '$tmp/w': it is a directory" "$LRC" fmt "$tmp/w"
cp "$tmp/messy.lr" "$tmp/w/ro.lr"
chmod 444 "$tmp/w/ro.lr"
if [ "$(id -u)" -ne 0 ]; then
    expect "fmt of a read-only file" 1 "cannot write '$tmp/w/ro.lr': Permission denied" \
        "$LRC" fmt "$tmp/w/ro.lr"
    check "fmt leaves a read-only file as it was" cmp "$tmp/messy.lr" "$tmp/w/ro.lr"
fi
# A write that fails (past 512 bytes) leaves the file and no temporary.
cp "$tmp/messy.lr" "$tmp/w/full.lr"
(ulimit -f 1; "$LRC" fmt "$tmp/w/full.lr") >/dev/null 2>"$tmp/err"
st=$?
[ $st -eq 1 ] && grep -q "cannot write '$tmp/w/full.lr'" "$tmp/err" && cmp -s "$tmp/messy.lr" "$tmp/w/full.lr" &&
    [ -z "$(ls -A "$tmp/w" | grep tmp)" ] &&
    ok "fmt: a failed write leaves the file whole and no temporary file, exit 1" ||
    notok "fmt: a failed write leaves the file whole and no temporary file, exit 1" "exit $st: $(head -2 "$tmp/err") $(ls -A "$tmp/w")"

# --- usage ---------------------------------------------------------------
expect "fmt needs a file" 2 "fmt needs a file" "$LRC" fmt
expect "fmt - is alone" 2 "fmt reads standard input \('-'\) alone" "$LRC" fmt - "$tmp/w/tidy.lr"
expect "--check only applies to fmt" 2 "--check only applies to 'lrc fmt'" "$LRC" check --check examples/iris.lr
expect "fmt takes no --explain" 2 "--explain only applies to 'lrc check'" "$LRC" fmt --explain examples/iris.lr
exit 0

# model input=[...] is an option of the model, spaced as one (not `model m = ...`).
printf 'model input = [8,8,1]->conv2d(4)->flatten->dense(1)\nmodel m = dense(1)\n' >"$tmp/input.lr"
got=$("$LRC" fmt - <"$tmp/input.lr" 2>&1)
if [ "$got" = "$(printf 'model input=[8, 8, 1] -> conv2d(4) -> flatten -> dense(1)\nmodel m = dense(1)')" ]; then
    ok "fmt writes model input= as an option"
else
    notok "fmt writes model input= as an option" "$got"
fi
