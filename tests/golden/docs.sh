#!/bin/sh
# What the documentation shows is what lrc prints.
#  - README.md: every fenced block with `$ ./lrc ...` lines runs its
#    commands, in order, in one scratch directory (examples/ linked in; a
#    block the text calls "saved as `NAME`" is written there first), and
#    the lines after each command must be what it printed. The `seconds`
#    column of a CSV is the one documented to change from run to run.
#  - README.md: every error block (`NAME.lr:L:C: error: ...`, the source
#    line, the caret) is what `lrc check` prints for examples/NAME with
#    line L replaced by the shown source line, or for a file of that one
#    line when there is no such example.
#  - the manuals, but for lrc(1)'s EXAMPLES (manpages.sh runs those): every
#    result line a display block shows (epoch, early stop, model, evaluate,
#    minimize, sweep table) is printed by one of examples/*.lr, lr(5)'s
#    EXAMPLES or README's sweep.
# Prints "ok NAME" / "not ok NAME: why".
. "$(dirname "$0")/../golden_lib.sh"
top=$(pwd)
work=$tmp/work
mkdir "$work" "$tmp/doc"
ln -s "$top/examples" "$work/examples"

# Splits README.md into tmp/doc/cmd.N (blocks with `$ ` lines), err.N
# (error blocks) and work/NAME (blocks the text says are saved as NAME).
awk -v doc="$tmp/doc" -v work="$work" '
    /^```/ {
        if (!inside) { inside = 1; n++; text = ""; next }
        inside = 0
        # Numbered with zeros, so that the glob below runs them in the
        # order of the README (later blocks may use files earlier ones made).
        if (text ~ /(^|\n)\$ /) file = sprintf("%s/cmd.%04d", doc, n)
        else if (text ~ /^[a-z_]+\.lr:[0-9]+:[0-9]+: error: /) file = sprintf("%s/err.%04d", doc, n)
        else if (saved != "") file = work "/" saved
        else file = ""
        if (file != "") printf "%s", text > file
        saved = ""
        next
    }
    inside { text = text $0 "\n"; next }
    match($0, /saved as `[^`]+`/) { saved = substr($0, RSTART + 10, RLENGTH - 11) }
' README.md

# The seconds column of CSV lines after a header that ends in ",seconds".
unclock() {
    awk '/,seconds$/ { csv = 1; print; next }
         csv && /^[0-9][^ ]*,/ { sub(/,[^,]*$/, ",S"); print; next }
         { csv = 0; print }' "$1"
}

for f in "$tmp"/doc/cmd.*; do
    [ -e "$f" ] || continue
    first=$(grep -m1 '^\$ ' "$f")
    : >"$tmp/want"
    : >"$tmp/got"
    status=0
    while IFS= read -r line; do
        case $line in
        '$ '*)
            cmd=$(printf '%s\n' "${line#\$ }" | sed 's|^\./lrc |"$LRC" |')
            # ls lists in columns, as on the terminal the README shows.
            (cd "$work" && ls() { command ls -C -w 80 -T 0 "$@"; } && eval "$cmd") >>"$tmp/got" 2>"$tmp/err" ||
                status=$?
            ;;
        *) printf '%s\n' "$line" >>"$tmp/want" ;;
        esac
    done <"$f"
    unclock "$tmp/want" >"$tmp/want.n"
    unclock "$tmp/got" >"$tmp/got.n"
    if [ "$status" -ne 0 ]; then
        echo "not ok README: $first: exit $status: $(head -3 "$tmp/err")"
    elif cmp -s "$tmp/want.n" "$tmp/got.n"; then
        echo "ok README: $first"
    else
        echo "not ok README: $first: $(diff "$tmp/want.n" "$tmp/got.n" | head -6)"
    fi
done

for f in "$tmp"/doc/err.*; do
    [ -e "$f" ] || continue
    head=$(head -1 "$f")
    name=${head%%:*}
    line=$(printf '%s\n' "$head" | cut -d: -f2)
    source=$(sed -n '2s/^    //p' "$f")
    if [ -f "examples/$name" ]; then
        awk -v n="$line" -v s="$source" 'NR == n { print s; next } { print }' \
            "examples/$name" >"$work/$name"
    elif [ "$line" = 1 ]; then
        printf '%s\n' "$source" >"$work/$name"
    else
        echo "not ok README: $head: no examples/$name to rebuild it from"
        continue
    fi
    (cd "$work" && "$LRC" check "$name") >/dev/null 2>"$tmp/err"
    if cmp -s "$f" "$tmp/err"; then echo "ok README: $head"
    else echo "not ok README: $head: $(diff "$f" "$tmp/err" | head -6)"; fi
done

# Everything the examples print: the result lines the manuals may show.
for f in $(quick_examples); do
    (cd "$work" && "$LRC" --quiet "$f") >>"$tmp/printed" 2>/dev/null
done
awk -v out="$tmp/lr5" '
    /^\.Sh / { inside = ($2 == "EXAMPLES") }
    inside && /^\.Bd -literal/ { n++; file = out "." n; printf "" > file; next }
    inside && /^\.Ed/ { file = ""; next }
    file != "" { gsub(/\\e/, "\\"); gsub(/\\&/, ""); print >> file }' man/lr.5
for f in "$tmp"/lr5.*; do
    (cd "$work" && "$LRC" --quiet "$f") >>"$tmp/printed" 2>/dev/null
done
[ -s "$work/moons.lr" ] && (cd "$work" && "$LRC" --quiet moons.lr) >>"$tmp/printed" 2>/dev/null

for page in man/lrc.1 man/lr.5; do
    awk '
        /^\.Sh / { examples = ($2 == "EXAMPLES") }
        (!examples || FILENAME ~ /lr\.5$/) && /^\.Bd -(literal|unfilled)/ { inside = 1; first = 1; next }
        /^\.Ed/ { inside = 0; next }
        inside && first {
            first = 0
            # (epoch N/M loss: an epoch line; the progress line is not a result)
            result = /^(epoch [0-9]+\/[0-9]+ loss |early stop |dense(_[0-9]+)? weights |evaluate |run  |step  )/ ||
                     /^[a-z_]+ -?[0-9]+\.[0-9]+ .*f\(/
        }
        inside && result && !/^\\&\.\.\.$/ { gsub(/\\e/, "\\"); gsub(/\\&/, ""); print }' "$page" >"$tmp/shown"
    while IFS= read -r line; do
        if grep -qxF -- "$line" "$tmp/printed"; then echo "ok $page shows: $line"
        else echo "not ok $page shows: $line: no example prints it"; fi
    done <"$tmp/shown"
done

# --- check --explain shows the normalization each data set goes through ------
# The model's, fitted on the data set trained on, applies to every data set.
"$LRC" check examples/diabetes.lr --explain >"$tmp/explain" 2>&1
if grep -q '^dataset unseen = .* normalize=standard$' "$tmp/explain"; then
    echo "ok explain: a data set not trained on shows the model's normalization"
else echo "not ok explain: a data set not trained on shows the model's normalization: $(grep unseen "$tmp/explain")"; fi
printf '%s\n' 'dataset a = linear(n=50, features=2)' 'dataset b = linear(n=50, features=2) normalize=minmax' \
    'model dense(1)' 'loss mse' 'optimizer sgd' 'train on=a epochs=1' 'evaluate on=b' >"$tmp/own.lr"
"$LRC" check "$tmp/own.lr" --explain >"$tmp/explain" 2>&1
if grep -q '^dataset b = .* normalize=none$' "$tmp/explain"; then
    echo "ok explain: a data set's own normalize does not count when it is not trained on"
else echo "not ok explain: a data set's own normalize does not count when it is not trained on: $(grep '^dataset b' "$tmp/explain")"; fi
# The resolved text is an experiment of its own: it runs as the file does.
mkdir "$tmp/resolved"
ln -s "$top/examples/data" "$tmp/resolved/data"
"$LRC" check examples/diabetes.lr --explain >"$tmp/resolved/diabetes.lr" 2>&1
"$LRC" --quiet examples/diabetes.lr >"$tmp/want" 2>&1
"$LRC" --quiet --allow-read "$top/examples" "$tmp/resolved/diabetes.lr" >"$tmp/got" 2>&1
if cmp -s "$tmp/want" "$tmp/got"; then echo "ok explain: diabetes.lr resolved runs as diabetes.lr"
else echo "not ok explain: diabetes.lr resolved runs as diabetes.lr: $(diff "$tmp/want" "$tmp/got" | head -4)"; fi

# --- cosine(...) without target ignores warmup, as Keras's CosineDecay ------
"$LRC" schedule 'cosine(0.1, steps=4, warmup=2)' --steps 6 >"$tmp/warm" 2>&1
"$LRC" schedule 'cosine(0.1, steps=4)' --steps 6 >"$tmp/plain" 2>&1
"$LRC" schedule 'cosine(0.1, steps=4, warmup=2, target=0.1)' --steps 6 >"$tmp/held" 2>&1
if cmp -s "$tmp/warm" "$tmp/plain" && ! cmp -s "$tmp/warm" "$tmp/held"; then
    echo "ok cosine: warmup without target is ignored"
else echo "not ok cosine: warmup without target is ignored: $(paste "$tmp/warm" "$tmp/plain" "$tmp/held" | head -4)"; fi
printf '%s\n' 'minimize x^2 from x=1 lr=cosine(0.1, steps=4, warmup=2) steps=1' >"$tmp/cos.lr"
if "$LRC" check "$tmp/cos.lr" --explain 2>&1 | grep -qF 'lr=cosine(0.1, steps=4, alpha=0, warmup=2),'; then
    echo "ok cosine: --explain shows no target when none is given"
else echo "not ok cosine: --explain shows no target when none is given: $("$LRC" check "$tmp/cos.lr" --explain 2>&1)"; fi
exit 0
