#!/usr/bin/env bash
# Builds FerretDB v1.24.x (MongoDB wire protocol on SQLite) from the Go module proxy into .data/bin.
# Why not `go install ...@v1.24.2`: the proxy refuses the module's version list that `go install`
# asks for (deprecation check), and the module zip ships an empty build/version/version.txt that
# FerretDB panics on at start. So: download the exact version, stamp version.txt, build.
set -euo pipefail
VERSION="${FERRETDB_VERSION:-v1.24.2}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BIN="$ROOT/.data/bin/ferretdb"
# Capture, don't pipe: with pipefail, `--version | grep -q` / `| head` can fail on SIGPIPE.
if [ -x "$BIN" ] && [[ "$("$BIN" --version 2>/dev/null)" == *"${VERSION#v}"* ]]; then
  echo "ferretdb $VERSION already built at $BIN"
  exit 0
fi
command -v go >/dev/null || { echo "install-ferretdb: the Go toolchain is required (https://go.dev/dl/)" >&2; exit 1; }
SRC="$ROOT/.data/ferretdb-src"
dir=$(cd "$ROOT" && GOFLAGS=-mod=mod go mod download -json "github.com/FerretDB/FerretDB@$VERSION" | sed -n 's/^\s*"Dir": "\(.*\)",$/\1/p')
[ -n "$dir" ] || { echo "install-ferretdb: could not download github.com/FerretDB/FerretDB@$VERSION" >&2; exit 1; }
rm -rf "$SRC" && mkdir -p "$SRC" && cp -r "$dir"/. "$SRC" && chmod -R u+w "$SRC"
echo "$VERSION" > "$SRC/build/version/version.txt"
mkdir -p "$(dirname "$BIN")"
(cd "$SRC" && CGO_ENABLED=0 go build -trimpath -o "$BIN" ./cmd/ferretdb)
rm -rf "$SRC"
built=$("$BIN" --version)
echo "${built%%$'\n'*}"
echo "ferretdb $VERSION built at $BIN"
