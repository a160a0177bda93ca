#!/bin/sh
# The sandbox around a stranger's experiment file, attacked the way a
# hostile review did: reads and writes relative to the current directory,
# standard input, a symlink swapped between the check and the run (the
# kernel's Landlock layer), run directories that are symlinks, sweep
# outputs and the run directory's own files. Prints "ok NAME" /
# "not ok NAME: why".
. "$(dirname "$0")/../golden_lib.sh"
# absent NAME TEXT: nothing lrc printed contains TEXT.
absent() {
    if grep -qF -- "$2" "$tmp/out" "$tmp/err"; then notok "$1" "printed '$2'"; else ok "$1"; fi
}
PY=/usr/bin/python3
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
expect "a file run from \$HOME cannot read \$HOME" 2 "reading '.*\.git-credentials' \(which is '$home/\.git-credentials'\) is not allowed" \
    "$LRC" Downloads/evil/read.lr
absent "the secret is not echoed" "ghp_SECRET"
printf "$moons"'save "../../.bashrc"\n' >"$home/Downloads/evil/save.lr"
expect "a file run from \$HOME cannot write \$HOME" 2 \
    "Downloads/evil/save.lr:6:6: error: writing '.*\.bashrc' \(which is '.*/home/\.bashrc'\) is not allowed: it is outside the experiment's directory" \
    "$LRC" --quiet Downloads/evil/save.lr
[ "$(cat "$home/.bashrc")" = "# mine" ] && ok "the dotfile is untouched" || notok "the dotfile is untouched" "changed"
printf "$moons"'save "w.safetensors"\n' >"$home/Downloads/evil/here.lr"
expect "without --out, save writes below the file's own directory" 0 "" "$LRC" --quiet Downloads/evil/here.lr
[ -s "$home/Downloads/evil/w.safetensors" ] || notok "save wrote beside the file" "no w.safetensors"
expect "--allow-read lets it read \$HOME" 2 "non-numeric value 'ghp_SECRET" \
    "$LRC" --allow-read "$home" Downloads/evil/read.lr
cd - >/dev/null || exit 1


# --- 2. an experiment from standard input ---------------------------------
# Its directory is the current one, never /dev (the directory of the name
# /dev/stdin), and /dev, /proc and /sys need --allow-read.
mkdir -p "$tmp/cwd"
shm=$(mktemp -d /dev/shm/lrc-sandbox-XXXXXX 2>/dev/null || mktemp -d)
printf 'a,b\n1,SECRETDEV\n' >"$shm/secret.csv"
printf 'dataset d = csv("'"$shm"'/secret.csv", label="a")\n'"$train" >"$tmp/dev.lr"
cd "$tmp/cwd" || exit 1
for given in /dev/stdin -; do
    expect "lrc $given cannot read another place in /dev" 2 "reading '$shm/secret.csv' is not allowed" \
        "$LRC" "$given" <"$tmp/dev.lr"
    absent "lrc $given echoes nothing of it" "SECRETDEV"
done
printf 'dataset d = csv("/proc/self/environ", label="a")\n'"$train" >"$tmp/proc.lr"
expect "lrc /dev/stdin cannot read /proc" 2 "/dev, /proc and /sys only with --allow-read" "$LRC" /dev/stdin <"$tmp/proc.lr"
printf 'a,b\n1,2\n2,4\n3,6\n' >"$tmp/cwd/here.csv"
printf 'dataset d = csv("here.csv", label="a")\n'"$train" >"$tmp/here.lr"
expect "lrc - reads below the current directory" 0 "" "$LRC" --quiet - <"$tmp/here.lr"
expect "lrc /dev/stdin reads below the current directory" 0 "" "$LRC" --quiet /dev/stdin <"$tmp/here.lr"
expect "a pipe's name is no directory either" 0 "" sh -c "cat '$tmp/here.lr' | '$LRC' --quiet /dev/fd/0"
printf 'dataset d = csv("../dev.lr", label="a")\n'"$train" >"$tmp/up.lr"
expect "lrc - cannot climb out of the current directory" 2 "<stdin>:1:17: error: reading '../dev.lr' \(which is '.*/dev.lr'\) is not allowed" \
    "$LRC" - <"$tmp/up.lr"
expect "--allow-read opens /dev explicitly" 2 "non-numeric value" "$LRC" --allow-read "$shm" - <"$tmp/dev.lr"
printf 'let n = sweep(1, 2)\n'"$moons" >"$tmp/sweep.lr"
expect "a sweep cannot come from standard input" 2 "cannot come from standard input" "$LRC" - <"$tmp/sweep.lr"
cd - >/dev/null || exit 1
rm -rf "$shm"
# --- 3. the kernel holds the run to what the checks allowed ---------------
# LRC_TEST_PAUSE_FIFO stops lrc between the check and the run; meanwhile
# a checked symlink is pointed outside. Only Landlock can refuse that.
ll="$tmp/ll"
mkdir -p "$ll/exp/inside" "$ll/outside" "$ll/victim"
printf 'a,b\n1,2\n2,4\n' >"$ll/exp/inside/d.csv"
printf 'a,b\n1,SECRETLL\n' >"$ll/outside/d.csv"
ln -s inside "$ll/exp/data"
ln -s inside "$ll/exp/saved"
printf 'dataset d = csv("data/d.csv", label="a")\n'"$train" >"$ll/exp/read.lr"
printf "$moons"'save "saved/w.safetensors"\n' >"$ll/exp/write.lr"
mkfifo "$ll/fifo"
# swapped LINK TARGET LRC-ARGS...: runs lrc, waits until it is paused
# after the check (its open of the fifo meets ours), points LINK at TARGET,
# lets it go on; leaves its output in $tmp/out and $tmp/err, its status in $st.
swapped() {
    link=$1 target=$2
    shift 2
    LRC_TEST_PAUSE_FIFO="$ll/fifo" "$LRC" "$@" >"$tmp/out" 2>"$tmp/err" &
    pid=$!
    $PY - "$ll/fifo" "$link" "$target" <<'PY'
import errno, os, sys, time
fifo, link, target = sys.argv[1:]
deadline = time.time() + 10
while True:
    try:
        fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)  # ENXIO until lrc waits on it
        break
    except OSError as e:
        if e.errno != errno.ENXIO or time.time() > deadline:
            sys.exit("lrc never paused")
        time.sleep(0.01)
os.symlink(target, link + ".new")
os.rename(link + ".new", link)
os.close(fd)
PY
    wait $pid
    st=$?
    ln -sfn inside "$link"
}
if "$LRC" "$ll/exp/read.lr" 2>&1 | grep -q "has no Landlock"; then
    ok "kernel enforcement skipped: this kernel has no Landlock"
else
    swapped "$ll/exp/data" "$ll/outside" "$ll/exp/read.lr"
    if [ $st -eq 1 ] && grep -q "refused by the kernel (Landlock): reading '.*data/d.csv' (which is '.*/outside/d.csv') is not allowed" "$tmp/err"; then
        ok "a symlink swapped after the check is refused by the kernel"
    else notok "a symlink swapped after the check is refused by the kernel" "exit $st: $(head -3 "$tmp/err")"; fi
    absent "nothing of the swapped-in file is read" "SECRETLL"
    swapped "$ll/exp/saved" "$ll/victim" --quiet "$ll/exp/write.lr"
    if [ $st -eq 1 ] && grep -q "refused by the kernel (Landlock): writing" "$tmp/err" && [ -z "$(ls -A "$ll/victim")" ]; then
        ok "a save target swapped after the check is refused by the kernel"
    else notok "a save target swapped after the check is refused by the kernel" "exit $st: $(head -3 "$tmp/err"); $(ls -A "$ll/victim")"; fi
    swapped "$ll/exp/data" inside --quiet "$ll/exp/read.lr"
    [ $st -eq 0 ] && ok "an unswapped run passes the pause" || notok "an unswapped run passes the pause" "exit $st: $(head -3 "$tmp/err")"
fi
# --- 4. messages say where a path really leads ----------------------------
mkdir -p "$tmp/four/a/b"
printf "$moons" >"$tmp/four/m.lr"
ln -s "$tmp/four/nowhere/x" "$tmp/four/dangling"
expect "--out on a dangling symlink says where it points" 1 \
    "cannot create directory '.*/four/dangling': it is a symbolic link to '.*/four/nowhere/x', which does not exist" \
    "$LRC" --quiet --out "$tmp/four/dangling" "$tmp/four/m.lr"
[ ! -e "$tmp/four/nowhere" ] && ok "... and creates nothing there" || notok "... and creates nothing there" "made it"
touch "$tmp/four/file"
expect "--out on a file says so" 1 "cannot create directory '.*/four/file': it exists and is not a directory" \
    "$LRC" --quiet --out "$tmp/four/file" "$tmp/four/m.lr"
printf 'dataset d = csv("/proc/self/cwd/../../../etc/passwd", label="x")\n'"$train" >"$tmp/four/a/b/p.lr"
up=$(printf '/..%.0s' 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20)
printf 'dataset d = csv("/proc/self/cwd'"$up"'/etc/passwd", label="x")\n'"$train" >"$tmp/four/a/b/root.lr"
real4=$(cd "$tmp/four" && pwd -P)
cd "$tmp/four/a/b" || exit 1
expect "/proc/self/cwd/.. is shown as where it leads" 2 \
    "reading '/proc/self/cwd/../../../etc/passwd' \(which is '$(dirname "$real4")/etc/passwd'\) is not allowed: .*\(allow it with --allow-read $(dirname "$real4")/etc\)" \
    "$LRC" check p.lr
expect "... and so is one that climbs back to /etc" 2 "\(which is '/etc/passwd'\) is not allowed: .*\(allow it with --allow-read /etc\)" \
    "$LRC" check root.lr
cd - >/dev/null || exit 1
# --- 5. a sweep's stdout.txt and stderr.txt are created anew ---------------
five="$tmp/five"
mkdir -p "$five/out/run-001" "$five/elsewhere"
printf '# mine\n' >"$five/victim"
ln -s "$five/victim" "$five/out/run-001/stdout.txt"
ln "$five/victim" "$five/out/run-001/stderr.txt" 2>/dev/null || ln -s "$five/victim" "$five/out/run-001/stderr.txt"
ln -s "$five/elsewhere" "$five/out/run-002"
printf 'let n = sweep(1, 2)\ndataset d = moons(40)\nmodel dense(n) -> dense(1, activation=sigmoid)\nloss binary_crossentropy\noptimizer adam\ntrain epochs=1\n' >"$five/sweep.lr"
expect "a sweep into planted links: the linked run fails" 1 "cannot open '.*/out/run-002': it is not a directory" \
    "$LRC" --out "$five/out" "$five/sweep.lr"
[ "$(cat "$five/victim")" = "# mine" ] && ok "stdout.txt and stderr.txt do not write through links" ||
    notok "stdout.txt and stderr.txt do not write through links" "victim now: $(head -c 80 "$five/victim")"
[ -f "$five/out/run-001/stdout.txt" ] && [ ! -L "$five/out/run-001/stdout.txt" ] && grep -q "^epoch 1/1" "$five/out/run-001/stdout.txt" &&
    ok "the run's own stdout.txt replaces the link" || notok "the run's own stdout.txt replaces the link" "$(ls -l "$five/out/run-001")"
[ -z "$(ls -A "$five/elsewhere")" ] && ok "nothing is written where a linked run directory points" ||
    notok "nothing is written where a linked run directory points" "$(ls -A "$five/elsewhere")"
# --- 6. save never names the run directory's own files ---------------------
six="$tmp/six"
mkdir -p "$six"
for target in r/checkpoint.safetensors r/./model.safetensors r//metrics.csv r/run.json \
    r/.checkpoint.safetensors.tmp.1 r/sweep.csv r/run-001/model.safetensors; do
    printf "$moons"'save "%s"\n' "$target" >"$six/save.lr"
    expect "save \"$target\" with --out r is refused, positioned" 2 \
        "save.lr:6:6: error: writing '[^']*$target' .*is not allowed: [a-zN.-]+ in the run directory is lrc's own" \
        "$LRC" --quiet --out "$six/r" "$six/save.lr"
done
[ ! -e "$six/r" ] && ok "... before the run directory is made" || notok "... before the run directory is made" "$(ls -A "$six/r")"
printf "$moons"'save "r/w.safetensors"\n' >"$six/save.lr"
expect "another name in the run directory is saved" 0 "" "$LRC" --quiet --out "$six/r" "$six/save.lr"
[ -s "$six/r/w.safetensors" ] && [ -s "$six/r/checkpoint.safetensors" ] && ok "... beside the run's own files" ||
    notok "... beside the run's own files" "$(ls -A "$six/r")"
printf "$moons"'save "r/checkpoint.safetensors"\n' >"$six/save.lr"
expect "lrc check refuses it too" 2 "checkpoint.safetensors in the run directory is lrc's own" \
    "$LRC" check --out "$six/r" "$six/save.lr"
exit 0
