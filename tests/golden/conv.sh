#!/bin/sh
# conv2d and pooling against PyTorch: test_conv --dump prints a conv2d
# (same padding, uneven strides, a 3x2 kernel, relu, L2, a short last
# chunk) and max, average and global average pooling on fixed inputs with
# lrc's outputs and gradients; tests/conv_torch.py recomputes them with
# torch.nn.functional and autograd in float64.
# Prints "ok NAME" / "not ok NAME: why".
. "$(dirname "$0")/../golden_lib.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
test_conv=$(dirname "$LRC")/tests/test_conv

if [ ! -x "$test_conv" ]; then
    notok "conv: test_conv dump" "no $test_conv (make builds it)"
elif ! "$PY" -c 'import torch' 2>/dev/null; then
    ok "# skip conv2d and pooling against PyTorch: $PY has no torch"
elif ! "$test_conv" --dump >"$tmp/dump" 2>"$tmp/err"; then
    notok "conv: test_conv dump" "$(head -3 "$tmp/err")"
else
    "$PY" "$top/tests/conv_torch.py" <"$tmp/dump" 2>"$tmp/err" | sed 's/^\(not \)\{0,1\}ok /&conv: /' ||
        notok "conv: conv_torch.py" "$(tail -3 "$tmp/err")"
    [ -s "$tmp/err" ] && notok "conv: conv_torch.py" "$(tail -3 "$tmp/err")"
fi
exit 0
