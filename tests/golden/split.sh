#!/bin/sh
# The checker's files (check.c, fold.c, ...) through the binary: constant
# folding computes each math function as a minimize's tape does (both call
# expr.c's expr_apply), against Python's math module; min and max of
# several; a NaN is never dropped by min or max. Prints "ok NAME" /
# "not ok NAME: why".
. "$(dirname "$0")/../golden_lib.sh"
# folded NAME FORMULA PYTHON: --explain shows FORMULA, folded as a learning
# rate, equal to the Python expression to 1 part in 1e15.
folded() {
    printf 'minimize x^2 from x=1 lr=%s steps=1\n' "$2" >"$tmp/f.lr"
    got=$("$LRC" check --explain "$tmp/f.lr" 2>"$tmp/err" | sed -n 's/.*(lr=\([^,)]*\).*/\1/p')
    if [ -n "$got" ] && $PY -c "
import math, sys
want = $3
sys.exit(0 if abs($got - want) <= 1e-15 * max(1.0, abs(want)) else 1)"; then ok "$1"
    else notok "$1" "got '$got' $(head -1 "$tmp/err"), want $3"; fi
}

folded "fold sin" 'abs(sin(0.5))' 'abs(math.sin(0.5))'
folded "fold cos" 'cos(0.5)' 'math.cos(0.5)'
folded "fold tan" 'tan(0.5)' 'math.tan(0.5)'
folded "fold exp" 'exp(-1.5)' 'math.exp(-1.5)'
folded "fold log" 'log(3)' 'math.log(3)'
folded "fold sqrt" 'sqrt(0.3)' 'math.sqrt(0.3)'
folded "fold abs" 'abs(-0.7)' '0.7'
folded "fold sinh" 'sinh(0.5)' 'math.sinh(0.5)'
folded "fold cosh" 'cosh(0.5)' 'math.cosh(0.5)'
folded "fold tanh" 'tanh(0.5)' 'math.tanh(0.5)'
folded "fold pow" 'pow(2, -3)' '2 ** -3'
folded "fold operators" '(1 + 2 * 3 - 4 / 8) ^ 0.5 / -(-10)' '(1 + 2 * 3 - 4 / 8) ** 0.5 / 10'
folded "fold min of several" 'min(0.5, 0.25, 2)' '0.25'
folded "fold max of several" 'max(0.001, min(0.5, 0.25, 2), 0.1)' '0.25'
folded "fold min of one" 'min(0.3)' '0.3'

# A NaN inside min or max is reported where it arises, whether folded or
# on a minimize's tape: neither min nor max drops it (fmin(1, NaN) is 1).
printf 'let r = min(1, sqrt(-1))\nminimize x^2 from x=r\n' >"$tmp/nan.lr"
expect "folded min keeps NaN" 2 "nan.lr:1:16: error: value is not a finite number" "$LRC" check "$tmp/nan.lr"
printf 'minimize x^2 from x=1 lr=max(log(-1), 0.1)\n' >"$tmp/nanmax.lr"
expect "folded max keeps NaN" 2 "nanmax.lr:1:30: error: value is not a finite number" "$LRC" check "$tmp/nanmax.lr"
printf 'minimize max(x, sqrt(y), 0) from x=1, y=-1 steps=2\n' >"$tmp/tape.lr"
expect "tape max keeps NaN" 1 "tape.lr:1:17: error: this is not a finite number at x = 1, y = -1 \(step 0\)" \
    "$LRC" "$tmp/tape.lr"
