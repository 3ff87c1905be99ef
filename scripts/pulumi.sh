#!/usr/bin/env bash
# Finds or builds the Pulumi engine for this repository, and runs it offline.
#
#   scripts/pulumi.sh ensure            print (last stdout line) a directory holding
#                                       pulumi, pulumi-language-nodejs,
#                                       pulumi-language-yaml and
#                                       pulumi-resource-pulumi-nodejs; a built
#                                       engine's `command` provider goes to its
#                                       private Pulumi home (../pulumi-home)
#   scripts/pulumi.sh run -- ARGS...    run `pulumi ARGS...` with a local,
#                                       offline setup (what `npm run pulumi` calls)
#
# Where the engine comes from, in order:
#   1. an installed Pulumi CLI: `pulumi` (>= MIN_VERSION) and
#      `pulumi-language-nodejs` both on PATH, in any folder; it must have the
#      plugins the tests and examples use (`command` v1.2.1) installed;
#   2. a previous build in $XDG_CACHE_HOME/pulumi-koodrive/<key>/bin, where key is
#      the engine version plus a hash of tools/pulumi (go.mod, go.sum, *.go) and
#      BUILD_LAYOUT, so editing those sources makes a fresh build;
#   3. a build from tools/pulumi with Go (about 5 minutes the first time);
#   4. otherwise: instructions for installing the Pulumi CLI, exit 1.
# PULUMI_KOODRIVE_ENGINE=path|build forces step 1 or skips it (default: auto).
#
# Progress goes to stderr; `ensure` prints only the directory on stdout. While a
# build compiles, or waits for another process's build, a line says so every
# PULUMI_KOODRIVE_HEARTBEAT_SECONDS seconds (default 15).
# KOODRIVE_TEST_TIER=unit or postgres (set by `npm run test:unit` and
# `npm run test:postgres`) makes `ensure` and `run` fail at once: those tiers
# start no engine.
# A built engine runs with PULUMI_HOME=<key>/pulumi-home: nothing is written to
# the user's PULUMI_HOME or ~/.pulumi.
set -euo pipefail

MIN_VERSION=3.248.0
# Part of the cache key: bump it when this script changes what a build folder holds.
BUILD_LAYOUT=3
DEMO_PASSPHRASE=koodrive-demo-passphrase # protects only local demo state; see CONTRIBUTING.md

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tools_dir="$repo_root/tools/pulumi"
cache_root="${XDG_CACHE_HOME:-$HOME/.cache}/pulumi-koodrive"
shim_name=pulumi-resource-pulumi-nodejs
command_plugin=pulumi-resource-command
command_version=v1.2.1 # the version @pulumi/command in package.json declares
# A string only the stand-in `command` provider built from tools/pulumi contains.
standin_marker=github.com/koodrive/pulumi-koodrive/tools/pulumi/cmd/$command_plugin

say() { printf 'pulumi.sh: %s\n' "$*" >&2; }

# 135 -> 2m15s
duration() { if [ "$1" -ge 60 ]; then printf '%dm%02ds' $(($1 / 60)) $(($1 % 60)); else printf '%ds' "$1"; fi; }

# with_heartbeat WHAT COMMAND...: runs COMMAND; while it runs, says "WHAT (2m15s)..."
# every PULUMI_KOODRIVE_HEARTBEAT_SECONDS, so a long build never looks hung.
with_heartbeat() {
	local what="$1" every="${PULUMI_KOODRIVE_HEARTBEAT_SECONDS:-15}" beat status=0
	shift
	# The beat holds none of our descriptors (not the build lock on fd 9, not the
	# caller's stdout) and stops by itself should this script die.
	(
		waited=0
		while sleep "$every" 2>/dev/null && kill -0 $$ 2>/dev/null; do
			waited=$((waited + every))
			say "$what ($(duration "$waited"))…"
		done
	) </dev/null >/dev/null 9>&- &
	beat=$!
	"$@" || status=$?
	kill "$beat" 2>/dev/null || true
	wait "$beat" 2>/dev/null || true
	return "$status"
}

install_steps() {
	cat >&2 <<EOF
pulumi.sh: no usable Pulumi engine was found, and Go is not available to build one.
Do one of the following, then run the command again:
  a) Install the Pulumi CLI (includes the Node.js language host):
       curl -fsSL https://get.pulumi.com | sh -s -- --version $MIN_VERSION
       export PATH="\$HOME/.pulumi/bin:\$PATH"
       pulumi plugin install resource command v1.2.1   # used by the demo
     (Windows/macOS packages: https://www.pulumi.com/docs/install/)
  b) Install Go $(go_version_wanted) or newer (https://go.dev/dl/) and let this
     script build the engine from tools/pulumi (about 5 minutes the first time;
     needs the Go module proxy or a warm module cache).
EOF
}

go_version_wanted() { awk '$1 == "go" { print $2; exit }' "$tools_dir/go.mod"; }

# The engine version is whatever tools/pulumi/go.mod pins (e.g. v3.274.1).
engine_version() {
	# Matches both `require M V` and a line inside a `require (...)` block.
	awk -v m=github.com/pulumi/pulumi/pkg/v3 '$1 == m { print $2; exit } $2 == m { print $3; exit }' \
		"$tools_dir/go.mod"
}

sha256() {
	if command -v sha256sum >/dev/null 2>&1; then sha256sum; else shasum -a 256; fi
}

# Hash of everything that goes into the build: go.mod, go.sum, every .go file
# (names and contents) and BUILD_LAYOUT, so a change gives a new cache key.
source_hash() {
	(
		cd "$tools_dir"
		find . \( -name '*.go' -o -name go.mod -o -name go.sum \) -type f -print |
			LC_ALL=C sort |
			while IFS= read -r f; do
				printf '%s  %s\n' "$(sha256 <"$f" | cut -c1-64)" "$f"
			done
		printf 'layout %s\n' "$BUILD_LAYOUT"
	) | sha256 | cut -c1-12
}

# version_at_least A B: true if version A >= B (leading "v" and suffixes ignored).
version_at_least() {
	local a="${1#v}" b="${2#v}"
	a="${a%%[-+]*}"
	[ "$(printf '%s\n%s\n' "$b" "$a" | sort -t. -k1,1n -k2,2n -k3,3n | head -n1)" = "$b" ]
}

# Step 1: an installed CLI on PATH.
installed_cli_dir() {
	local cli ver
	cli="$(command -v pulumi 2>/dev/null)" || return 1
	command -v pulumi-language-nodejs >/dev/null 2>&1 || return 1
	command -v pulumi-language-yaml >/dev/null 2>&1 || return 1
	ver="$("$cli" version 2>/dev/null)" || return 1
	version_at_least "$ver" "$MIN_VERSION" || return 1
	cd "$(dirname "$cli")" && pwd -P
}

# The installed CLI must have the plugins the tests and examples use: the engine
# runs offline and would fail later with "no resource plugin ... found".
require_installed_plugins() {
	local cli="$1/pulumi"
	if ! PULUMI_SKIP_UPDATE_CHECK=true "$cli" plugin ls 2>/dev/null |
		awk -v v="${command_version#v}" '$1 == "command" && $2 == "resource" && $3 == v { found = 1 } END { exit !found }'; then
		say "the installed Pulumi CLI ($cli) lacks the command provider ${command_version} that the tests and examples use."
		say "install it, then run this again:"
		say "  pulumi plugin install resource command $command_version"
		exit 1
	fi
}

# Earlier versions of this script installed the stand-in `command` provider into
# the user's own plugin cache, where it shadows upstream's in every project.
# Says so (once per machine) with the command that removes it.
warn_standin_in_user_cache() {
	local dir="${PULUMI_HOME:-$HOME/.pulumi}/plugins/resource-command-$command_version"
	local warned="$cache_root/.warned-standin-$(printf '%s' "$dir" | sha256 | cut -c1-12)"
	[ -f "$dir/$command_plugin" ] || return 0
	grep -qaF "$standin_marker" "$dir/$command_plugin" 2>/dev/null || return 0
	[ -e "$warned" ] && return 0
	say "an earlier version of pulumi-koodrive left its stand-in command provider in your plugin cache,"
	say "where it replaces upstream's command ${command_version} in every Pulumi project. Remove it with:"
	say "  rm -rf '$dir' '$dir.lock' '$dir.lastused'"
	say "(this notice is shown once)"
	mkdir -p "$cache_root" && : >"$warned"
}

# The dynamic-provider shim ships in the npm package; the engine looks for it
# on PATH as a plugin. Copy it into the bin dir (atomically) when available.
install_shim() {
	local bin="$1" src="$repo_root/node_modules/@pulumi/pulumi/$shim_name"
	[ -x "$bin/$shim_name" ] && return 0
	if [ ! -f "$src" ]; then
		say "warning: $src is missing (run npm install); pulumi.dynamic resources will not work"
		return 0
	fi
	cp "$src" "$bin/.$shim_name.$$"
	chmod 755 "$bin/.$shim_name.$$"
	mv -f "$bin/.$shim_name.$$" "$bin/$shim_name"
}

# The engine looks for a provider's plugin in its plugin cache (and warns when it
# falls back to PATH), so the built `command` provider is installed there, as
# `pulumi plugin install` would, in the build's private Pulumi home.
install_command_plugin() {
	local dest="$1" cached
	cached="$dest/pulumi-home/plugins/resource-command-$command_version/$command_plugin"
	[ -x "$dest/plugins/$command_plugin" ] || return 0
	cmp -s "$dest/plugins/$command_plugin" "$cached" 2>/dev/null && return 0
	say "installing the built command provider $command_version into the engine's own Pulumi home"
	PULUMI_HOME="$dest/pulumi-home" PULUMI_SKIP_UPDATE_CHECK=true \
		"$dest/bin/pulumi" plugin install resource command "$command_version" \
		--file "$dest/plugins/$command_plugin" --reinstall >&2
}

build_complete() {
	[ -x "$1/bin/pulumi" ] && [ -x "$1/bin/pulumi-language-nodejs" ] && [ -x "$1/bin/pulumi-language-yaml" ]
}

# Pulumi's own YAML language host, pinned in the Go module tools/pulumi/language-yaml
# (a module of its own: pulumi-yaml selects older pulumi sdk/pkg versions than the CLI).
yaml_version() {
	awk -v m=github.com/pulumi/pulumi-yaml '$1 == m { print $2; exit } $2 == m { print $3; exit }' \
		"$tools_dir/language-yaml/go.mod"
}

# Steps 2 and 3: sets BIN to the cached build, building it first when missing.
# (Runs in the main shell, not in $(...), so `set -e` covers every step.)
use_cached_build() {
	local version key dest pkgs
	version="$(engine_version)"
	if [ -z "$version" ]; then
		say "could not read the github.com/pulumi/pulumi/pkg/v3 version from $tools_dir/go.mod"
		exit 1
	fi
	key="$version-$(source_hash)"
	dest="$cache_root/$key"
	if ! build_complete "$dest"; then
		if ! command -v go >/dev/null 2>&1; then
			install_steps
			exit 1
		fi
		mkdir -p "$cache_root"
		# Serialise builders: a second caller waits here, then finds the finished
		# build instead of starting its own.
		if command -v flock >/dev/null 2>&1; then
			exec 9>"$cache_root/.lock"
			if ! flock -n 9; then
				say "another build is in progress; waiting for it ($cache_root/.lock)"
				with_heartbeat "still waiting for the other engine build" flock 9
				say "the other build has finished"
			fi
			# Holding the lock, nobody else is building: leftovers are from
			# interrupted builds.
			rm -rf "$cache_root"/.build.*
		fi
		if ! build_complete "$dest"; then
			# Build in a temporary directory next to the cache and rename it into
			# place only when complete, so an interrupted build is never taken for
			# a finished one.
			tmp="$(mktemp -d "$cache_root/.build.XXXXXX")"
			chmod 755 "$tmp"
			trap 'rm -rf "$tmp"' EXIT
			trap 'rm -rf "$tmp"; exit 130' INT TERM
			say "building the Pulumi engine $version from tools/pulumi into $dest"
			say "this takes about 5 minutes of compiling the first time, plus downloading modules (later builds reuse Go's build cache)"
			say "1/3: listing the programs under tools/pulumi/cmd (downloads Go modules on a new machine)"
			# Every main package under tools/pulumi/cmd (our language host, the
			# command provider, ...) is built alongside the CLI.
			pkgs="$(cd "$tools_dir" && with_heartbeat "still downloading Go modules" go list -f '{{if eq .Name "main"}}{{.ImportPath}}{{end}}' ./cmd/...)"
			say "2/3: compiling the Pulumi CLI and $(printf '%s\n' $pkgs | sed 's|.*/||' | paste -sd, - | sed 's/,/, /g')"
			# shellcheck disable=SC2086 # $pkgs is a whitespace-separated list of import paths
			if ! (cd "$tools_dir" &&
				with_heartbeat "still building the engine" go build -trimpath -buildvcs=false -tags osusergo,grpcnotrace \
					-ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$version" \
					-o "$tmp/bin/" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi $pkgs) >&2; then
				say "go build failed (see above); nothing was cached"
				exit 1
			fi
			say "3/3: compiling Pulumi's YAML language host $(yaml_version)"
			if ! (cd "$tools_dir/language-yaml" &&
				with_heartbeat "still building the YAML language host" go build -trimpath -buildvcs=false -tags osusergo,grpcnotrace \
					-ldflags "-s -w -X github.com/pulumi/pulumi-yaml/pkg/version.Version=$(yaml_version)" \
					-o "$tmp/bin/" github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml) >&2; then
				say "go build of the YAML language host failed (see above); nothing was cached"
				exit 1
			fi
			mkdir -p "$tmp/plugins"
			if [ -f "$tmp/bin/$command_plugin" ]; then mv "$tmp/bin/$command_plugin" "$tmp/plugins/"; fi
			install_shim "$tmp/bin"
			rm -rf "$dest" # an incomplete directory left by hand, if any
			mv "$tmp" "$dest"
			trap - EXIT INT TERM
			say "built into $dest/bin"
			# Builds for other source versions are ~150 MB each: drop the ones
			# unused for two weeks (ensure touches the one it uses).
			find "$cache_root" -mindepth 1 -maxdepth 1 -type d -name 'v*-*' -mtime +14 \
				-exec rm -rf {} + 2>/dev/null || true
		fi
		exec 9>&- 2>/dev/null || true
	fi
	install_shim "$dest/bin"
	install_command_plugin "$dest"
	touch "$dest" 2>/dev/null || true # marks it as in use, for the clean-up above
	BIN="$dest/bin"
	PRIVATE_HOME="$dest/pulumi-home"
}

# Sets BIN to the directory holding the engine binaries.
ensure_bin() {
	local mode="${PULUMI_KOODRIVE_ENGINE:-auto}" dir
	warn_standin_in_user_cache
	case "$mode" in
	auto | path)
		if dir="$(installed_cli_dir)"; then
			say "using the installed Pulumi CLI in $dir"
			require_installed_plugins "$dir"
			BIN="$dir"
			return 0
		fi
		if [ "$mode" = path ]; then
			say "PULUMI_KOODRIVE_ENGINE=path, but no pulumi >= $MIN_VERSION with pulumi-language-nodejs is on PATH"
			install_steps
			exit 1
		fi
		;;
	build) ;;
	*)
		say "PULUMI_KOODRIVE_ENGINE must be auto, path or build (got '$mode')"
		exit 2
		;;
	esac
	use_cached_build
}

run() {
	ensure_bin
	export PATH="$BIN:$PATH"
	if [ -z "${PULUMI_BACKEND_URL:-}" ]; then
		mkdir -p "$repo_root/.pulumi-state"
		export PULUMI_BACKEND_URL="file://$repo_root/.pulumi-state"
	fi
	# The demo passphrase encrypts only secrets in the local demo state; a
	# passphrase (or passphrase file) set by the caller wins.
	if [ -z "${PULUMI_CONFIG_PASSPHRASE+set}" ] && [ -z "${PULUMI_CONFIG_PASSPHRASE_FILE:-}" ]; then
		export PULUMI_CONFIG_PASSPHRASE="$DEMO_PASSPHRASE"
	fi
	if [ -n "$PRIVATE_HOME" ]; then export PULUMI_HOME="$PRIVATE_HOME"; fi
	export PULUMI_SKIP_UPDATE_CHECK=true
	export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
	export PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK=true
	exec "$BIN/pulumi" "$@"
}

# The unit and postgres tiers' promise, kept here too for tests that call this script directly.
refuse_in_tiers_without_engine() {
	case "${KOODRIVE_TEST_TIER:-}" in
	unit | postgres)
		say "KOODRIVE_TEST_TIER=$KOODRIVE_TEST_TIER: the $KOODRIVE_TEST_TIER tier starts no engine; move this test to test/engine (npm run test:engine)"
		exit 3
		;;
	esac
}

BIN=
PRIVATE_HOME=
tmp=
case "${1:-}" in
ensure)
	refuse_in_tiers_without_engine
	ensure_bin
	printf '%s\n' "$BIN"
	;;
run)
	shift
	[ "${1:-}" = "--" ] && shift
	refuse_in_tiers_without_engine
	run "$@"
	;;
*)
	echo "usage: $0 ensure | run -- <pulumi arguments>" >&2
	exit 2
	;;
esac
