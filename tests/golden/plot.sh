#!/bin/sh
# `lrc plot`: learning curves of run directories and of a sweep's runs,
# learning-rate schedules, and minimize's plot=. The SVG figures are read
# back by tests/plot_svg.py, which finds each series by its colour, maps
# its points back through the page and axis limits plot.h fixes, and
# compares them with metrics.csv, the schedule formulas and the descent's
# trace (computed here in python3) to within a pixel. The same inputs make
# the same bytes; errors are exit 2 (inputs) or 1 (writing), and a failed
# write leaves no file.
. "$(dirname "$0")/../golden_lib.sh"
SVG="$PY $(cd "$(dirname "$0")/.." && pwd)/plot_svg.py"

# A run that stops early, with validation.
cat >"$tmp/stop.lr" <<'LR'
seed 3
dataset d = linear(n=300, features=3, noise=0.5) validation=0.3
model dense(8, activation=relu) -> dense(1)
loss mse
optimizer sgd lr=0.05
train epochs=40 early_stop=patience(3)
LR
"$LRC" "$tmp/stop.lr" --out "$tmp/run" --quiet >/dev/null 2>&1
# The epoch of the lowest val_loss, as the mark's (plot.c: without
# run.json's best_epoch, a run that stopped early is marked there).
best=$($PY -c "
import csv
rows = list(csv.DictReader(open('$tmp/run/metrics.csv')))
print(min(rows, key=lambda r: float(r['val_loss']))['epoch'])")
expect "plot curves exit" 0 "" "$LRC" plot "$tmp/run" -o "$tmp/curves.svg"
check "plot curves match metrics.csv" $SVG "$tmp/curves.svg" curves loss val_loss "$tmp/run/metrics.csv"
check "plot early-stopping mark at the best epoch ($best)" $SVG "$tmp/curves.svg" mark "$tmp/run/metrics.csv" "$best"
"$LRC" plot "$tmp/run/" -o "$tmp/curves2.svg" 2>/dev/null
check "plot svg repeatable" cmp "$tmp/curves.svg" "$tmp/curves2.svg"
for ext in png pdf; do
    "$LRC" plot "$tmp/run" -o "$tmp/a.$ext" 2>/dev/null
    sleep 1 # cairo's PDF carries the time it was made, to the second
    "$LRC" plot "$tmp/run" -o "$tmp/b.$ext" 2>/dev/null
    check "plot $ext repeatable" cmp "$tmp/a.$ext" "$tmp/b.$ext"
done
check "plot png is a PNG" sh -c "head -c 8 '$tmp/a.png' | od -An -c | grep -q 'P   N   G'"
check "plot pdf is a PDF" sh -c "head -c 5 '$tmp/a.pdf' | grep -q '%PDF-'"
expect "plot stdout empty" 0 "" sh -c "[ -z \"\$('$LRC' plot '$tmp/run' -o '$tmp/c.svg')\" ]"

# A sweep's directory: a colour per run, in sweep.csv's order.
cat >"$tmp/sweep.lr" <<'LR'
seed 7
let rate = sweep(0.1, 0.02)
dataset d = linear(n=200, features=2, noise=0.1)
model dense(1)
loss mse
optimizer sgd lr=rate
train epochs=6
LR
"$LRC" "$tmp/sweep.lr" --out "$tmp/sweep" >/dev/null 2>&1
expect "plot sweep exit" 0 "" "$LRC" plot "$tmp/sweep" -o "$tmp/sweep.svg"
check "plot sweep runs match their metrics.csv" $SVG "$tmp/sweep.svg" curves loss - \
    "$tmp/sweep/run-001/metrics.csv" "$tmp/sweep/run-002/metrics.csv"
# Two run directories side by side, the second coloured second.
expect "plot two runs exit" 0 "" "$LRC" plot "$tmp/sweep/run-002" "$tmp/sweep/run-001" -o "$tmp/two.svg"
check "plot two runs in order" $SVG "$tmp/two.svg" curves loss - \
    "$tmp/sweep/run-002/metrics.csv" "$tmp/sweep/run-001/metrics.csv"

# Schedules, overlaid, against their formulas.
expect "plot schedules exit" 0 "" "$LRC" plot --schedule 'exp_decay(0.1, steps=10, rate=0.5)' \
    --schedule 'piecewise(boundaries=[20], values=[0.1, 0.01])' \
    --schedule 'cosine(0.001, steps=30, warmup=10, target=0.08)' --steps 50 -o "$tmp/lr.svg"
check "plot schedules match the formulas" $SVG "$tmp/lr.svg" schedules 50 '0.1 * 0.5 ** (s / 10)' \
    '0.1 if s <= 20 else 0.01' \
    '0.001 + (0.08 - 0.001) * s / 10 if s < 10 else 0.08 * 0.5 * (1 + math.cos(math.pi * min(s - 10, 30) / 30))'

# Errors.
expect "plot unknown metric: did you mean" 2 "unknown metric 'val_los' in '.*metrics.csv'; did you mean 'val_loss'\?" \
    "$LRC" plot "$tmp/run" --metric val_los -o "$tmp/e.svg"
mkdir -p "$tmp/empty"
expect "plot run dir without metrics.csv" 2 "'.*empty' has no metrics.csv" \
    "$LRC" plot "$tmp/empty" -o "$tmp/e.svg"
expect "plot unknown suffix" 2 "cannot draw '.*e.gif': the name must end in .png, .svg or .pdf" \
    "$LRC" plot "$tmp/run" -o "$tmp/e.gif"
expect "plot needs -o" 2 "plot needs -o FIGURE" "$LRC" plot "$tmp/run"
expect "plot --schedule needs --steps" 2 "plot --schedule needs --steps N" \
    "$LRC" plot --schedule 0.1 -o "$tmp/e.svg"
expect "plot bad schedule is positioned" 2 "^<expr>:1:23: error: decay steps must be > 0" \
    "$LRC" plot --schedule 'exp_decay(0.05, steps=0, rate=0.9)' --steps 3 -o "$tmp/e.svg"
expect "plot --steps with run dirs" 2 "--steps only applies to 'lrc plot --schedule'" \
    "$LRC" plot "$tmp/run" --steps 3 -o "$tmp/e.svg"
expect "plot --metric elsewhere" 2 "--metric only applies to 'lrc plot'" \
    "$LRC" "$tmp/stop.lr" --metric loss
mkdir -p "$tmp/ro" && chmod a-w "$tmp/ro"
if [ "$(id -u)" -ne 0 ]; then
    expect "plot unwritable output" 1 "cannot write" "$LRC" plot "$tmp/run" -o "$tmp/ro/x.svg"
fi
expect "plot output in a missing directory" 1 "cannot write" \
    "$LRC" plot "$tmp/run" -o "$tmp/missing/x.svg"
check "plot failed write leaves no file" sh -c "[ ! -e '$tmp/missing' ] && [ -z \"\$(ls '$tmp/ro')\" ]"
# The test makes no figure in the current directory.
check "plot left the temporaries out" sh -c "! ls '$tmp' | grep -q '\\.tmp'"

# minimize's plot=: the function over the visited range and the steps,
# against the trace's points (rounded to 4 decimals: well within a pixel).
cat >"$tmp/cosh.lr" <<'LR'
let f(x) = cosh(pi * x / 4)
minimize f(x) from x=-1 lr=piecewise(boundaries=[0], values=[0.05, 0.5]) steps=20 trace=true plot="cosh.svg"
LR
"$LRC" "$tmp/cosh.lr" >"$tmp/cosh.out" 2>"$tmp/cosh.err"
expect "plot minimize exit" 0 "" sh -c "[ -s '$tmp/cosh.svg' ] && [ ! -s '$tmp/cosh.err' ]"
xs=$(awk 'NR > 1 { printf "%s,", $2 } END { print $NF }' "$tmp/cosh.out")
check "plot minimize curve and steps" $SVG "$tmp/cosh.svg" descent1 'math.cosh(math.pi * x / 4)' "$xs"
cp "$tmp/cosh.svg" "$tmp/cosh1.svg"
"$LRC" "$tmp/cosh.lr" >/dev/null 2>&1
check "plot minimize repeatable" cmp "$tmp/cosh.svg" "$tmp/cosh1.svg"
# The same trace with and without the figure: drawing changes no result.
sed 's/ plot="cosh.svg"//' "$tmp/cosh.lr" >"$tmp/cosh_plain.lr"
"$LRC" "$tmp/cosh_plain.lr" >"$tmp/cosh_plain.out" 2>/dev/null
check "plot minimize same trace" cmp "$tmp/cosh.out" "$tmp/cosh_plain.out"
# sin(3 pi x)/x, where a large rate jumps between valleys.
cat >"$tmp/sinc.lr" <<'LR'
minimize sin(3 * pi * x) / x from x=0.6 lr=0.05 steps=12 trace=true plot="sinc.svg"
LR
"$LRC" "$tmp/sinc.lr" >"$tmp/sinc.out" 2>/dev/null
xs=$(awk 'NR > 1 { printf "%s,", $2 } END { print $NF }' "$tmp/sinc.out")
check "plot minimize sinc" $SVG "$tmp/sinc.svg" descent1 'math.sin(3 * math.pi * x) / x' "$xs"
# Two variables: contour lines at plot.c's levels, and the path.
cat >"$tmp/bowl.lr" <<'LR'
minimize (x - 1)^2 + 4 * (y + 0.5)^2 from x=-2, y=1 lr=0.05 steps=30 trace=true plot="bowl.svg"
LR
"$LRC" "$tmp/bowl.lr" >"$tmp/bowl.out" 2>/dev/null
pts=$(awk 'NR > 1 { printf "%s,%s;", $2, $3 } END { print $(NF - 1) "," $NF }' "$tmp/bowl.out")
check "plot minimize contours and path" $SVG "$tmp/bowl.svg" descent2 '(x - 1)**2 + 4 * (y + 0.5)**2' "$pts"
# A write the sandbox does not allow is refused before anything runs.
printf 'minimize x^2 from x=1 plot="../out.png"\n' >"$tmp/empty/outside.lr"
expect "plot minimize outside the sandbox" 2 "outside.lr:1:28: error: writing .*out.png.* is not allowed" \
    "$LRC" "$tmp/empty/outside.lr"
check "plot minimize refused write made nothing" sh -c "[ ! -e '$tmp/out.png' ]"
# A figure that cannot be written fails the run, at the statement.
mkdir -p "$tmp/wr"
printf 'minimize x^2 from x=1 plot="sub/x.png"\n' >"$tmp/wr/sub.lr"
mkdir "$tmp/wr/sub" && rmdir "$tmp/wr/sub" # checked writable, then gone
expect "plot minimize write failure" 1 "sub.lr:1:1: error: cannot write" "$LRC" "$tmp/wr/sub.lr"

# examples/figures: each experiment draws its figures (in a copy, so the
# committed PNGs stay as they are), and README's figure commands run.
cp -r "$(dirname "$0")/../../examples" "$tmp/ex"
rm -f "$tmp"/ex/figures/*.png
for f in "$tmp"/ex/figures/*.lr; do
    "$LRC" "$f" >/dev/null 2>"$tmp/err" || notok "plot example $(basename "$f")" "$(head -3 "$tmp/err")"
done
sed -n '/^```sh figures/,/^```$/p' "$(dirname "$0")/../../README.md" | grep '^\./lrc' >"$tmp/figures.sh"
check "plot README has figure commands" test -s "$tmp/figures.sh"
(cd "$tmp/ex/.." && ln -s "$LRC" lrc && sed 's|examples/|ex/|g' "$tmp/figures.sh" | sh) >/dev/null 2>"$tmp/err" ||
    notok "plot README figure commands" "$(head -3 "$tmp/err")"
for png in "$(dirname "$0")"/../../examples/figures/*.png; do
    check "plot example figure $(basename "$png") made" test -s "$tmp/ex/figures/$(basename "$png")"
done

# Under valgrind: no invalid access and no leak of lrc's (plot.supp names
# the libraries' caches), for curves, schedules and a descent's helper.
if command -v valgrind >/dev/null 2>&1 && ! grep -q __asan_init "$LRC"; then
    vg() {
        name=$1
        shift
        if valgrind -q --error-exitcode=99 --leak-check=full \
            --errors-for-leak-kinds=definite,indirect,possible \
            --suppressions="$(dirname "$0")/../plot.supp" "$@" >/dev/null 2>"$tmp/vg"; then
            ok "$name"
        else
            notok "$name" "$(grep -m3 -E 'Invalid|lost|uninit|error' "$tmp/vg")"
        fi
    }
    vg "plot valgrind curves" "$LRC" plot "$tmp/run" "$tmp/sweep" -o "$tmp/vg.png"
    vg "plot valgrind schedules" "$LRC" plot --schedule 'piecewise(boundaries=[2], values=[0.1, 0.01])' \
        --steps 5 -o "$tmp/vg.svg"
    vg "plot valgrind minimize" "$LRC" "$tmp/bowl.lr"
fi

# PLplot is loaded when a figure is drawn (plot.c), not linked: no other
# run pays for it. Without it, a figure is an error of the run (1) that
# says what to install, and writes nothing. A preloaded dlopen that fails
# for libplplot stands for a machine without it (not under ASan, whose
# runtime must come first).
check "plot lrc is not linked with PLplot" sh -c "! ldd '$LRC' | grep -q libplplot"
if command -v cc >/dev/null 2>&1 && ! grep -q __asan_init "$LRC"; then
    cat >"$tmp/noplplot.c" <<'C'
#define _GNU_SOURCE
#include <dlfcn.h>
#include <string.h>
static int refused;
void *dlopen(const char *name, int flags)
{
    void *(*next)(const char *, int);
    if (name && strstr(name, "libplplot")) {
        refused = 1;
        return NULL;
    }
    *(void **)&next = dlsym(RTLD_NEXT, "dlopen");
    return next(name, flags);
}
char *dlerror(void)
{
    char *(*next)(void);
    if (refused) {
        refused = 0;
        return "libplplot: hidden by the test";
    }
    *(void **)&next = dlsym(RTLD_NEXT, "dlerror");
    return next();
}
C
    if cc -shared -fPIC -o "$tmp/noplplot.so" "$tmp/noplplot.c" -ldl 2>"$tmp/err"; then
        need="needs PLplot \(Debian: libplplot-dev plplot-driver-cairo\): libplplot: hidden by the test"
        expect "plot without PLplot: curves" 1 "^lrc: error: lrc plot $need" \
            env LD_PRELOAD="$tmp/noplplot.so" "$LRC" plot "$tmp/run" -o "$tmp/none.svg"
        expect "plot without PLplot: schedules" 1 "^lrc: error: lrc plot $need" \
            env LD_PRELOAD="$tmp/noplplot.so" "$LRC" plot --schedule 0.1 --steps 3 -o "$tmp/none.png"
        expect "plot without PLplot: minimize plot=" 1 "bowl.lr:1:1: error: plot= $need" \
            env LD_PRELOAD="$tmp/noplplot.so" "$LRC" "$tmp/bowl.lr"
        check "plot without PLplot wrote nothing" sh -c "[ ! -e '$tmp/none.svg' ] && [ ! -e '$tmp/none.png' ]"
        expect "plot without PLplot: a run without figures" 0 "" \
            env LD_PRELOAD="$tmp/noplplot.so" "$LRC" "$tmp/cosh_plain.lr"
    else
        notok "plot without PLplot: the preloaded library builds" "$(head -3 "$tmp/err")"
    fi
fi

# Without the cairo driver (a package of its own) PLplot would ask on the
# terminal for another device: lrc says what is missing instead, at once.
drv=$(pkg-config --variable=drvdir plplot 2>/dev/null)
if [ -d "$drv" ] && command -v script >/dev/null; then
    mkdir "$tmp/nocairo"
    for f in "$drv"/null.* "$drv"/mem.* "$drv"/ps.*; do [ -e "$f" ] && cp "$f" "$tmp/nocairo/"; done
    PLPLOT_DRV_DIR="$tmp/nocairo" timeout 20 script -qfec \
        "'$LRC' plot --schedule 'exp_decay(0.1, steps=10, rate=0.5)' --steps 20 -o '$tmp/nodev.png'; echo status \$?" \
        /dev/null </dev/null >"$tmp/nodev.tty" 2>&1
    if grep -q "PLplot has no 'pngcairo' device (Debian: plplot-driver-cairo)" "$tmp/nodev.tty" &&
        grep -q "status 1" "$tmp/nodev.tty" && [ ! -e "$tmp/nodev.png" ]; then
        ok "plot without the cairo driver says so, and asks nothing on a terminal"
    else
        notok "plot without the cairo driver says so, and asks nothing on a terminal" "$(tr '\r\n' '  ' <"$tmp/nodev.tty" | head -c 300)"
    fi
fi
