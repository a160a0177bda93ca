#!/bin/sh
# The editor files and the shell completion, tried in the real programs:
# Vim (headless) highlights an .lr file with build/editors/vim, Emacs
# (batch) with lr-mode.el, the TextMate grammar's regexes match the words
# (Python's re: for these patterns, \b, (?:|), a one-character lookbehind,
# it reads them as Oniguruma does), bash runs the completion function; and
# every editor's words are exactly src/words.h's.
# Prints "ok NAME" / "not ok NAME: why".
. "$(dirname "$0")/../golden_lib.sh"
top=$(pwd)
ed=$top/build/editors

# --- one vocabulary ----------------------------------------------------------
# Every spelling of words.h's X-macro lists (not the activations lrc lacks,
# which have no code, nor the output kinds, which are no word of a file),
# sweep and patience: read from the header here, independently of
# editor_words.c, so that a list it forgets fails.
sed -n 's/.*LR_\(SWEEP\|PATIENCE\)_WORD "\([a-z_0-9]*\)".*/\2/p' src/words.h >"$tmp/words"
sed -e '/^#define LR_OUTPUTS/,/^typedef/d' -e '/^ *\/\{0,1\}\*/d' src/words.h |
    grep -o 'X([A-Z_0-9]*, "[a-z_0-9]*"' | sed 's/.*"\(.*\)"/\1/' >>"$tmp/words"
sort -u "$tmp/words" >"$tmp/words.h.txt"
vim_words() { sed -n 's/^syn keyword lr[A-Z][a-z]* *//p' "$ed/vim/syntax/lr.vim" | grep -v TODO | tr ' ' '\n'; }
emacs_words() {
    sed -n '/defconst lr-font-lock-keywords/,/What .lr-mode. highlights/p' "$ed/emacs/lr-mode.el" |
        grep -o '"[a-z_0-9]*"' | tr -d '"'
}
tm_words() {
    $PY -c 'import json, sys
g = json.load(open(sys.argv[1]))
for p in g["repository"]["words"]["patterns"]:
    print("\n".join(p["match"][5:-3].split("|")))' "$ed/vscode/syntaxes/lr.tmLanguage.json"
}
for editor in vim emacs tm; do
    "${editor}_words" | sed '/^$/d' | sort -u >"$tmp/$editor.txt"
    if [ "$(wc -l <"$tmp/words.h.txt")" -gt 60 ] && cmp -s "$tmp/words.h.txt" "$tmp/$editor.txt"; then
        ok "editors words $editor: the $(wc -l <"$tmp/words.h.txt") words of words.h"
    else
        notok "editors words $editor" "$(diff "$tmp/words.h.txt" "$tmp/$editor.txt" | head -5)"
    fi
done

# --- Vim -------------------------------------------------------------------
# The highlight group at the first match of each pattern.
cat >"$tmp/groups.vim" <<'VIM'
function! Group(pattern)
  call cursor(1, 1)
  let pos = searchpos(a:pattern, 'cW')
  return pos[0] ? synIDattr(synID(pos[0], pos[1], 1), 'name') : 'not found'
endfunction
call writefile([&filetype, Group('^optimizer'), Group('\<adam\>'), Group('# iris'),
  \ Group('"data/'), Group('=\zssoftmax'), Group('\<exp_decay\>'), Group('0\.05'),
  \ Group('\<true\>')], $OUT)
qa!
VIM
cp examples/iris.lr "$tmp/iris.lr"
printf 'optimizer sgd lr=exp_decay(0.1, steps=100, rate=0.5) nesterov=true\n' >>"$tmp/iris.lr"
OUT=$tmp/vim.out timeout 20 vim -Es -N -u NONE -i NONE -c "set rtp^=$ed/vim" -c 'filetype on' \
    -c 'syntax on' -c "edit $tmp/iris.lr" -S "$tmp/groups.vim" </dev/null >/dev/null 2>&1
printf 'lr\nlrStatement\nlrOptimizer\nlrComment\nlrString\nlrActivation\nlrSchedule\nlrNumber\nlrReserved\n' >"$tmp/vim.want"
if cmp -s "$tmp/vim.want" "$tmp/vim.out"; then
    ok "editors vim: *.lr is filetype lr; optimizer, adam, a comment, a string, softmax, exp_decay, a number, true"
else
    notok "editors vim" "$(paste -d' ' "$tmp/vim.want" "$tmp/vim.out" 2>&1 | tr '\n' ';')"
fi

# --- Emacs -----------------------------------------------------------------
cat >"$tmp/faces.el" <<'EL'
(require 'lr-mode)
(find-file (car command-line-args-left))
(font-lock-ensure)
(defun face-at (re)
  (goto-char (point-min))
  (re-search-forward re)
  (let ((face (get-text-property (or (match-beginning 1) (match-beginning 0)) 'face)))
    (if (consp face) (car face) face)))
;; Continuation lines: each starts at column 0, lr-indent-line places it.
(defun indent-of (re)
  (goto-char (point-min))
  (re-search-forward re)
  (lr-indent-line)
  (current-indentation))
(princ (format "%s %s %s %s %s %s %d %d %d %d\n" major-mode
               (face-at "^optimizer") (face-at "\\_<adam\\_>") (face-at "# iris")
               (face-at "\"data/") (face-at "=\\(softmax\\)")
               (indent-of "^features=3") (indent-of "^init=normal")
               (indent-of "^stddev=") (indent-of "^model dense(2)")))
EL
cp examples/iris.lr "$tmp/iris.el.lr"
printf 'dataset g = linear(n=100,\nfeatures=3)\nlet m = dense(1,\ninit=normal(\nstddev=0.01))\nmodel dense(2)\n' \
    >>"$tmp/iris.el.lr"
got=$(timeout 60 emacs --batch -Q -L "$ed/emacs" -l "$tmp/faces.el" "$tmp/iris.el.lr" 2>&1 | tail -1)
want="lr-mode font-lock-keyword-face font-lock-builtin-face font-lock-comment-delimiter-face font-lock-string-face font-lock-type-face 19 14 18 0"
if [ "$got" = "$want" ]; then
    ok "editors emacs: lr-mode for .lr, faces of a keyword, an optimizer, a comment, a string, an activation; continuation lines"
else
    notok "editors emacs" "got '$got', want '$want'"
fi

# --- VS Code ---------------------------------------------------------------
cat >"$tmp/tm.py" <<'PY'
import json, re, sys
ed = sys.argv[1]
manifest = json.load(open(ed + "/vscode/package.json"))
json.load(open(ed + "/vscode/language-configuration.json"))
grammar = json.load(open(ed + "/vscode/syntaxes/lr.tmLanguage.json"))
lang = manifest["contributes"]["languages"][0]
assert lang["extensions"] == [".lr"] and lang["configuration"] == "./language-configuration.json"
assert manifest["contributes"]["grammars"][0]["path"] == "./syntaxes/lr.tmLanguage.json"
assert "vscode-languageclient" in manifest["dependencies"]
assert "'lsp'" in open(ed + "/vscode/" + manifest["main"]).read()
rules = [(r["name"], re.compile(r["match"])) for r in grammar["repository"]["words"]["patterns"]]
rules += [(grammar["repository"][k]["name"], re.compile(grammar["repository"][k]["match"]))
          for k in ("comment", "number")]
def scope(line, text):
    """The scope of the first rule matching at text's place in line."""
    at = line.index(text)
    for name, rx in rules:
        m = rx.search(line, at)
        if m and m.start() == at:
            return name
    return None
line = 'optimizer adam lr=cosine(0.05, steps=10) # adamw'
want = {"optimizer": "keyword.control.statement.lr", "adam": "support.constant.optimizer.lr",
        "cosine": "support.function.schedule.lr", "0.05": "constant.numeric.lr",
        "# adamw": "comment.line.number-sign.lr", "lr=": None, "steps": None}
got = {t: scope(line, t) for t in want}
assert got == want, got
# No word inside a longer name: adamw is not adam, dense_1 not dense.
assert [n for n, rx in rules if rx.fullmatch("adamw")] == ["support.constant.optimizer.lr"]
assert not any(rx.search("dense_1") for n, rx in rules[:-2])
PY
check "editors vscode: package.json, the language configuration and the grammar are JSON; the grammar's scopes of optimizer, adam, cosine, a number, a comment" \
    $PY "$tmp/tm.py" "$ed"

# --- bash completion ---------------------------------------------------------
# complete CWORD WORD...: COMPREPLY (sorted, one line) of the completion
# function with the cursor at the end of word CWORD.
cat >"$tmp/complete.bash" <<'BASH'
. /usr/share/bash-completion/bash_completion
. "$1"; shift
cword=$1; shift
COMP_WORDS=("$@"); COMP_CWORD=$cword
COMP_LINE="${COMP_WORDS[*]:0:cword+1}"; COMP_POINT=${#COMP_LINE}
COMPREPLY=()
_lrc
printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' '
BASH
mkdir "$tmp/bin"
ln -s "$LRC" "$tmp/bin/lrc"
complete() { (cd "$top/examples" && PATH=$tmp/bin:$PATH bash "$tmp/complete.bash" "$top/editors/bash/lrc" "$@"); }
expect_reply() {
    name=$1 want=$2
    shift 2
    got=$(complete "$@" 2>&1)
    if [ "$got" = "$want" ]; then ok "$name"; else notok "$name" "got '$got', want '$want'"; fi
}
expect_reply "editors bash: a subcommand" "summary " 1 lrc su
expect_reply "editors bash: a subcommand or an .lr file" "schedule schedules.lr " 1 lrc sch
expect_reply "editors bash: check's .lr file" "schedules.lr " 2 lrc check sch
expect_reply "editors bash: check's options" "--explain " 2 lrc check --ex
expect_reply "editors bash: export's options" "--c --force --name --onnx " 2 lrc export --
expect_reply "editors bash: predict's options" "--delimiter " 3 lrc predict m --d
expect_reply "editors bash: --set names the file's lets" "fixed= inv_time= poly= stairs= step_decay= " \
    3 lrc schedules.lr --set ''
expect_reply "editors bash: --set before the file" "stairs= step_decay= " 2 lrc --set st schedules.lr
expect_reply "editors bash: plot completes directories" "data " 2 lrc plot dat
# Every subcommand that lrc --help shows is completed.
for c in $("$LRC" --help | sed -n 's/^  lrc \([a-z][a-z]*\) .*/\1/p' | sort -u); do
    case $(complete 1 lrc "$c") in
        *"$c "*) ;;
        *) notok "editors bash: every subcommand of --help" "'$c' is not completed"; c=fail; break ;;
    esac
done
[ "$c" != fail ] && ok "editors bash: every subcommand of --help"
# --complete-options reads the option table: all commands' together are
# the options --help lists.
for c in "" $("$LRC" --help | sed -n 's/^  lrc \([a-z][a-z]*\) .*/\1/p' | sort -u); do
    "$LRC" $c --complete-options
done |
    grep -- '^--' | sort -u >"$tmp/opts"
"$LRC" --help | grep -o -- '--[a-z-]*[a-z]' | sort -u >"$tmp/help.opts"
if [ "$(wc -l <"$tmp/opts")" -gt 20 ] && cmp -s "$tmp/opts" "$tmp/help.opts"; then
    ok "editors bash: --complete-options lists --help's $(wc -l <"$tmp/opts") options"
else notok "editors bash: --complete-options" "$(diff "$tmp/help.opts" "$tmp/opts" | head -5)"; fi

# --- make install / uninstall --------------------------------------------------
# Into a scratch DESTDIR and PREFIX, the binary under test (make rebuilds
# nothing: -o), then used from there: an example with `use` finds the
# installed stdlib beside the binary (no LRC_PATH), man reads the pages, the
# editors find their files where they look; uninstall leaves DESTDIR as it
# was, but for a file of someone else's in a directory install made.
dest=$tmp/dest prefix=/opt/lr\ c
mkdir -p "$dest/kept"
inst() { make -s --no-print-directory -o lrc -o editors INSTALL_BIN="$LRC" DESTDIR="$dest" PREFIX="$prefix" "$@"; }
if inst install >"$tmp/install.out" 2>&1; then
    root=$dest$prefix
    (cd examples && env -u LRC_PATH "$root/bin/lrc" modules.lr --quiet) >"$tmp/installed.out" 2>&1
    (cd examples && LRC_PATH=$top/stdlib "$LRC" modules.lr --quiet) >"$tmp/built.out" 2>&1
    if grep -q '^dense weights' "$tmp/built.out" && cmp -s "$tmp/built.out" "$tmp/installed.out"; then
        ok "editors install: the installed lrc runs modules.lr with its installed stdlib"
    else notok "editors install: the installed lrc runs modules.lr" "$(diff "$tmp/built.out" "$tmp/installed.out" | head -5)"; fi
    if MANWIDTH=80 man -l "$root/share/man/man1/lrc.1" 2>&1 | grep -q '^SYNOPSIS' &&
        MANWIDTH=80 man -l "$root/share/man/man5/lr.5" 2>&1 | grep -q '^SYNOPSIS\|^DESCRIPTION'; then
        ok "editors install: man -l reads the installed lrc(1) and lr(5)"
    else notok "editors install: man -l" "$(man -l "$root/share/man/man1/lrc.1" 2>&1 | head -3)"; fi
    OUT=$tmp/vim.installed timeout 20 vim -Es -N -u NONE -i NONE -c "let &rtp = '$root/share/vim/vimfiles,' . &rtp" \
        -c 'filetype on' -c 'syntax on' -c "edit $tmp/iris.lr" -S "$tmp/groups.vim" </dev/null >/dev/null 2>&1
    got=$(PATH=$root/bin:$PATH bash "$tmp/complete.bash" "$root/share/bash-completion/completions/lrc" \
        2 lrc check --ex 2>&1)
    if cmp -s "$tmp/vim.want" "$tmp/vim.installed" && [ "$got" = "--explain " ] &&
        [ -f "$root/share/emacs/site-lisp/lr-mode.el" ] &&
        $PY -c 'import json, sys; json.load(open(sys.argv[1]))' \
            "$root/share/lrc/editors/vscode/syntaxes/lr.tmLanguage.json"; then
        ok "editors install: Vim, Emacs, VS Code and bash files where each looks"
    else notok "editors install: editor files" "vim: $(tr '\n' ' ' <"$tmp/vim.installed"); bash: $got"; fi
    mkdir -p "$root/share/man/man1" && echo other >"$root/share/man/man1/other.1"
    inst uninstall >"$tmp/uninstall.out" 2>&1
    left=$(cd "$dest" && find . | sort | tr '\n' ' ')
    want=". ./kept ./opt ./opt/lr c ./opt/lr c/share ./opt/lr c/share/man ./opt/lr c/share/man/man1 ./opt/lr c/share/man/man1/other.1 "
    if [ "$left" = "$want" ]; then
        rm "$root/share/man/man1/other.1"
        ok "editors install: make uninstall removes what install made, not another's file"
    else notok "editors install: make uninstall" "left: $left"; fi
    expect "editors install: uninstall of nothing says so" 2 "nothing installed" inst uninstall
else
    notok "editors install: make install" "$(tail -3 "$tmp/install.out")"
fi
