#!/usr/bin/env bash
# release-commits.sh IMAGE@DIGEST CHECKSUMS: on top of the checked-out commit, makes the two
# release commits and prints sha=<second> to $GITHUB_OUTPUT (and stdout):
#   1. action.yml runs IMAGE@DIGEST (docker://, instead of building the Dockerfile), and portable/
#      carries VERSION and the binaries' checksums;
#   2. the reusable workflows' inner `uses: octo-sts/action@…` (and …/portable@…) pin commit 1,
#      so a caller that pins a reusable workflow by the release SHA pins everything it runs.
# A commit cannot name its own SHA, hence two. Run from the repository root.
#   VERSION  the version being released
set -euo pipefail
ref=${1:?usage: release-commits.sh IMAGE@DIGEST CHECKSUMS}
sums=${2:?usage: release-commits.sh IMAGE@DIGEST CHECKSUMS}
version=${VERSION:?VERSION is required}
[[ $ref =~ ^[a-z0-9./-]+@sha256:[0-9a-f]{64}$ ]] || { echo "release-commits: '$ref' is not IMAGE@sha256:<digest>" >&2; exit 1; }
grep -Eq '^[0-9a-f]{64}  octo-sts-linux-amd64$' "$sums" || { echo "release-commits: $sums lacks octo-sts-linux-amd64" >&2; exit 1; }

git config user.name "octo-sts-release[bot]"
git config user.email "octo-sts-release@users.noreply.github.com"

grep -qx '  image: Dockerfile' action.yml || { echo "release-commits: action.yml must say 'image: Dockerfile' on the released commit" >&2; exit 1; }
sed -i "s|^  image: Dockerfile\$|  image: docker://$ref|" action.yml
grep -qx "  image: docker://$ref" action.yml
cp "$sums" portable/checksums.txt
echo "$version" >portable/VERSION
git add action.yml portable/checksums.txt portable/VERSION
git commit --quiet -m "Release $version: action.yml runs $ref; portable/ checksums"
pinned=$(git rev-parse HEAD)

workflows=()
for f in .github/workflows/*.yaml .github/workflows/*.yml; do
  [[ -f $f ]] && grep -Eq '^[[:space:]-]*uses:[[:space:]]*octo-sts/action(/portable)?@' "$f" && workflows+=("$f")
done
if ((${#workflows[@]} > 0)); then
  sed -E -i "s#^([[:space:]-]*uses:[[:space:]]*octo-sts/action(/portable)?)@[^[:space:]]+.*\$#\\1@$pinned \\# $version#" "${workflows[@]}"
  if grep -En '^[[:space:]-]*uses:[[:space:]]*octo-sts/action(/portable)?@' "${workflows[@]}" | grep -v "@$pinned # $version\$"; then
    echo "release-commits: the lines above still use an unpinned octo-sts/action" >&2; exit 1
  fi
  git add "${workflows[@]}"
  git commit --quiet -m "Release $version: reusable workflows run octo-sts/action@$pinned"
fi
sha=$(git rev-parse HEAD)
echo "sha=$sha"
[[ -n ${GITHUB_OUTPUT:-} ]] && echo "sha=$sha" >>"$GITHUB_OUTPUT"
exit 0
