#!/usr/bin/env bash
# Runs a command with a Node.js the project supports first on PATH, so it and everything it starts
# (mocha, the Pulumi engine's language host, providers and programs) run on that Node.
#
#   scripts/node.sh [--node auto|22|24] -- COMMAND [ARGS...]
#
#   auto (default)  the machine's node when it is >= 22, else the pinned Node 24
#   22, 24          the pinned Node of that major (what the CI legs use)
#
# Pinned Nodes are the official binaries of the npm registry's node-<os>-<arch> packages, installed
# with npm (no install scripts) into $XDG_CACHE_HOME/pulumi-koodrive/node/<version> once.
set -euo pipefail

NODE_24=24.21.0
NODE_22=22.23.3
FLOOR_MAJOR=22

cache_root="${XDG_CACHE_HOME:-$HOME/.cache}/pulumi-koodrive/node"
say() { printf 'node.sh: %s\n' "$*" >&2; }

binary_package() {
	local os arch
	case "$(uname -s)" in Linux) os=linux ;; Darwin) os=darwin ;; *)
		say "no pinned Node for $(uname -s); install Node >= $FLOOR_MAJOR and put it on PATH"
		exit 1
		;;
	esac
	case "$(uname -m)" in x86_64 | amd64) arch=x64 ;; aarch64 | arm64) arch=arm64 ;; *)
		say "no pinned Node for $(uname -m); install Node >= $FLOOR_MAJOR and put it on PATH"
		exit 1
		;;
	esac
	printf 'node-%s-%s\n' "$os" "$arch"
}

# Prints the bin folder of pinned Node $1, installing it first when missing.
pinned_bin() {
	local version="$1" package dir tmp
	package="$(binary_package)"
	dir="$cache_root/$version"
	if [ ! -x "$dir/node_modules/$package/bin/node" ]; then
		say "installing Node $version ($package from the npm registry, no install scripts) into $dir"
		mkdir -p "$cache_root"
		tmp="$(mktemp -d "$cache_root/.install.XXXXXX")"
		trap 'rm -rf "$tmp"' EXIT
		(cd "$tmp" && npm install --ignore-scripts --no-save --no-audit --no-fund --no-package-lock \
			--loglevel=error "$package@$version") >&2
		"$tmp/node_modules/$package/bin/node" --version >/dev/null
		rm -rf "$dir"
		mv "$tmp" "$dir"
		trap - EXIT
	fi
	printf '%s\n' "$dir/node_modules/$package/bin"
}

machine_major() {
	local version
	version="$(node --version 2>/dev/null)" || return 1
	version="${version#v}"
	printf '%s\n' "${version%%.*}"
}

want=auto
if [ "${1:-}" = --node ]; then
	want="${2:-}"
	shift 2
fi
[ "${1:-}" = -- ] && shift
if [ $# -eq 0 ]; then
	echo "usage: $0 [--node auto|22|24] -- COMMAND [ARGS...]" >&2
	exit 2
fi

case "$want" in
auto)
	major="$(machine_major || echo 0)"
	if [ "$major" -lt "$FLOOR_MAJOR" ]; then
		[ "$major" -gt 0 ] && say "the machine's Node is $(node --version), older than $FLOOR_MAJOR: using the pinned Node $NODE_24"
		PATH="$(pinned_bin "$NODE_24"):$PATH"
	fi
	;;
24) PATH="$(pinned_bin "$NODE_24"):$PATH" ;;
22) PATH="$(pinned_bin "$NODE_22"):$PATH" ;;
*)
	say "--node must be auto, 22 or 24 (got '$want')"
	exit 2
	;;
esac
export PATH
exec "$@"
