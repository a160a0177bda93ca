#!/bin/sh
# The stages never reach back (architecture.md): no cycle among the
# modules, where module X is src/X.c, src/X.h (and X.re, grammar/X.y) and
# X depends on Y when one of X's files has `#include "Y.h"` and src/Y.h
# exists (Lemon's generated lr.h holds token codes only and includes
# nothing). Prints "ok NAME" / "not ok NAME: why".
top=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# cycles DIR...: prints each cycle found as "a -> b -> a", one a line.
cycles() {
    python3 - "$@" <<'PY'
import os, re, sys
deps = {}
headers = {f[:-2] for d in sys.argv[1:] for f in os.listdir(d) if f.endswith('.h')}
for d in sys.argv[1:]:
    for f in sorted(os.listdir(d)):
        stem, ext = os.path.splitext(f)
        if ext not in ('.c', '.h', '.re', '.y'):
            continue
        with open(os.path.join(d, f), encoding='utf-8', errors='replace') as fh:
            for m in re.finditer(r'^\s*#\s*include\s+"([^"/]+)\.h"', fh.read(), re.M):
                if m.group(1) != stem and m.group(1) in headers:
                    deps.setdefault(stem, set()).add(m.group(1))
# Depth-first; a grey module met again closes a cycle.
state, path = {}, []
def visit(m):
    state[m] = 'grey'
    path.append(m)
    for n in sorted(deps.get(m, ())):
        if state.get(n) == 'grey':
            print(' -> '.join(path[path.index(n):] + [n]))
        elif n not in state:
            visit(n)
    path.pop()
    state[m] = 'black'
for m in sorted(deps):
    if m not in state:
        visit(m)
PY
}

found=$(cycles "$top/src" "$top/grammar")
if [ -z "$found" ]; then echo "ok no include cycle between modules"
else echo "not ok no include cycle between modules: $(echo "$found" | tr '\n' ';')"; fi

# The finder itself: a cycle through a header and a .c file is seen.
mkdir "$tmp/src"
printf '#include "b.h"\n' >"$tmp/src/a.h"
printf '#include "c.h"\n' >"$tmp/src/b.c"
: >"$tmp/src/b.h"
printf '#include "a.h"\n' >"$tmp/src/c.h"
found=$(cycles "$tmp/src")
if [ "$found" = "a -> b -> c -> a" ]; then echo "ok include cycle finder sees a planted cycle"
else echo "not ok include cycle finder sees a planted cycle: got '$found'"; fi
