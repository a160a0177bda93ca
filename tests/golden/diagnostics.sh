#!/bin/sh
# Diagnostics: their cost on files full of errors, what they quote of the
# user's text, byte order marks, and the messages for unknown names.
# Prints "ok NAME" / "not ok NAME: why".
. "$(dirname "$0")/../golden_lib.sh"

# --- cost: a position is a binary search, and errors past the cap are only
# counted (this took minutes when each error rescanned the file). The bound
# is generous: about 0.4 s under ASan.
$PY -c "import sys; sys.stdout.write('evaluate\n' * 1000000)" >"$tmp/evaluate.lr"
expect "a million errors are checked quickly" 2 "evaluate.lr:20:1: error: evaluate needs a dataset" \
    timeout 10 "$LRC" check "$tmp/evaluate.lr"
[ "$(grep -c ': error: ' "$tmp/err")" -eq 20 ] && ok "only the first 20 errors are printed" ||
    notok "only the first 20 errors are printed" "$(grep -c ': error: ' "$tmp/err") printed"

# --- user text is escaped: control characters from data files and .lr
# strings never reach the terminal raw (no byte below 0x20 but newlines).
# raw NAME: stderr holds no control character other than a newline.
raw() {
    if tr -d '\n' <"$tmp/err" | LC_ALL=C grep -q '[[:cntrl:]]'; then
        notok "$1" "raw control characters: $(od -c "$tmp/err" | head -3)"
    else ok "$1"; fi
}
cd "$tmp" || exit 1
printf 'a,b\n1,\033[2J\033]0;pwned\a\n' >value.csv
printf 'dataset d = csv("value.csv", label="b")\nmodel dense(1)\nloss mse\noptimizer sgd\ntrain\n' >value.lr
expect "a CSV value's control characters are escaped" 2 \
    "^value.csv:2:2: error: non-numeric value '\\\\x1b\[2J\\\\x1b\]0;pwned\\\\a' in column 'b'$" \
    "$LRC" --quiet value.lr
raw "a CSV value reaches stderr escaped"
printf 'a\033[5m,b\n1,2\n' >header.csv
printf 'dataset d = csv("header.csv", label="b", features=["a"])\nmodel dense(1)\nloss mse\noptimizer sgd\ntrain\n' >header.lr
expect "a CSV header's control characters are escaped" 2 \
    "unknown column 'a' \(the columns of 'header.csv' are 'a\\\\x1b\[5m', 'b'\)" "$LRC" check header.lr
raw "a CSV header reaches stderr escaped"
printf 'dataset d = csv("x\033]0;t\a\302\233.csv", label="b")\nmodel dense(1)\nloss mse\noptimizer sgd\ntrain\n' >path.lr
expect "a path's control characters are escaped, in the message and the source line" 2 \
    "cannot read data file 'x\\\\x1b\]0;t\\\\a\\\\u009b.csv'" "$LRC" check path.lr
grep -q '^    dataset d = csv("x\\x1b\]0;t\\a\\u009b.csv"' err && ok "the source line is escaped" ||
    notok "the source line is escaped" "$(cat err)"
raw "a path reaches stderr escaped"
printf 'seed "\033[2J\342\200\256\377"\n' >string.lr
expect "a .lr string's control characters are escaped" 2 \
    "string.lr:1:6: error: expected a number, got a string" "$LRC" check string.lr
raw "a .lr string reaches stderr escaped"
expect "an unreadable file's name is escaped" 2 "cannot read 'nope\\\\x1b\[1m.lr'" \
    "$LRC" check "nope$(printf '\033')[1m.lr"
raw "a file name from the command line reaches stderr escaped"
expect "an unknown option is escaped" 2 "unknown option '--x\\\\x1b\[1m'" "$LRC" "--x$(printf '\033')[1m" value.lr
raw "an option reaches stderr escaped"

# --- a NUL byte in a CSV file is reported as such, at its line (and field,
# with its byte in the message), not as the value it cuts short.
printf 'a,b\n1,2\n3,1\0002\n' >nul.csv
printf 'dataset d = csv("nul.csv", label="b")\nmodel dense(1)\nloss mse\noptimizer sgd\ntrain\n' >nul.lr
expect "a NUL byte in a CSV value is reported at its place" 2 \
    "^nul.csv:3:2: error: NUL byte at byte 4 of the line \(a CSV file is text\)$" "$LRC" --quiet nul.lr
printf 'a\000,b\n1,2\n' >nulhead.csv
printf 'dataset d = csv("nulhead.csv", label="b")\nmodel dense(1)\nloss mse\noptimizer sgd\ntrain\n' >nulhead.lr
expect "a NUL byte in a CSV header is found by check" 2 \
    "^nulhead.csv:1:1: error: NUL byte at byte 2 of the line" "$LRC" check nulhead.lr

# --- a UTF-8 byte order mark is skipped, in a .lr file and a CSV file; a
# column on line 1 counts from after it, as editors show it.
printf '\357\273\277seed $\n' >bom.lr
expect "a .lr file's byte order mark is skipped; line 1's columns start after it" 2 \
    "^bom.lr:1:6: error: unexpected character '\\\$'$" "$LRC" check bom.lr
printf '\357\273\277a,b\n1,2\n2,4\n3,6\n4,8\n' >bom.csv
printf '\357\273\277dataset d = csv("bom.csv", label="b", features=["a"])\nmodel dense(1)\nloss mse\noptimizer sgd\ntrain epochs=1 batch=2\n' >bomdata.lr
expect "a CSV file's byte order mark is no part of its first column's name" 0 "" "$LRC" --quiet bomdata.lr

# --- an unknown column in a list is pointed at, not the whole list
printf 'sepal_length,sepal_width,species\n1,2,0\n' >iris.csv
printf 'dataset d = csv("iris.csv", label="species", features=["sepal_length", "sepal_widht"])\nmodel dense(1)\nloss mse\noptimizer sgd\ntrain\n' >feature.lr
"$LRC" check feature.lr 2>err
if [ "$(sed -n 1p err)" = "feature.lr:1:72: error: unknown column 'sepal_widht'; did you mean 'sepal_width'?" ] &&
    [ "$(sed -n 3p err)" = "                                                                           ^~~~~~~~~~~~~" ]; then
    ok "a misspelled feature is underlined alone"
else notok "a misspelled feature is underlined alone" "$(cat err)"; fi
printf 'dataset d = csv("iris.csv", labels=["species", "species"], features=["sepal_width", "sepal_width"])\nmodel dense(2)\nloss mse\noptimizer sgd\ntrain\n' >twice.lr
"$LRC" check twice.lr 2>err
if grep -q "^twice.lr:1:48: error: column 'species' is a label twice$" err &&
    grep -q "^twice.lr:1:85: error: column 'sepal_width' is a feature twice$" err; then
    ok "a repeated column is pointed at where it repeats"
else notok "a repeated column is pointed at where it repeats" "$(cat err)"; fi

# --- nesting through lets and functions is a count, the same in every
# build: a chain at the limit folds (without a stack overflow, under ASan
# too), one more let is the error.
chain() { # chain N KIND: N lets (or functions) of 21 levels, each using the last
    $PY -c "
n, functions = $1, '$2' == 'functions'
print('let f0(x) = x' if functions else 'let v0 = 1')
for i in range(1, n):
    if functions: print('let f%d(x) = (f%d(x) + ' % (i, i - 1) + ' + '.join(['x'] * 20) + ')')
    else: print('let v%d = (v%d + ' % (i, i - 1) + ' + '.join(['1'] * 20) + ')')
print('minimize f%d(x) from x=1 steps=1' % (n - 1) if functions else
      'minimize x^2 + v%d * 0 from x=1 steps=1' % (n - 1))"
}
chain 72 lets >lets72.lr
expect "a chain of lets at the nesting limit folds" 0 "" "$LRC" check lets72.lr
chain 73 lets >lets73.lr
expect "one more let is past the nesting limit" 2 \
    "^lets73.lr:2:11: error: lets and functions nest too deeply here \(limit is 1500 levels\)$" \
    "$LRC" check lets73.lr
chain 72 functions >fn72.lr
expect "a chain of functions at the nesting limit compiles" 0 "" "$LRC" check fn72.lr
chain 73 functions >fn73.lr
expect "one more function is past the nesting limit" 2 \
    "^fn73.lr:2:14: error: lets and functions nest too deeply here \(limit is 1500 levels\)$" \
    "$LRC" check fn73.lr
cd - >/dev/null || exit 1
