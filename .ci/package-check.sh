#!/usr/bin/env bash
# The published package works: pack it, install the tarball in an empty folder, run the installed CLI, and
# import the library (with its types) from there, as a user would. Run by .ci/run; `npm run test:package`.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
tmp=$(mktemp -d "${TMPDIR:-/tmp}/streameval-pack-XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# dist/ is built by `npm ci` (`prepare`) or `npm run build`; packing does not build it again (the compile is most
# of this check's time), but refuses a dist/ older than the source it is built from.
[ -f dist/bundle/cli.js ] || { echo "package-check: dist/ is missing: run npm run build" >&2; exit 1; }
stale=$(find src scripts bin package.json tsconfig.json tsconfig.build.json tsconfig.build-js.json -newer dist/bundle/cli.js -type f -not -path "*/__pycache__/*" -print -quit)
[ -z "$stale" ] || { echo "package-check: $stale is newer than dist/: run npm run build" >&2; exit 1; }
tarball=$(npm pack --silent --ignore-scripts --pack-destination "$tmp" | tail -n 1)
mkdir "$tmp/user" && cd "$tmp/user"
npm init -y >/dev/null
npm i --no-audit --no-fund --prefer-offline "$tmp/$tarball"

version=$(npx streameval --version)
expected=$(node -p 'require(process.argv[1]).version' "$repo/package.json")
[ "$version" = "$expected" ] || { echo "package-check: --version printed '$version', expected '$expected'" >&2; exit 1; }
npx streameval demo >demo.log 2>&1 || { cat demo.log >&2; exit 1; }

# Runtime import, then types: the installed .d.ts files must give `evaluate` its real signature.
echo 'import { evaluate } from "streameval"; if (typeof evaluate !== "function") throw new Error("no evaluate"); console.log("import ok");' > check.mjs
node check.mjs
cat > check.mts <<'TS'
import { evaluate } from "streameval";
// @ts-expect-error evaluate takes options, not a number: an error here fails if the types are missing (any)
void (() => evaluate(42));
TS
node "$repo/node_modules/typescript/bin/tsc" --noEmit --strict --skipLibCheck --module nodenext --moduleResolution nodenext \
  --target es2022 --types node --typeRoots "$repo/node_modules/@types" check.mts
echo "package-check: ok (streameval $version from $tarball)"
