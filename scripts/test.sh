#!/usr/bin/env bash
# The test suite (what `npm test` runs), on one leg of the platform matrix or on all of them.
#
#   scripts/test.sh [MOCHA ARGS...]        primary leg: Node 24, the newest @pulumi/pulumi
#                                          (devDependencies) in the test programs
#   scripts/test.sh --all-legs [ARGS...]   the primary leg, then the floor leg: Node 22 and the
#                                          lowest @pulumi/pulumi that peerDependencies allows
#
# KOODRIVE_TEST_NODE (22|24) and KOODRIVE_PULUMI_SDK (a version) pick another leg.
set -euo pipefail
cd "$(dirname "$0")/.."

# The first version in package.json's $1 entry for @pulumi/pulumi ("^3.249.0" gives 3.249.0).
package_field() { node -p "require('./package.json').$1['@pulumi/pulumi'].match(/\\d+\\.\\d+\\.\\d+/)[0]"; }

if [ "${1:-}" = --all-legs ]; then
	shift
	newest="$(package_field devDependencies)"
	floor="$(package_field peerDependencies)"
	failed=()
	for leg in "24 $newest" "22 $floor"; do
		read -r node sdk <<<"$leg"
		# Every leg runs even when one fails, so a run shows the whole matrix.
		KOODRIVE_TEST_NODE="$node" KOODRIVE_PULUMI_SDK="$sdk" bash scripts/test.sh "$@" || failed+=("Node $node + @pulumi/pulumi $sdk")
	done
	if [ ${#failed[@]} -gt 0 ]; then
		printf 'test legs failed: %s\n' "${failed[*]}" >&2
		exit 1
	fi
	exit 0
fi

node_major="${KOODRIVE_TEST_NODE:-24}"
if [ "${KOODRIVE_LEG_NODE_SET:-}" != "$node_major" ]; then
	KOODRIVE_LEG_NODE_SET="$node_major" exec bash scripts/node.sh --node "$node_major" -- bash scripts/test.sh "$@"
fi
export KOODRIVE_PULUMI_SDK="${KOODRIVE_PULUMI_SDK:-$(package_field devDependencies)}"
printf 'test leg: Node %s, @pulumi/pulumi %s in the test programs\n' "$(node --version)" "$KOODRIVE_PULUMI_SDK" >&2
npm run build
bash scripts/pulumi.sh ensure >/dev/null
start=$SECONDS
npx mocha "$@"
printf 'test leg: Node %s, @pulumi/pulumi %s: passed in %ss\n' "$(node --version)" "$KOODRIVE_PULUMI_SDK" $((SECONDS - start)) >&2
