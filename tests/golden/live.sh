#!/bin/sh
# Watching a run: each result line reaches stdout when it is complete,
# through a pipe or into a file, while the run goes on; the progress line
# on a terminal's stderr (and nowhere else); log_every. Prints "ok NAME" /
# "not ok NAME: why".
. "$(dirname "$0")/../golden_lib.sh"
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$tmp" || exit 1

# A run of about ten seconds, in epochs of half a second: its 20 lines
# would sit in a buffer until the end.
cat >slow.lr <<'LR'
seed 1
dataset d = blobs(n=20000, features=128, classes=4)
model dense(256, activation=relu) -> dense(256, activation=relu) -> dense(4, activation=softmax)
loss categorical_crossentropy
optimizer sgd lr=0.01
train epochs=20 batch=32
LR

# --- result lines as they are complete ---------------------------------
# alive PID: still running (a process that has exited is a zombie until
# it is waited for, and kill -0 succeeds on one).
alive() { st=$(ps -o stat= -p "$1" 2>/dev/null); [ -n "$st" ] && [ "${st#Z}" = "$st" ]; }
# Through a pipe: the reader holds the pipe open (fd 3) and reads one line
# with a timeout; the run must still be going when it has it.
mkfifo fifo
"$LRC" --threads 1 slow.lr >fifo 2>/dev/null &
pid=$!
exec 3<fifo
line=$(timeout 60 sh -c 'IFS= read -r l && printf "%s" "$l"' <&3)
if [ "$line" = "epoch 1/20 loss 0.000023" ] && alive "$pid"; then
    ok "the first epoch line comes through a pipe while the run goes on"
else
    notok "the first epoch line comes through a pipe while the run goes on" "read '$line'"
fi
kill "$pid" 2>/dev/null
exec 3<&-
wait "$pid" 2>/dev/null

# Into a file.
"$LRC" --threads 1 slow.lr >out.txt 2>/dev/null &
pid=$!
i=0
while [ ! -s out.txt ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
if [ "$(head -n1 out.txt)" = "epoch 1/20 loss 0.000023" ] && alive "$pid"; then
    ok "the first epoch line is in a file while the run goes on"
else
    notok "the first epoch line is in a file while the run goes on" "file: $(head -c 80 out.txt)"
fi
kill "$pid" 2>/dev/null
wait "$pid" 2>/dev/null

# A line stdout could not take fails the run, though nothing is left to
# write at the end.
if [ -w /dev/full ]; then
    expect "a result line stdout cannot take fails the run" 1 \
        "cannot write results: No space left on device" sh -c '"$1" --quiet "$2" >/dev/full' sh "$LRC" "$root/examples/students.lr"
fi

# --- the progress line ---------------------------------------------------
# script(1) gives lrc a pseudo-terminal; what lrc writes there (stdout and
# stderr) comes out on script's stdout. Epochs of about a quarter second,
# 625 steps each.
sed 's/epochs=20/epochs=2/' slow.lr >prog.lr
# on_tty NAME SHELL-COMMAND: runs the command on a terminal into NAME.tty.
on_tty() { script -qfec "$2" /dev/null >"$1.tty" 2>&1 </dev/null; }
# has FILE PYTHON-REGEX: the file's bytes match.
has() { $PY -c 'import re, sys; sys.exit(not re.search(sys.argv[2].encode(), open(sys.argv[1], "rb").read()))' "$1" "$2"; }
if command -v script >/dev/null; then
    on_tty shown "'$LRC' --threads 1 prog.lr"
    if has shown.tty '\repoch 1/2 +[0-9]+/625 \[[=>.]{20}\] [0-9.]+ steps/s ETA [0-9]+:[0-9]{2} loss [0-9.]+\x1b\[K' &&
        has shown.tty '\repoch 2/2 +[0-9]+/625 '; then
        ok "a terminal's stderr shows the progress line (step/steps, bar, steps/s, ETA, loss)"
    else
        notok "a terminal's stderr shows the progress line (step/steps, bar, steps/s, ETA, loss)" \
            "$(head -c 200 shown.tty | od -c | head -3)"
    fi
    # The line is erased (carriage return, erase in line) right before each
    # epoch's result line, which is as it is without a terminal.
    if has shown.tty '\x1b\[K\r\x1b\[Kepoch 1/2 loss 0\.000023\r\n' &&
        has shown.tty '\x1b\[K\r\x1b\[Kepoch 2/2 loss 0\.000015\r\n'; then
        ok "the progress line is erased before the epoch line"
    else
        notok "the progress line is erased before the epoch line" "$(od -c shown.tty | head -5)"
    fi
    on_tty file "'$LRC' --threads 1 prog.lr 2>err.txt"
    if ! has file.tty 'steps/s|\x1b' && ! has err.txt 'steps/s|\r|\x1b' && has err.txt '(?m)^lrc: 2 epochs'; then
        ok "no progress line when stderr is a file"
    else
        notok "no progress line when stderr is a file" "$(head -c 200 err.txt)"
    fi
    on_tty pipe "'$LRC' --threads 1 prog.lr 2>&1 | cat"
    if ! has pipe.tty 'steps/s|\x1b' && has pipe.tty 'epoch 2/2 loss'; then
        ok "no progress line when stderr is a pipe"
    else
        notok "no progress line when stderr is a pipe" "$(head -c 200 pipe.tty)"
    fi
    on_tty quiet "'$LRC' --threads 1 --quiet prog.lr"
    if [ "$(cat quiet.tty)" = "$(printf 'epoch 1/2 loss 0.000023\r\nepoch 2/2 loss 0.000015\r')" ]; then
        ok "--quiet draws no progress line on a terminal"
    else
        notok "--quiet draws no progress line on a terminal" "$(od -c quiet.tty | head -3)"
    fi
    # Two signals within a step end the run at once (run.c's handler): the
    # progress line is erased before its message too. Steps of about a
    # second; the signals come once the first step has drawn the line.
    printf 'seed 1\ndataset d = blobs(n=8192, features=1024, classes=4)\nmodel dense(2048, activation=relu) -> dense(2048, activation=relu) -> dense(4, activation=softmax)\nloss categorical_crossentropy\noptimizer sgd lr=0.01\ntrain epochs=1 batch=2048\n' >long.lr
    script -qfec "echo \$\$ >pid; exec '$LRC' --threads 1 long.lr" /dev/null >given_up.tty 2>&1 </dev/null &
    i=0
    until has given_up.tty 'steps/s' || [ $i -ge 600 ]; do sleep 0.1; i=$((i + 1)); done
    kill -INT "$(cat pid)"
    sleep 0.2 # two signals pending at once are one
    kill -INT "$(cat pid)"
    wait $!
    st=$?
    if [ $st -eq 130 ] && has given_up.tty '\x1b\[K\r\x1b\[Klrc: interrupted; no checkpoint could be written in time\r\n$'; then
        ok "a run given up on a second signal erases the progress line first"
    else
        notok "a run given up on a second signal erases the progress line first" "exit $st: $(od -c given_up.tty | tail -4)"
    fi
fi

# --- log_every ------------------------------------------------------------
# 100 rows in batches of 32: 4 steps an epoch.
printf 'seed 1\ndataset d = linear(n=100, features=2)\nmodel dense(1)\nloss mse\noptimizer sgd lr=0.01\ntrain epochs=10 %s\n' \
    '' >every.lr
printf 'seed 1\ndataset d = linear(n=100, features=2)\nmodel dense(1)\nloss mse\noptimizer sgd lr=0.01\ntrain epochs=10 %s\n' \
    'log_every=3' >third.lr
"$LRC" --quiet every.lr >every.out 2>&1
"$LRC" --quiet --out third.run third.lr >third.out 2>&1
# The lines of epochs 3, 6, 9 and 10 of the run that prints them all.
grep -E '^epoch (3|6|9|10)/' every.out >want.out
grep '^epoch' third.out >got.out
if [ "$(grep -c '^epoch' every.out)" -eq 10 ] && [ "$(wc -l <want.out)" -eq 4 ] && cmp -s want.out got.out &&
    [ "$(grep -vc '^epoch' third.out)" -eq "$(grep -vc '^epoch' every.out)" ]; then
    ok "log_every=3 of 10 epochs prints epochs 3, 6, 9 and 10"
else
    notok "log_every=3 of 10 epochs prints epochs 3, 6, 9 and 10" "$(tr '\n' '|' <got.out)"
fi
if [ "$(cut -d, -f1 third.run/metrics.csv | tr '\n' ' ')" = "epoch 1 2 3 4 5 6 7 8 9 10 " ]; then
    ok "metrics.csv keeps every epoch under log_every"
else
    notok "metrics.csv keeps every epoch under log_every" "$(cut -d, -f1 third.run/metrics.csv | tr '\n' ' ')"
fi
# Resumed in epoch 5 (after 18 steps), the run prints what it would have.
"$LRC" --quiet --out third.halt --halt-after 18 third.lr >/dev/null 2>&1
"$LRC" --quiet --resume third.halt >resumed.out 2>&1
if cmp -s third.out resumed.out; then ok "a resumed run prints the same lines under log_every"
else notok "a resumed run prints the same lines under log_every" "$(tr '\n' '|' <resumed.out)"; fi
# Early stopping (epoch 1 improves, 2 and 3 cannot by 100) prints the
# epoch it stops at, and why, whatever log_every says.
printf 'seed 1\ndataset d = linear(n=100, features=2)\nmodel dense(1)\nloss mse\noptimizer sgd lr=0.01\ntrain epochs=10 log_every=5 early_stop=patience(2, min_delta=100)\n' >stop.lr
"$LRC" --quiet stop.lr >stop.out 2>&1
if [ "$(sed -n 1p stop.out)" = "$(sed -n 3p every.out)" ] &&
    [ "$(sed -n 2p stop.out)" = "early stop at epoch 3: loss has not improved for 2 epochs (best $(sed -n '1s/.* loss //p' every.out) at epoch 1)" ]; then
    ok "early stopping prints its epoch and line under log_every"
else
    notok "early stopping prints its epoch and line under log_every" "$(tr '\n' '|' <stop.out)"
fi
if "$LRC" check --explain third.lr | grep -qx 'train on=d epochs=10 batch=32 shuffle=true metrics=\[\] log_every=3'; then
    ok "--explain writes log_every"
else
    notok "--explain writes log_every" "$("$LRC" check --explain third.lr 2>&1 | tail -1)"
fi

# A reader that goes away (`lrc x.lr | head -1`) ends the run with status 1
# and a message, not by SIGPIPE, and without training on unseen.
printf 'seed 1\ndataset d = linear(n=20000, features=4)\nmodel dense(1)\nloss mse\noptimizer sgd lr=0.001\ntrain epochs=100000 batch=1\n' >endless.lr
{ "$LRC" --quiet endless.lr 2>pipe.err; echo $? >pipe.st; } | head -1 >pipe.out
if [ "$(cat pipe.st)" = 1 ] && grep -q '^epoch 1/100000 ' pipe.out &&
    grep -q 'cannot write results: Broken pipe' pipe.err; then
    ok "a closed pipe on stdout ends the run with status 1, not a signal"
else
    notok "a closed pipe on stdout ends the run with status 1, not a signal" "status $(cat pipe.st): $(cat pipe.err)"
fi
