#!/usr/bin/env bash
# The test suite (what `npm test` runs), on one leg of the platform matrix or on all of them, whole
# or one tier of it.
#
#   scripts/test.sh [TIER] [MOCHA ARGS...]              primary leg: Node 24, the newest
#                                                       @pulumi/pulumi (devDependencies) in the
#                                                       test programs
#   scripts/test.sh [TIER] --all-legs [MOCHA ARGS...]   the primary leg and, at the same time, the
#                                                       floor leg: Node 22 and the lowest
#                                                       @pulumi/pulumi that peerDependencies allows
#
# TIER (which file is in which: harness/test-tiers.ts):
#   --all       everything (the default; `npm test`): the three tiers below
#   --unit      every test but the other tiers': no engine, no PostgreSQL, no network beyond loopback
#               (`npm run test:unit`); KOODRIVE_TEST_TIER=unit makes any engine or PostgreSQL start
#               fail the test, and PostgreSQL's binaries are hidden from it
#   --postgres  the files that start a PostgreSQL server: those that load test/helpers/postgres,
#               directly or not, or are named postgres-*.test.ts (`npm run test:postgres`); needs
#               Debian's postgresql package; no engine
#   --engine    test/engine and test/package/consumer-types, under the real engine
#               (`npm run test:engine`); test/engine/tenant-lock needs PostgreSQL too
# MOCHA ARGS that name test files (dist/test/.../*.test.js) run those files instead of the tier's.
#
# KOODRIVE_TEST_NODE (22|24) and KOODRIVE_PULUMI_SDK (a version) pick another leg; KOODRIVE_TEST_JOBS sets
# how many test files run at once (3, see .mocharc.js).
set -euo pipefail
cd "$(dirname "$0")/.."

# The first version in package.json's $1 entry for @pulumi/pulumi ("^3.249.0" gives 3.249.0).
package_field() { node -p "require('./package.json').$1['@pulumi/pulumi'].match(/\\d+\\.\\d+\\.\\d+/)[0]"; }

tier=all
all_legs=
while :; do
	case "${1:-}" in
	--all) tier=all ;;
	--unit) tier=unit ;;
	--postgres) tier=postgres ;;
	--engine) tier=engine ;;
	--all-legs) all_legs=1 ;;
	*) break ;;
	esac
	shift
done

if [ -n "$all_legs" ]; then
	newest="$(package_field devDependencies)"
	floor="$(package_field peerDependencies)"
	# The legs run at the same time, on one build and one engine, so that the waits of one leg's engine
	# tests give the other's the cores; the floor leg's output follows the primary's. Every leg runs
	# even when one fails, so a run shows the whole matrix.
	bash scripts/node.sh -- npm run build
	case "$tier" in unit | postgres) ;; *) bash scripts/node.sh -- bash scripts/pulumi.sh ensure >/dev/null ;; esac
	floor_log="$(mktemp "${TMPDIR:-/tmp}/koodrive-floor-leg.XXXXXX")"
	primary_log="$(mktemp "${TMPDIR:-/tmp}/koodrive-primary-leg.XXXXXX")"
	trap 'rm -f "$floor_log" "$primary_log"' EXIT
	KOODRIVE_BUILT=1 KOODRIVE_TEST_NODE=22 KOODRIVE_PULUMI_SDK="$floor" bash scripts/test.sh "--$tier" "$@" >"$floor_log" 2>&1 &
	floor_leg=$!
	failed=()
	failed_logs=()
	if ! KOODRIVE_BUILT=1 KOODRIVE_TEST_NODE=24 KOODRIVE_PULUMI_SDK="$newest" bash scripts/test.sh "--$tier" "$@" 2>&1 | tee "$primary_log"; then
		failed+=("Node 24 + @pulumi/pulumi $newest")
		failed_logs+=("$primary_log")
	fi
	if ! wait "$floor_leg"; then
		failed+=("Node 22 + @pulumi/pulumi $floor")
		failed_logs+=("$floor_log")
	fi
	cat "$floor_log"
	if [ ${#failed[@]} -gt 0 ]; then
		# Each failed leg's failures once more, last, where a log cut to its tail still shows them.
		for i in "${!failed[@]}"; do
			printf '\nfailures of the leg %s:\n' "${failed[$i]}"
			sed -n '/^ *[0-9][0-9]* failing/,$p' "${failed_logs[$i]}" | head -c 20000
		done
		printf 'test legs failed: %s\n' "${failed[*]}" >&2
		exit 1
	fi
	exit 0
fi

node_major="${KOODRIVE_TEST_NODE:-24}"
if [ "${KOODRIVE_LEG_NODE_SET:-}" != "$node_major" ]; then
	KOODRIVE_LEG_NODE_SET="$node_major" exec bash scripts/node.sh --node "$node_major" -- bash scripts/test.sh "--$tier" "$@"
fi
export KOODRIVE_PULUMI_SDK="${KOODRIVE_PULUMI_SDK:-$(package_field devDependencies)}"
printf 'test leg: Node %s, @pulumi/pulumi %s in the test programs; tier: %s\n' "$(node --version)" "$KOODRIVE_PULUMI_SDK" "$tier" >&2
[ -n "${KOODRIVE_BUILT:-}" ] || npm run build
# The tier's files (harness/test-tiers.ts decides which file is in which tier); arguments naming test
# files run those instead. Mocha's workers (.mocharc.js runs files in parallel) take files in the order
# given: the engine tier's go first, largest first, so the long ones start early, and the short unit
# files fill the end.
tier_files() { node dist/harness/test-tiers.js "$1"; }
mapfile -t engine_files < <(tier_files engine | xargs -r stat -c '%s %n' | sort -rn | cut -d' ' -f2)
# The release executables embed their own Node 24 and the newest @pulumi/pulumi whatever the leg, and
# the plugin's programs are YAML: their tests prove the same on every leg, so they run on the primary leg alone.
if [ "$node_major" != 24 ] || [ "$KOODRIVE_PULUMI_SDK" != "$(package_field devDependencies)" ]; then
	mapfile -t engine_files < <(printf '%s\n' "${engine_files[@]}" | grep -Ev '/(plugin|cli)-binary\.test\.js$')
fi
mapfile -t postgres_files < <(tier_files postgres)
mapfile -t unit_files < <(tier_files unit)
case "$tier" in
all) spec=("${engine_files[@]}" "${postgres_files[@]}" "${unit_files[@]}") ;;
unit) spec=("${unit_files[@]}") ;;
postgres) spec=("${postgres_files[@]}") ;;
engine) spec=("${engine_files[@]}") ;;
esac
for arg in "$@"; do case "$arg" in *.test.js) spec=() ;; esac; done
case "$tier" in
unit)
	export KOODRIVE_TEST_TIER=unit
	# PostgreSQL's binaries hidden, so a unit test that needs them fails on every machine: the helper's
	# lookup gets an empty folder, and PATH loses any folder holding a PostgreSQL server program.
	KOODRIVE_POSTGRESQL_ROOT="$(mktemp -d "${TMPDIR:-/tmp}/koodrive-no-postgresql.XXXXXX")"
	export KOODRIVE_POSTGRESQL_ROOT
	trap 'rm -rf "$KOODRIVE_POSTGRESQL_ROOT"' EXIT
	PATH="$(printf '%s' "$PATH" | tr ':' '\n' | while read -r dir; do
		[ -x "$dir/postgres" ] || [ -x "$dir/initdb" ] || [ -x "$dir/pg_ctl" ] || printf '%s:' "$dir"
	done)"
	PATH="${PATH%:}"
	printf 'tier unit: %s test files, PostgreSQL hidden; the %s that start PostgreSQL are in the postgres tier (npm run test:postgres): %s\n' \
		"${#unit_files[@]}" "${#postgres_files[@]}" "${postgres_files[*]:-none}" >&2
	;;
postgres) export KOODRIVE_TEST_TIER=postgres ;;
*) bash scripts/pulumi.sh ensure >/dev/null ;;
esac
start=$SECONDS
npx mocha "${spec[@]}" "$@"
left=
if [ "$tier" = unit ]; then
	left="; left to the postgres tier (npm run test:postgres): ${#postgres_files[@]} test file"
	[ "${#postgres_files[@]}" = 1 ] || left="${left}s"
fi
printf 'test leg: Node %s, @pulumi/pulumi %s, tier %s: passed in %ss%s\n' "$(node --version)" "$KOODRIVE_PULUMI_SDK" "$tier" $((SECONDS - start)) "$left" >&2
