#!/usr/bin/env bash
# Builds the Go benchmark peers (informer-peer, controller-peer, loadgen) once per content and
# prints the directory holding them. The directory is keyed by go.sum, the peers' own sources and
# the Go version, so a change to any of them builds anew and an unchanged tree is never rebuilt.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"
export GOTOOLCHAIN=local CGO_ENABLED=0

key="$({
	go version
	cat build.sh go.mod go.sum
	find cmd internal -name '*.go' -print0 | LC_ALL=C sort -z | xargs -0 cat
} | sha256sum | cut -c1-16)"
out="${MCM_CACHE_DIR:-$HOME/.cache/mycloudmanager}/bin/peers-$key"
cmds=(informer-peer controller-peer loadgen watch-peer)

built=1
for c in "${cmds[@]}"; do
	[[ -x "$out/$c" ]] || built=0
done
if ((built == 0)); then
	# Build next to the final directory and rename it, so an interrupted build never looks done.
	mkdir -p "$(dirname "$out")"
	tmp="$(mktemp -d "$out.tmp.XXXXXX")"
	trap 'rm -rf "$tmp"' EXIT
	echo "building Go peers into $out" >&2
	go build -trimpath -ldflags "-s -w" -o "$tmp/" "${cmds[@]/#/./cmd/}" >&2
	rm -rf "$out"
	chmod 755 "$tmp"
	mv "$tmp" "$out"
	trap - EXIT
fi
echo "$out"
