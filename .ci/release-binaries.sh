#!/usr/bin/env bash
# release-binaries.sh OUTDIR: cross-compiles octo-sts for linux, darwin and windows on amd64 and
# arm64 as octo-sts-<os>-<arch>[.exe] (static, CGO off, -trimpath, VERSION stamped), writes their
# SHA-256 sums as OUTDIR/checksums.txt (sha256sum format, what portable/ verifies against) and
# the release notes OUTDIR/NOTES.md. Run from the repository root of the commit being released.
#   VERSION  the version stamped into the binaries (default: dev)
set -euo pipefail
out=${1:?usage: release-binaries.sh OUTDIR}
version=${VERSION:-dev}
mkdir -p "$out"
for os in linux darwin windows; do
  for arch in amd64 arm64; do
    name=octo-sts-$os-$arch
    [[ $os == windows ]] && name+=.exe
    CGO_ENABLED=0 GOOS=$os GOARCH=$arch GOFLAGS=-buildvcs=false go build -trimpath \
      -ldflags "-s -w -X github.com/octo-sts/action/internal/cli.Version=$version" \
      -o "$out/$name" ./cmd/octo-sts
    echo "built $out/$name"
  done
done
(cd "$out" && sha256sum octo-sts-linux-* octo-sts-darwin-* octo-sts-windows-* >checksums.txt)
cat >"$out/NOTES.md" <<NOTES
octo-sts $version. Use it as \`uses: octo-sts/action@$version\` (container action, Linux) or
\`uses: octo-sts/action/portable@$version\` (any runner); pin the release commit's SHA for the
strictest form. How to verify the image, the binaries and their provenance: docs/releasing.md.

SHA-256:
\`\`\`
$(cat "$out/checksums.txt")
\`\`\`
NOTES
