#!/usr/bin/env bash
# Tests the generated SDKs the way each ecosystem does (npm run test:sdks; CI runs it):
#   1. the committed sdk/python and sdk/go are what provider/plugin/schema.json generates (gen-sdk --check);
#   2. Python: a virtual environment in the project's cache with the pinned tools of
#      test/python/requirements.txt; the wheel of sdk/python is built (in a temporary folder, with no
#      deprecation warning) and
#      installed into it; mypy --strict type-checks examples/python-guardrail against the installed
#      wheel; pytest runs test/python (the SDK and the example under Pulumi's mocks);
#   3. Go: the SDK builds and vets; examples/go-guardrail vets and passes go test (Pulumi's Go mocks).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
say() { printf '\n== test-sdks: %s\n' "$*"; }
need() {
	command -v "$1" >/dev/null 2>&1 || {
		echo "test-sdks: needs $1 ($2)" >&2
		exit 1
	}
}
need python3 "Python 3.9 or newer with venv, e.g. apt-get install python3 python3-venv"
need go "https://go.dev/dl/"

say "generated SDKs match the schema"
bash scripts/gen-sdk.sh --check

sha256() { if command -v sha256sum >/dev/null 2>&1; then sha256sum; else shasum -a 256; fi; }
key=$({ python3 --version; cat test/python/requirements.txt; } | sha256 | cut -c1-12)
venv="${XDG_CACHE_HOME:-$HOME/.cache}/pulumi-koodrive/python-sdk-venv-$key"
if [ ! -x "$venv/bin/python" ] || [ ! -f "$venv/.complete" ]; then
	say "creating the Python environment $venv"
	rm -rf "$venv"
	python3 -m venv "$venv" || {
		echo "test-sdks: python3 cannot create a virtual environment; install its venv module (e.g. python3-venv)" >&2
		exit 1
	}
	"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r test/python/requirements.txt
	: >"$venv/.complete"
fi
py="$venv/bin/python"
export PYTHONDONTWRITEBYTECODE=1

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
say "Python: building the wheel of sdk/python"
cp -R sdk/python "$tmp/src"
"$py" -m build --wheel --outdir "$tmp/wheel" "$tmp/src" 2>&1 | tee "$tmp/build.log"
# A deprecation in the build (such as setuptools' on a license table) fails here, before it breaks a build.
if grep -i deprecat "$tmp/build.log"; then
	echo "test-sdks: the wheel's build warns of a deprecation (above); fix the generator's input (tools/sdkgen, the schema)" >&2
	exit 1
fi
"$py" -m pip install --quiet --disable-pip-version-check --force-reinstall --no-deps "$tmp"/wheel/*.whl
"$py" -m pip check

say "Python: mypy --strict on examples/python-guardrail against the installed wheel"
(cd examples/python-guardrail && "$py" -m mypy --strict --cache-dir "$tmp/mypy" .)

say "Python: pytest test/python (Pulumi's mocks)"
"$py" -m pytest -p no:cacheprovider -q "$root/test/python"

say "Go: build and vet the SDK"
(cd sdk && go build ./... && go vet ./...)
say "Go: vet and test examples/go-guardrail (Pulumi's Go mocks)"
(cd examples/go-guardrail && go vet ./... && go test -count=1 ./...)

say "all SDK checks passed"
