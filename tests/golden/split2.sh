#!/bin/sh
# Options as rows of tables (check.c): the generators', layers', an
# initializer's, a dataset's, train's and minimize's options, folded and
# range-checked by one function. Where two options are wrong, the one
# reported and where it is pointed at are as they were when each was
# checked by hand. Prints "ok NAME" / "not ok NAME: why".
. "$(dirname "$0")/../golden_lib.sh"
tail='model dense(1)
loss mse
optimizer sgd
train
'
# first NAME WANT LINE...: lrc check of the lines (then $tail) exits 2 and
# its first line of stderr is f.lr:WANT.
first() {
    name=$1 want=$2
    shift 2
    { printf '%s\n' "$@"; printf '%s' "$tail"; } >"$tmp/f.lr"
    (cd "$tmp" && "$LRC" check f.lr) >"$tmp/out" 2>"$tmp/err"
    st=$?
    got=$(head -1 "$tmp/err")
    if [ $st -eq 2 ] && [ "$got" = "f.lr:$want" ]; then ok "$name"
    else notok "$name" "exit $st: $got"; fi
}
# explained NAME WANT LINE...: --explain of the lines has the line WANT.
explained() {
    name=$1 want=$2
    shift 2
    { printf '%s\n' "$@"; printf '%s' "$tail"; } >"$tmp/f.lr"
    if (cd "$tmp" && "$LRC" check --explain f.lr) 2>"$tmp/err" | grep -qxF -- "$want"; then ok "$name"
    else notok "$name" "$(head -1 "$tmp/err")"; fi
}

first "linear high above low, before noise" '1:50: error: high must be > low' \
    'dataset d = linear(n=10, features=2, low=1, high=1, noise=-1)'
first "linear noise before weights" '1:57: error: noise must be >= 0' \
    'dataset d = linear(n=10, features=2, weights=[1], noise=-1)'
first "linear weights one per feature" '1:46: error: weights has 1 entry but features=2' \
    'dataset d = linear(n=10, features=2, weights=[1])'
first "linear weights after the numbers are folded" "1:59: error: expected a number, got a string" \
    'dataset d = linear(n=10, features=2, weights=["a"], noise="b")'
first "spiral points per class and noise, in the file's order" \
    '1:22: error: spiral needs at least one point per class' \
    'dataset d = spiral(n=2, classes=3, noise=-1)'
grep -q '^f.lr:1:42: error: noise must be >= 0$' "$tmp/err" && ok "spiral noise too" ||
    notok "spiral noise too" "$(cat "$tmp/err")"
first "spiral points per class at n" '1:22: error: spiral needs at least one point per class' \
    'dataset d = spiral(n=2, classes=3)'
first "moons n from 2" '1:19: error: n must be an integer >= 2' 'dataset d = moons(1)'
first "blobs classes from 2" '1:45: error: classes must be an integer from 2 to 16777216' \
    'dataset d = blobs(n=10, features=2, classes=1, spread=-1)'
first "blobs spread" '1:55: error: spread must be >= 0' \
    'dataset d = blobs(n=10, features=2, classes=2, spread=-1)'
first "dataset validation and test leave rows" \
    '1:58: error: validation and test together must leave rows for training' \
    'dataset d = linear(n=10, features=2) validation=0.5 test=0.5 normalize=bad'
first "dataset test fraction before normalize" '1:58: error: test must be a fraction >= 0 and < 1' \
    'dataset d = linear(n=10, features=2) validation=0.5 test=1 normalize=bad'
first "dense units before l2" '2:13: error: units must be an integer from 1 to 16777216' \
    'dataset d = linear(n=10, features=2)' 'model dense(0, l2=-1, activation=bad) -> dense(1)'
first "dense l2 before activation" '2:19: error: l2 must be >= 0' \
    'dataset d = linear(n=10, features=2)' 'model dense(4, l2=-1, activation=bad) -> dense(1)'
first "uniform high from low" '2:41: error: high must be >= low' \
    'dataset d = linear(n=10, features=2)' 'model dense(4, init=uniform(low=1, high=0)) -> dense(1)'
first "dropout rate" '2:27: error: dropout rate must be >= 0 and < 1' \
    'dataset d = linear(n=10, features=2)' 'model dense(4) -> dropout(1) -> dense(1)'
first "dropout without its rate" "2:19: error: dropout needs 'rate'" \
    'dataset d = linear(n=10, features=2)' 'model dense(4) -> dropout -> dense(1)'
first "activation layer takes no options" '2:24: error: relu takes at most 0 arguments' \
    'dataset d = linear(n=10, features=2)' 'model dense(4) -> relu(1) -> dense(1)'
tail='evaluate
'
first "patience names its epochs" '5:27: error: patience must be an integer from 1 to 1000000000' \
    'dataset d = linear(n=10, features=2) validation=0.2' 'model dense(1)' 'loss mse' \
    'optimizer sgd' 'train early_stop=patience(0, min_delta=-1)'
first "train on before epochs" "5:10: error: unknown dataset 'x'" \
    'dataset d = linear(n=10, features=2)' 'model dense(1)' 'loss mse' 'optimizer sgd' \
    'train on=x epochs=0'
tail=''
first "minimize steps before optimizer" '1:35: error: steps must be an integer from 1 to 1000000000' \
    'minimize (x - 1)^2 from x=0 steps=0 optimizer=adam(beta1=2)'

tail='model dense(1)
loss huber
optimizer sgd
train
'
explained "generator defaults" \
    'dataset d = spiral(n=9, classes=3, noise=0) validation=0 test=0 normalize=none' \
    'dataset d = spiral(9, 3)'
explained "linear defaults" \
    'dataset d = linear(n=4, features=3, low=0, high=1, weights=[1, 1, 1], bias=0, noise=0) validation=0 test=0 normalize=none' \
    'dataset d = linear(4, 3)'
explained "huber's delta" 'loss huber(delta=1)' 'dataset d = linear(4, 1)'
tail='model dense(2, init=normal(stddev=0.5), l2=0.25) -> dropout(0.5) -> dense(1, init=uniform(high=0.1))
loss mse
optimizer sgd
train epochs=3 early_stop=patience(2)
'
explained "layer options" \
    'model dense(2, activation=linear, init=normal(mean=0, stddev=0.5), bias_init=zeros, l2=0.25) -> dropout(0.5) -> dense(1, activation=linear, init=uniform(low=-0.05, high=0.1), bias_init=zeros, l2=0)' \
    'dataset d = linear(4, 1) validation=0.5'
explained "train options" \
    'train on=d validation=d.validation epochs=3 batch=32 shuffle=true metrics=[] early_stop=patience(2, min_delta=0, restore_best=true) log_every=1' \
    'dataset d = linear(4, 1) validation=0.5'
tail='model dense(1)
loss mse
train
'
explained "optimizer options in its order, clip_norm when given" \
    'optimizer rmsprop lr=0.001 rho=0.8 momentum=0 epsilon=1e-07 clip_norm=2' \
    'dataset d = linear(4, 1)' 'optimizer rmsprop clip_norm=2 rho=0.8'
explained "cosine's target only when given" \
    'optimizer sgd lr=cosine(0.5, steps=10, alpha=0, warmup=2) momentum=0 nesterov=false' \
    'dataset d = linear(4, 1)' 'optimizer sgd lr=cosine(0.5, 10, warmup=2)'
tail=''
explained "minimize's options, lr= in its optimizer" \
    'minimize x^2 from x=1 steps=3 optimizer=adam(lr=0.5, beta1=0.9, beta2=0.999, epsilon=1e-07) trace=true' \
    'minimize x^2 from x=1 trace=true lr=0.5 optimizer=adam steps=3'
