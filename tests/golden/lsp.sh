#!/bin/sh
# lsp.sh — lrc lsp, the language server: tests/lsp_client.py drives it as an
# editor does (diagnostics, quick fix, hover, completion, definitions,
# malformed messages, every file of tests/errors, shutdown and exit), then
# Neovim's own LSP client (nvim --headless with editors/nvim/) shows the
# checker's message for a misspelled optimizer. Prints "ok NAME" / "not ok
# NAME: why".
. "$(dirname "$0")/../golden_lib.sh"
top=$(pwd)

$PY "$top/tests/lsp_client.py" "$LRC" "$tmp/client" "$top/tests/errors"

# lrc lsp takes no file: the editor sends the documents.
expect "lsp takes no file" 2 "lsp takes no file" "$LRC" lsp x.lr

# Neovim: the diagnostic vim.diagnostic.get returns for the buffer.
if command -v nvim >/dev/null 2>&1; then
    mkdir -p "$tmp/nvim" && cd "$tmp/nvim" || exit 1
    printf 'x,y\n1,0\n2,1\n3,0\n4,1\n' >data.csv
    cat >exp.lr <<'LR'
dataset d = csv("data.csv", label="y")
model dense(1, activation=sigmoid)
loss binary_crossentropy
optimizer sdg lr=0.1
train on=d epochs=1
LR
    cat >shown.lua <<'LUA'
local got = vim.wait(20000, function() return #vim.diagnostic.get(0) > 0 end, 50)
local out = {}
for _, d in ipairs(vim.diagnostic.get(0)) do
  table.insert(out, string.format('%d:%d: %s: %s', d.lnum + 1, d.col + 1, d.source, d.message))
end
if not got then table.insert(out, 'no diagnostics within 20 s') end
vim.fn.writefile(out, 'shown.txt')
vim.cmd('qa!')
LUA
    # HOME and XDG dirs of the scratch directory: no user config or state.
    HOME=$tmp/nvim XDG_CONFIG_HOME=$tmp/nvim/config XDG_DATA_HOME=$tmp/nvim/data \
        XDG_STATE_HOME=$tmp/nvim/state timeout 60 nvim --headless --clean \
        --cmd "set rtp^=$top/editors/nvim" --cmd "let g:lrc_lsp_cmd = ['$LRC', 'lsp']" \
        exp.lr -c "luafile shown.lua" >nvim.out 2>&1
    "$LRC" check exp.lr 2>&1 | sed -n 's/^exp\.lr:\([0-9]*:[0-9]*\): error: /\1: lrc: /p' >want.txt
    if [ -s want.txt ] && cmp -s want.txt shown.txt; then ok "lsp nvim shows the diagnostic"
    else notok "lsp nvim shows the diagnostic" "$(cat shown.txt nvim.out 2>&1 | head -3 | tr '\n' '|') want $(cat want.txt)"; fi
    grep -q "unknown optimizer 'sdg'; did you mean 'sgd'?" shown.txt ||
        notok "lsp nvim message" "$(cat shown.txt)"
    cd "$top" || exit 1
else
    notok "lsp nvim shows the diagnostic" "nvim is not installed (make deps)"
fi
