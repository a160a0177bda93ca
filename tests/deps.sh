#!/bin/sh
# Installs the Debian packages named as arguments that are missing. Asks no
# network when all are present; without root (or sudo) prints the command.
missing=""
for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
        missing="$missing $p"
done
[ -z "$missing" ] && exit 0
cmd="apt-get update && apt-get install -y --no-install-recommends$missing"
if [ "$(id -u)" = 0 ]; then
    echo "make deps: installing$missing" >&2
    export DEBIAN_FRONTEND=noninteractive
    sh -c "$cmd" >&2 || { echo "make deps: apt-get failed" >&2; exit 1; }
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    echo "make deps: installing$missing" >&2
    sudo DEBIAN_FRONTEND=noninteractive sh -c "$cmd" >&2 || exit 1
else
    echo "make deps: missing Debian packages:$missing" >&2
    echo "run as root:  $cmd" >&2
    exit 1
fi
