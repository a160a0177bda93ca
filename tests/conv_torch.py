"""conv_torch.py — lrc's conv2d and pooling against PyTorch.

Reads what `test_conv --dump` prints (a conv2d and the three poolings on
fixed inputs, with lrc's outputs and gradients) from stdin, recomputes
each in float64 with torch.nn.functional and autograd, and prints
"ok NAME" / "not ok NAME: why" lines (tests/golden/conv.sh runs it).

TensorFlow's conventions, which lrc follows, are spelled out here in
PyTorch's terms: images are channels-last (NHWC -> NCHW), the kernel is
[kh, kw, in, out] (-> [out, in, kh, kw]), padding=same pads
max((out - 1) s + k - in, 0) with the smaller half first (F.pad, since
PyTorch pads symmetrically), max pooling never takes a padded cell, and
average pooling divides by the real cells of each window
(count_include_pad=False)."""
import sys

try:
    import torch
    import torch.nn.functional as F
except ImportError as e:  # the golden script prints the reason and skips
    print("skip: no torch (%s)" % e)
    sys.exit(0)

torch.set_default_dtype(torch.float64)


def same_pads(size, k, s):
    out = (size + s - 1) // s
    total = max((out - 1) * s + k - size, 0)
    return total // 2, total - total // 2


def close(name, got, want, tol):
    got = torch.tensor(got).reshape(want.shape)
    err = (got - want).abs().max().item()
    scale = max(1.0, want.abs().max().item())
    if err <= tol * scale:
        print("ok %s" % name)
    else:
        print("not ok %s: max difference %.3g (tolerance %.3g)" % (name, err, tol * scale))


def read_blocks(lines):
    """(header words, {array name: floats}) per case."""
    cases = []
    for line in lines:
        words = line.split()
        if not words:
            continue
        if words[0] in ("conv", "pool"):
            cases.append((words, {}))
        else:
            count = int(words[1])
            values = [float(v) for v in words[2:]]
            assert len(values) == count, words[0]
            cases[-1][1][words[0]] = values
    return cases


def check_conv(head, a):
    n, h, w, c, kh, kw, sh, sw, same, f = (int(v) for v in head[1:11])
    l2 = float(head[11])
    x = torch.tensor(a["x"]).reshape(n, h, w, c).permute(0, 3, 1, 2).requires_grad_()
    k = torch.tensor(a["w"]).reshape(kh, kw, c, f).requires_grad_()
    b = torch.tensor(a["b"]).requires_grad_()
    xp = x
    if same:
        top, bottom = same_pads(h, kh, sh)
        left, right = same_pads(w, kw, sw)
        xp = F.pad(x, (left, right, top, bottom))
    y = F.relu(F.conv2d(xp, k.permute(3, 2, 0, 1), b, stride=(sh, sw)))
    y_nhwc = y.permute(0, 2, 3, 1)
    dy = torch.tensor(a["dy"]).reshape(y_nhwc.shape)
    loss = (y_nhwc * dy).sum() + l2 * (k * k).sum()
    loss.backward()
    close("conv2d_forward", a["y"], y_nhwc.detach(), 1e-5)
    close("conv2d_dkernel", a["dw"], k.grad, 1e-4)
    close("conv2d_dbias", a["db"], b.grad, 1e-4)
    close("conv2d_dx", a["dx"], x.grad.permute(0, 2, 3, 1), 1e-4)


def check_pool(head, a):
    kind = head[1]
    n, h, w, c, k, s, same = (int(v) for v in head[2:9])
    x = torch.tensor(a["x"]).reshape(n, h, w, c).permute(0, 3, 1, 2).requires_grad_()
    if kind == "global":
        y = x.mean(dim=(2, 3))
        out = y
    else:
        top, bottom = same_pads(h, k, s) if same else (0, 0)
        left, right = same_pads(w, k, s) if same else (0, 0)
        if kind == "max":
            xp = F.pad(x, (left, right, top, bottom), value=float("-inf"))
            y = F.max_pool2d(xp, k, s)
        else:
            # PyTorch's own padding is symmetric: sum / count over the
            # explicitly padded image instead.
            xp = F.pad(x, (left, right, top, bottom))
            ones = F.pad(torch.ones_like(x), (left, right, top, bottom))
            y = F.avg_pool2d(xp, k, s) / F.avg_pool2d(ones, k, s)
        out = y.permute(0, 2, 3, 1)
    dy = torch.tensor(a["dy"]).reshape(out.shape)
    (out * dy).sum().backward()
    close("%s_pool_forward" % kind, a["y"], out.detach(), 1e-6)
    close("%s_pool_dx" % kind, a["dx"], x.grad.permute(0, 2, 3, 1), 1e-6)


def main():
    cases = read_blocks(sys.stdin.read().splitlines())
    if len(cases) != 4:
        print("not ok dump: %d cases, want 4" % len(cases))
        return
    for head, arrays in cases:
        (check_conv if head[0] == "conv" else check_pool)(head, arrays)


main()
