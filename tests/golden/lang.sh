#!/bin/sh
# The language beyond configuration, end to end: minimize against a
# textbook's table and closed forms, derivatives of every math function,
# modules, --set, --explain. Prints "ok NAME" / "not ok NAME: why".
. "$(dirname "$0")/../golden_lib.sh"

# --- the cosh table --------------------------------------------------------
"$LRC" examples/cosh.lr >"$tmp/cosh" 2>&1
# The rows the textbook prints, verbatim.
cat >"$tmp/cosh.want" <<'ROWS'
step  x        lr    f(x)    f'(x)    next
0     -1.0000  0.05  1.3246  -0.6823  -0.9659
1     -0.9659  0.5   1.3018  -0.6546  -0.6386
2     -0.6386  0.5   1.1284  -0.4106  -0.4333
3     -0.4333  0.5   1.0585  -0.2724  -0.2970
ROWS
check "cosh table starts as the textbook's" sh -c "head -5 '$tmp/cosh' | cmp - '$tmp/cosh.want'"
check "cosh table ends as the textbook's" sh -c "test \$(wc -l <'$tmp/cosh') -eq 21 && tail -1 '$tmp/cosh' | grep -qx '19    -0.0012  0.5   1.0000  -0.0007  -0.0008'"
# Every row against the formula, computed independently.
check "cosh rows follow x - lr (pi/4) sinh(pi x/4)" $PY -c "
import math
rows = [l.split() for l in open('$tmp/cosh').read().splitlines()[1:]]
x = -1.0
for s, row in enumerate(rows):
    lr = 0.05 if s == 0 else 0.5
    f, d = math.cosh(math.pi * x / 4), math.pi / 4 * math.sinh(math.pi * x / 4)
    nx = x - lr * d
    want = ['%d' % s, '%.4f' % x, '%g' % lr, '%.4f' % f, '%.4f' % d, '%.4f' % nx]
    want = [w if w != '-0.0000' else '0.0000' for w in want]
    assert row == want, (s, row, want)
    x = nx
"

# --- sinc: a small step settles where f'(x) = 0; a large one leaves -------
"$LRC" examples/sinc.lr >"$tmp/sinc" 2>&1
check "sinc small step converges to the closed-form minimum" $PY -c "
import math
lines = open('$tmp/sinc').read().splitlines()
small = [l.split() for l in lines[1:13]]
# f'(x) = (3 pi x cos(3 pi x) - sin(3 pi x)) / x^2 = 0: bisection near 0.48
g = lambda x: 3 * math.pi * x * math.cos(3 * math.pi * x) - math.sin(3 * math.pi * x)
a, b = 0.4, 0.55
for _ in range(100):
    m = (a + b) / 2
    a, b = (m, b) if g(a) * g(m) > 0 else (a, m)
assert abs(float(small[-1][5]) - a) < 2e-4, (small[-1], a)
"
check "sinc large step leaves the basin" $PY -c "
lines = open('$tmp/sinc').read().splitlines()
large = [l.split() for l in lines[14:]]
assert len(large) == 12 and all(float(r[5]) < 0 for r in large[1:]), large
"

# --- two variables: the closed-form minimum ----------------------------
cat >"$tmp/two.lr" <<'LR'
# f = (x - 2)^2 + 3 (y + 1)^2 + x y; grad = 0 at x = 30/11, y = -16/11
let f(x, y) = (x - 2)^2 + 3 * (y + 1)^2 + x * y
minimize f(x, y) from x=0, y=0 lr=0.1 steps=500
LR
"$LRC" "$tmp/two.lr" >"$tmp/two" 2>&1
check "two-variable minimum matches the closed form" $PY -c "
p = open('$tmp/two').read().split()
x, y = float(p[1]), float(p[3])
assert abs(x - 30 / 11) < 1e-4 and abs(y + 16 / 11) < 1e-4, p
"

# --- every math function's derivative, through the language --------------
for fx in 'sin(x)' 'cos(x)' 'tan(x)' 'exp(x)' 'log(x)' 'sqrt(x)' 'abs(x)' 'sinh(x)' \
          'cosh(x)' 'tanh(x)' 'pow(x, 3)' 'x^x' 'min(x, 2)' 'max(x, 0)' '1/x' '-x*x'; do
    printf 'minimize %s from x=0.7 steps=1 trace=true\n' "$fx" >"$tmp/d.lr"
    "$LRC" "$tmp/d.lr" >"$tmp/d" 2>&1
    check "derivative of $fx" $PY -c "
import math
x = 0.7
d = {'sin(x)': math.cos(x), 'cos(x)': -math.sin(x), 'tan(x)': 1 / math.cos(x) ** 2,
     'exp(x)': math.exp(x), 'log(x)': 1 / x, 'sqrt(x)': 0.5 / math.sqrt(x), 'abs(x)': 1.0,
     'sinh(x)': math.cosh(x), 'cosh(x)': math.sinh(x), 'tanh(x)': 1 - math.tanh(x) ** 2,
     'pow(x, 3)': 3 * x * x, 'x^x': x ** x * (math.log(x) + 1), 'min(x, 2)': 1.0,
     'max(x, 0)': 1.0, '1/x': -1 / x ** 2, '-x*x': -2 * x}['$fx']
row = open('$tmp/d').read().splitlines()[1].split()
assert row[4] == '%.4f' % d, (row, d)
"
done
printf 'let f(x) = sin(x) / x\nminimize f(x) from x=0\n' >"$tmp/nan.lr"
"$LRC" "$tmp/nan.lr" >/dev/null 2>"$tmp/err"
st=$?
[ $st -eq 1 ] && grep -q 'nan.lr:1:12: error: this is not a finite number at x = 0 (step 0)' "$tmp/err" &&
    ok "a non-finite value stops minimize with exit 1" ||
    notok "a non-finite value stops minimize with exit 1" "exit $st: $(cat "$tmp/err")"

# --- modules -----------------------------------------------------------
mkdir -p "$tmp/lib" "$tmp/proj/sub"
printf 'let base = 0.5\nlet sq(u) = u * u\n' >"$tmp/lib/shared.lr"
printf 'use shared\nlet start = base * 4\n' >"$tmp/proj/sub/local.lr"
printf 'use "sub/local.lr"\nminimize sq(x - start) from x=0 lr=0.25 steps=40\n' >"$tmp/proj/main.lr"
LRC_PATH="$tmp/lib" "$LRC" "$tmp/proj/main.lr" >"$tmp/mod" 2>&1
check "use finds files relative to the user and names in LRC_PATH" grep -qx 'x 2.000000 sq(x-start) 0.000000' "$tmp/mod"
LRC_PATH= "$LRC" check "$tmp/proj/main.lr" >/dev/null 2>"$tmp/err"
check "a missing module is a positioned error" grep -q "local.lr:1:5: error: cannot find module 'shared'" "$tmp/err"
printf 'use "b.lr"\nlet a = 1\n' >"$tmp/a.lr"
printf 'use "a.lr"\nlet b = 1\n' >"$tmp/b.lr"
"$LRC" check "$tmp/a.lr" >/dev/null 2>"$tmp/err"
st=$?
[ $st -eq 2 ] && grep -q "b.lr:1:5: error: modules use each other in a cycle" "$tmp/err" &&
    ok "a module cycle is a positioned error" || notok "a module cycle is a positioned error" "exit $st: $(cat "$tmp/err")"
printf 'let a = 1\ntrain\n' >"$tmp/lib/bad.lr"
printf 'use bad\nminimize x^2 from x=1\n' >"$tmp/usebad.lr"
LRC_PATH="$tmp/lib" "$LRC" check "$tmp/usebad.lr" >/dev/null 2>"$tmp/err"
check "a module holds only let and use" grep -q "bad.lr:2:1: error: a module holds only 'let' and 'use' statements, not 'train'" "$tmp/err"
"$LRC" --quiet examples/modules.lr >"$tmp/stdlib" 2>&1
check "the stdlib's grades and schedules work" grep -q '^dense weights' "$tmp/stdlib"

# --- --set ---------------------------------------------------------------
printf 'let rate = 0.1\nlet name = "x"\nminimize (x - 3)^2 from x=0 lr=rate steps=2 trace=true\n' >"$tmp/set.lr"
"$LRC" "$tmp/set.lr" --set rate=0.25 >"$tmp/set" 2>&1
check "--set replaces a value" sh -c "sed -n 2p '$tmp/set' | grep -q '^0     0.0000   0.25'"
"$LRC" "$tmp/set.lr" --set rate=exp_decay\(0.1,10,0.5\) >/dev/null 2>"$tmp/err"
check "--set keeps types" grep -q "^--set rate:1:1: error: --set rate=exp_decay(0.1,10,0.5): 'exp_decay(0.1,10,0.5)' is a schedule, not a number (rate is a number)" "$tmp/err"
"$LRC" "$tmp/set.lr" --set rat=1 >/dev/null 2>"$tmp/err"
st=$?
[ $st -eq 2 ] && grep -q "no let named 'rat'; did you mean 'rate'?" "$tmp/err" &&
    ok "--set of an unknown name suggests one" || notok "--set of an unknown name suggests one" "exit $st"

# A run made with --set resumes with them, recorded in its checkpoint.
"$LRC" --quiet --set 'warmup_cosine=cosine(0.001, steps=3000, warmup=100, target=0.01)' examples/modules.lr >"$tmp/setwhole" 2>&1
"$LRC" --quiet --out "$tmp/setrun" --halt-after 700 --set 'warmup_cosine=cosine(0.001, steps=3000, warmup=100, target=0.01)' examples/modules.lr >/dev/null 2>&1
"$LRC" --quiet --resume "$tmp/setrun" >"$tmp/setres" 2>&1
check "--resume repeats the run's --set" cmp "$tmp/setwhole" "$tmp/setres"
# A let function's value is a number wherever one is needed.
printf 'let half(r) = r / 2\nminimize (x - 1)^2 from x=0 lr=half(0.5) steps=1 trace=true\n' >"$tmp/fn.lr"
"$LRC" "$tmp/fn.lr" >"$tmp/fn" 2>&1
check "a function call gives a learning rate" sh -c "sed -n 2p '$tmp/fn' | grep -q '^0     0.0000   0.25 '"

# --- --explain is what run.json records -------------------------------------
"$LRC" check examples/digits.lr --explain >"$tmp/explain" 2>&1
"$LRC" --quiet --out "$tmp/dig" examples/digits.lr >/dev/null 2>&1
check "check --explain prints run.json's experiment" $PY -c "
import json
# (less the model's summary, written after it as comments)
explain = ''.join(l for l in open('$tmp/explain') if not l.startswith('# '))
assert json.load(open('$tmp/dig/run.json'))['experiment'] == explain
"
check "--explain fills every default" grep -q 'optimizer adam lr=0.002 beta1=0.9 beta2=0.999 epsilon=1e-07' "$tmp/explain"
exit 0
