#!/usr/bin/env bash
# Lints every GitHub Actions workflow: the project's own (.github/workflows/) and those under examples/
# that users copy (a .yml or .yaml file with a top-level `jobs:`)
# with actionlint, and fails on any finding (`npm run lint:workflows`; CI runs it).
#
# actionlint is the Go module github.com/rhysd/actionlint, pinned below and installed with
# `go install` into $XDG_CACHE_HOME/pulumi-koodrive/actionlint/<version> once.
# actionlint checks the shell of `run:` steps with shellcheck when shellcheck is on PATH. CI installs
# it (.ci/run), so CI always checks them; elsewhere a missing shellcheck is said, and those checks
# are skipped rather than giving a different verdict on another machine.
set -euo pipefail
cd "$(dirname "$0")/.."

ACTIONLINT_VERSION=v1.7.12
bin_dir="${XDG_CACHE_HOME:-$HOME/.cache}/pulumi-koodrive/actionlint/$ACTIONLINT_VERSION"
actionlint="$bin_dir/actionlint"
say() { printf 'lint-workflows.sh: %s\n' "$*" >&2; }

if [ ! -x "$actionlint" ]; then
	if ! command -v go >/dev/null 2>&1; then
		say "actionlint $ACTIONLINT_VERSION is not installed and Go is not available to install it"
		exit 1
	fi
	say "installing actionlint $ACTIONLINT_VERSION into $bin_dir"
	GOBIN="$bin_dir" go install "github.com/rhysd/actionlint/cmd/actionlint@$ACTIONLINT_VERSION"
fi

workflows=()
while IFS= read -r file; do
	if grep -q '^jobs:' "$file"; then workflows+=("$file"); fi
done < <(git ls-files -co --exclude-standard -- .github/workflows 'examples/*.yml' 'examples/*.yaml' | LC_ALL=C sort)
for expected in .github/workflows/ci.yml .github/workflows/release.yml; do
	if [[ " ${workflows[*]} " != *" $expected "* ]]; then
		say "found no workflow $expected"
		exit 1
	fi
done

shellcheck=(-shellcheck=shellcheck)
if ! command -v shellcheck >/dev/null 2>&1; then
	if [ -n "${CI:-}" ]; then
		say "shellcheck is missing; CI checks the workflows' run: steps with it (see .ci/run)"
		exit 1
	fi
	say "shellcheck is not on PATH: the run: steps' shell is not checked (CI checks it)"
	shellcheck=(-shellcheck=)
fi
say "linting ${workflows[*]}"
"$actionlint" "${shellcheck[@]}" "${workflows[@]}"
say "no findings in ${#workflows[@]} workflows"
