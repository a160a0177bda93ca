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
