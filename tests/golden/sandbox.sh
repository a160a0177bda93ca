#!/bin/sh
# The sandbox around a stranger's experiment file, attacked the way a
# hostile review did: reads and writes relative to the current directory,
# standard input, a symlink swapped between the check and the run (the
# kernel's Landlock layer), run directories that are symlinks, sweep
# outputs and the run directory's own files. Prints "ok NAME" /
# "not ok NAME: why".
LRC=${LRC:-./lrc}
LRC=$(cd "$(dirname "$LRC")" && pwd)/$(basename "$LRC") # the checks change directory
tmp=$(mktemp -d)
trap 'chmod -R u+w "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT
ok() { echo "ok $1"; }
notok() { echo "not ok $1: $2"; }
# expect NAME STATUS PATTERN COMMAND...: the command exits STATUS and its
# stderr matches PATTERN (grep -E).
expect() {
    name=$1 want=$2 pattern=$3
    shift 3
    "$@" >"$tmp/out" 2>"$tmp/err"
    st=$?
    if [ $st -eq "$want" ] && { [ -z "$pattern" ] || grep -Eq -- "$pattern" "$tmp/err"; }; then ok "$name"
    else notok "$name" "exit $st: $(head -3 "$tmp/err")"; fi
}
# absent NAME TEXT: nothing lrc printed contains TEXT.
absent() {
    if grep -qF -- "$2" "$tmp/out" "$tmp/err"; then notok "$1" "printed '$2'"; else ok "$1"; fi
}
train='model dense(1)\nloss mse\noptimizer sgd\ntrain epochs=1\n'
moons='dataset d = moons(40)\nmodel dense(1, activation=sigmoid)\nloss binary_crossentropy\noptimizer adam\ntrain epochs=1\n'

# --- 1. relative to the file, never to the current directory -------------
home="$tmp/home"
mkdir -p "$home/Downloads/evil"
printf '1:2:ghp_SECRETTOKEN123@github.com\n' >"$home/.git-credentials"
printf '# mine\n' >"$home/.bashrc"
printf 'dataset d = csv("../../.git-credentials", header=false, delimiter=":", label="1", features=["3"])\n'"$train" \
    >"$home/Downloads/evil/read.lr"
cd "$home" || exit 1
expect "a file run from \$HOME cannot read \$HOME" 2 "reading '.*\.git-credentials' is not allowed" \
    "$LRC" Downloads/evil/read.lr
absent "the secret is not echoed" "ghp_SECRET"
printf "$moons"'save "../../.bashrc"\n' >"$home/Downloads/evil/save.lr"
expect "a file run from \$HOME cannot write \$HOME" 2 \
    "Downloads/evil/save.lr:6:6: error: writing '.*\.bashrc' is not allowed: it is outside the experiment's directory" \
    "$LRC" --quiet Downloads/evil/save.lr
[ "$(cat "$home/.bashrc")" = "# mine" ] && ok "the dotfile is untouched" || notok "the dotfile is untouched" "changed"
printf "$moons"'save "w.safetensors"\n' >"$home/Downloads/evil/here.lr"
expect "without --out, save writes below the file's own directory" 0 "" "$LRC" --quiet Downloads/evil/here.lr
[ -s "$home/Downloads/evil/w.safetensors" ] || notok "save wrote beside the file" "no w.safetensors"
expect "--allow-read lets it read \$HOME" 1 "non-numeric value 'ghp_SECRET" \
    "$LRC" --allow-read "$home" Downloads/evil/read.lr
cd - >/dev/null || exit 1

exit 0
