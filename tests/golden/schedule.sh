#!/bin/sh
# `lrc schedule` against the schedule formulas computed here by python3
# (an independent implementation of the table in lr(5)).
. "$(dirname "$0")/../golden_lib.sh"
check() { # name expr steps python-expression-of-s
    got=$("$LRC" schedule "$2" --steps "$3" 2>&1)
    want=$(python3 -c "
import math
print('step lr')
for s in range($3):
    print(s, '%.9g' % ($4))")
    if [ "$got" = "$want" ]; then echo "ok schedule $1"; else
        printf '%s\n' "$want" >"$tmp/want"
        echo "not ok schedule $1: $(printf '%s\n' "$got" | diff - "$tmp/want" | head -4)"
    fi
}
check constant '0.1/4' 3 '0.025'
check exp_decay 'exp_decay(0.05, steps=4, rate=0.9, staircase=true)' 10 '0.05 * 0.9 ** (s // 4)'
check exp_decay_smooth 'exp_decay(0.05, 4, 0.9)' 10 '0.05 * 0.9 ** (s / 4)'
check piecewise 'piecewise(boundaries=[2, 5], values=[1, 0.5, 0.1])' 8 '1 if s <= 2 else (0.5 if s <= 5 else 0.1)'
check polynomial 'polynomial(0.1, steps=4, end=0.01, power=2)' 8 '(0.1 - 0.01) * (1 - min(s, 4) / 4) ** 2 + 0.01'
check polynomial_cycle 'polynomial(0.1, steps=4, cycle=true)' 10 '(0.1 - 0.0001) * (1 - s / (4 * max(1, math.ceil(s / 4)))) + 0.0001'
check inverse_time 'inverse_time(0.1, steps=2, rate=0.5, staircase=true)' 7 '0.1 / (1 + 0.5 * (s // 2))'
check cosine 'cosine(0.1, steps=4, alpha=0.1, warmup=2, target=0.2)' 9 '(0.1 + (0.2 - 0.1) * s / 2) if s < 2 else 0.2 * ((1 - 0.1) * 0.5 * (1 + math.cos(math.pi * min(s - 2, 4) / 4)) + 0.1)'
# A bad expression is a positioned error, exit 2.
"$LRC" schedule 'exp_decay(0.05, steps=0, rate=0.9)' --steps 3 >/dev/null 2>"$tmp/err"
st=$?
grep -q '^<expr>:1:23: error: decay steps must be > 0' "$tmp/err" && [ $st -eq 2 ] &&
    echo "ok schedule range error" || echo "not ok schedule range error: exit $st $(cat "$tmp/err")"

# A name in a schedule expression has no let to refer to: an error, not a crash.
"$LRC" schedule 'exp_decay(rate, 10, 0.5)' --steps 2 >/dev/null 2>"$tmp/err"
st=$?
grep -q "^<expr>:1:11: error: unknown name 'rate'" "$tmp/err" && [ $st -eq 2 ] &&
    echo "ok schedule unknown name" || echo "not ok schedule unknown name: exit $st $(cat "$tmp/err")"
exit 0
