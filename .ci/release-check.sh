#!/usr/bin/env bash
# Release gate, run by .github/workflows/release.yaml before anything is built (and again after
# the environment approval): the run was dispatched on main, VERSION is vMAJOR.MINOR.PATCH, the
# commit is a full SHA reachable from main, and the version was never released. Run inside a
# full clone whose `origin` is the repository.
#   REF       github.ref of the run (must be refs/heads/main)
#   VERSION   the version to release
#   COMMIT    commit to release (empty: MAIN_SHA)
#   MAIN_SHA  github.sha, main's tip when the run was dispatched
# Writes version, major and commit to $GITHUB_OUTPUT when set.
set -euo pipefail

# die MESSAGE: fails the run with MESSAGE as an ::error. MESSAGE quotes the dispatch inputs, so
# it is escaped as workflow-command data: a newline in an input cannot start a command of its own.
die() {
  local m=$*
  m=${m//%/%25} m=${m//$'\r'/%0D} m=${m//$'\n'/%0A}
  echo "::error title=release refused::$m" >&2
  exit 1
}

[[ ${REF:-} == refs/heads/main ]] ||
  die "releases run only from main (this run is on '${REF:-}'): dispatch the Release workflow with 'Use workflow from: main'"
[[ ${VERSION:-} =~ ^v(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$ ]] ||
  die "version '${VERSION:-}' is not vMAJOR.MINOR.PATCH (e.g. v1.4.0); major tags such as v1 are moved by the release"
major=v${BASH_REMATCH[1]}
commit=${COMMIT:-${MAIN_SHA:-}}
[[ $commit =~ ^[0-9a-f]{40}$ ]] || die "commit '$commit' is not a full 40-character SHA"

git fetch --quiet origin '+refs/heads/main:refs/remotes/origin/main'
git cat-file -e "$commit^{commit}" 2>/dev/null || die "commit $commit does not exist in this repository"
git merge-base --is-ancestor "$commit" refs/remotes/origin/main ||
  die "commit $commit is not reachable from main; only reviewed commits on main are released"
if [[ -n $(git ls-remote --tags origin "refs/tags/$VERSION") ]]; then
  die "$VERSION already exists; releases are immutable, pick the next version"
fi

echo "release $VERSION (major tag $major) of $commit: ok"
if [[ -n ${GITHUB_OUTPUT:-} ]]; then
  { echo "version=$VERSION"; echo "major=$major"; echo "commit=$commit"; } >>"$GITHUB_OUTPUT"
fi
