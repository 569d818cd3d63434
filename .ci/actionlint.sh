#!/usr/bin/env bash
# actionlint over this repository's workflows (.github/workflows) and the workflows that
# `octo-sts init` generates (golden copies under testdata/init), so neither can ship a workflow
# GitHub would reject. Installs the pinned actionlint with `go install` unless that exact version
# is already on PATH or in the install directory.
#   ACTIONLINT_BIN_DIR  where to install (default: $(go env GOPATH)/bin)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

version=v1.7.12
bin_dir=${ACTIONLINT_BIN_DIR:-$(go env GOPATH)/bin}

# have_version BIN: BIN exists and reports exactly $version on its first line.
have_version() { [[ -x $1 ]] && [[ $("$1" -version 2>/dev/null | head -n 1) == "$version" ]]; }

actionlint=""
if command -v actionlint >/dev/null 2>&1 && have_version "$(command -v actionlint)"; then
  actionlint=$(command -v actionlint)
elif have_version "$bin_dir/actionlint"; then
  actionlint=$bin_dir/actionlint
else
  echo "installing actionlint $version into $bin_dir"
  mkdir -p "$bin_dir"
  GOBIN=$bin_dir GOFLAGS=-mod=mod go install "github.com/rhysd/actionlint/cmd/actionlint@$version"
  actionlint=$bin_dir/actionlint
  have_version "$actionlint" || { echo "actionlint at $actionlint does not report $version" >&2; exit 1; }
fi

shopt -s nullglob
workflows=(.github/workflows/*.yaml .github/workflows/*.yml testdata/init/*/.github/workflows/*.yaml)
if ((${#workflows[@]} == 0)); then
  echo "no workflow files found" >&2
  exit 1
fi
echo "actionlint $version: ${#workflows[@]} workflow files"
# shellcheck and pyflakes are used for run: scripts when installed; actionlint skips them otherwise.
ignores=(
  # `uses: ./` makes actionlint read action.yml, and it looks for runs.post-entrypoint as a file
  # of the repository; ours is the binary's path inside the image (/octo-sts), not a repo file.
  -ignore 'file "/octo-sts" does not exist in .*"post-entrypoint" key'
)
"$actionlint" -no-color "${ignores[@]}" "${workflows[@]}"
echo "actionlint: ok"
