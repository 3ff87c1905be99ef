#!/usr/bin/env bash
# Generates the Python and Go SDKs (sdk/python, sdk/go) from the plugin's schema
# (provider/plugin/schema.json) with Pulumi's own code generators (tools/sdkgen), versioned
# from package.json.
#
#   npm run gen-sdk               regenerates sdk/python and sdk/go
#   npm run gen-sdk -- --check    generates into a temporary folder and fails, naming the files,
#                                 when the committed SDKs differ from what the schema generates
#
# tools/sdkgen is built once into the project's cache, keyed by a hash of its sources.
set -euo pipefail
cd "$(dirname "$0")/.."

check=false
case "${1:-}" in
"") ;;
--check) check=true ;;
*)
	echo "gen-sdk: unknown argument '$1'; use no argument (regenerate) or --check" >&2
	exit 2
	;;
esac

command -v go >/dev/null 2>&1 || {
	echo "gen-sdk: needs Go (https://go.dev/dl/) to build tools/sdkgen" >&2
	exit 1
}
sha256() { if command -v sha256sum >/dev/null 2>&1; then sha256sum; else shasum -a 256; fi; }
hash=$(cat tools/sdkgen/go.mod tools/sdkgen/go.sum tools/sdkgen/*.go | sha256 | cut -c1-12)
bin="${XDG_CACHE_HOME:-$HOME/.cache}/pulumi-koodrive/sdkgen-$hash/sdkgen"
if [ ! -x "$bin" ]; then
	echo "gen-sdk: building tools/sdkgen (once per change of its sources)" >&2
	(cd tools/sdkgen && go build -o "$bin.tmp" .) && mv "$bin.tmp" "$bin"
fi

version=$(sed -n 's/^  "version": "\(.*\)",$/\1/p' package.json)
[ -n "$version" ] || {
	echo "gen-sdk: no version in package.json" >&2
	exit 1
}
languages=(python go)
# Generates into $1; pyproject.toml names README.md beside it, which the generator puts in the package.
generate() {
	"$bin" -schema provider/plugin/schema.json -out "$1" -version "$version" "${languages[@]}"
	cp "$1/python/pulumi_koodrive/README.md" "$1/python/README.md"
}

if ! $check; then
	generate sdk
	echo "gen-sdk: wrote sdk/python and sdk/go (version $version)"
	exit 0
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
generate "$tmp"
stale=()
for language in "${languages[@]}"; do
	while IFS= read -r line; do stale+=("$line"); done < <(
		diff -rq "sdk/$language" "$tmp/$language" 2>&1 |
			sed -e "s#$tmp/#(generated) #g" || true
	)
done
if [ "${#stale[@]}" -gt 0 ]; then
	echo "gen-sdk --check: the committed SDKs differ from what provider/plugin/schema.json generates:" >&2
	printf '  %s\n' "${stale[@]}" >&2
	echo "Run 'npm run gen-sdk' and commit sdk/python and sdk/go." >&2
	exit 1
fi
echo "gen-sdk --check: sdk/python and sdk/go match the schema (version $version)"
