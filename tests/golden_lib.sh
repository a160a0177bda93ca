# golden_lib.sh — what the golden scripts (tests/golden/*.sh) share; each
# sources it first: . "$(dirname "$0")/../golden_lib.sh"
# Sets LRC (absolute: scripts change directory), PY, a scratch directory
# tmp removed on exit, and the reporting helpers; every check prints
# "ok NAME" or "not ok NAME: why", which tests/run.sh counts.
LRC=${LRC:-./lrc}
LRC=$(cd "$(dirname "$LRC")" && pwd)/$(basename "$LRC")
PY=/usr/bin/python3
tmp=$(mktemp -d)
trap 'chmod -R u+w "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT
ok() { printf 'ok %s\n' "$1"; }
notok() { printf 'not ok %s: %s\n' "$1" "$2"; } # not echo: dash's turns \a into a bell
# check NAME COMMAND...: the command succeeds (its output is the why).
check() { name=$1; shift; if "$@" >"$tmp/why" 2>&1; then ok "$name"; else notok "$name" "$(head -5 "$tmp/why")"; fi; }
# quick_examples: examples/*.lr but those that train for minutes (the
# Fashion-MNIST ones), which say so in a comment line of their own and
# which `make examples` runs; make check only checks them (e2e.sh).
quick_examples() { grep -L '^# Minutes of training: make examples runs it' examples/*.lr; }
# expect NAME STATUS PATTERN COMMAND...: the command exits STATUS and its
# stderr matches PATTERN (grep -E; empty: anything).
expect() {
    name=$1 want=$2 pattern=$3
    shift 3
    "$@" >"$tmp/out" 2>"$tmp/err"
    st=$?
    if [ $st -eq "$want" ] && { [ -z "$pattern" ] || grep -Eq -- "$pattern" "$tmp/err"; }; then ok "$name"
    else notok "$name" "exit $st: $(head -3 "$tmp/err")"; fi
}
# expect_exact NAME STATUS STDERR COMMAND...: the command exits STATUS, its
# stderr is exactly STDERR (printf's escapes) and its stdout is empty.
expect_exact() {
    name=$1 want=$2
    printf "$3" >"$tmp/want"
    shift 3
    "$@" >"$tmp/out" 2>"$tmp/err"
    st=$?
    if [ $st -eq "$want" ] && cmp -s "$tmp/want" "$tmp/err" && [ ! -s "$tmp/out" ]; then ok "$name"
    else notok "$name" "exit $st: $(head -3 "$tmp/err") | stdout: $(head -c 80 "$tmp/out")"; fi
}
# lrc_build: sets build to $LRC's build directory (see the Makefile:
# build/$(notdir $(CC)), build/san, and -debug after either; ./lrc is
# copied from build/cc) and debug, san and cc to the switches that made it.
lrc_build() {
    top=$(cd "$(dirname "$0")/../.." && pwd)
    case $(dirname "$LRC") in
    "$top"/build/*) build=$(dirname "$LRC"); build=${build#"$top"/} ;;
    *) build=build/cc ;;
    esac
    name=${build#build/} debug=0
    case $name in *-debug) debug=1; name=${name%-debug} ;; esac
    case $name in
    san) san=1 cc= ;;
    san-*) san=1 cc=${name#san-} ;;
    *) san=0 cc=$name ;;
    esac
}
# make_like_lrc TARGET...: runs make in the project with those switches, so
# that a script's helper binaries are built like the binary under test
# (under ASan + UBSan in `make check SAN=1`).
make_like_lrc() {
    lrc_build
    make -s --no-print-directory -C "$top" "BUILD=$build" DEBUG=$debug SAN=$san ${cc:+"CC=$cc"} "$@"
}
