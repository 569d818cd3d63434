#!/usr/bin/env bash
# Container test: builds the real Dockerfile and runs the image exactly as the GitHub Actions
# runner runs a container action (INPUT_* with hyphens kept, file commands under
# /github/file_commands, workspace at /github/workspace, --network host, the ID-token endpoint
# from ACTIONS_ID_TOKEN_REQUEST_*), main step then post step with STATE_* parsed from the state
# file. Loopback fakes stand in for GitHub's ID-token endpoint, Octo STS (HTTPS, trusted through
# SSL_CERT_FILE) and the GitHub API. Asserts outputs, revocation, image size/user and that no
# credential appears anywhere it should not. Needs bash, Go and Docker; cleans up after itself.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
tools="$root/../shared/tools"
image=${IMAGE:-octo-sts:container-test}
# Budget for the static binary plus distroless/static (~2 MB): 9.4 MB before the workflow
# cross-check linked rhysd/actionlint's parser (+0.9 MB); a regression past 12 MB fails here.
max_bytes=$((12 * 1000 * 1000))

work=$(mktemp -d)
pids=()
containers=()
cleanup() {
  local c p
  for c in "${containers[@]}"; do docker rm -f "$c" >/dev/null 2>&1 || true; done
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

failures=0
pass() { echo "ok   - $*"; }
fail() { echo "FAIL - $*" >&2; failures=$((failures + 1)); }
check() { local what=$1; shift; if "$@"; then pass "$what"; else fail "$what"; fi; }

# The base images, pinned by digest in the Dockerfile's ARG defaults.
base_ref() { sed -n "s/^ARG $1=//p" "$root/Dockerfile"; }
build_ref=$(base_ref BUILD_IMAGE) runtime_ref=$(base_ref RUNTIME_IMAGE)
[[ $build_ref == *@sha256:* && $runtime_ref == *@sha256:* ]] || { echo "Dockerfile: BUILD_IMAGE and RUNTIME_IMAGE must be pinned by digest (image:tag@sha256:…)" >&2; exit 1; }

# offline: this sandbox's ../shared/tools makes local stand-ins for the base images (no registry
# here). It names them by tag, so the build gets the tags; everywhere else plain docker build
# pulls the pinned digests.
offline=false
[[ -x $tools/build-image ]] && offline=true
echo "== building $image from $root/Dockerfile"
if $offline; then
  echo "using $tools/build-image (local stand-ins for ${build_ref%@*} and ${runtime_ref%@*})"
  "$tools/build-image" "$root" "$image" "BUILD_IMAGE=${build_ref%@*}" "RUNTIME_IMAGE=${runtime_ref%@*}"
else
  command -v docker >/dev/null || { echo "container test: needs Docker (no docker command found)" >&2; exit 1; }
  docker info >/dev/null 2>&1 || { echo "container test: the Docker engine is not running (docker info failed)" >&2; exit 1; }
  # buildx (with --load, whatever its driver) where installed; else the classic builder, which
  # does not set the platform arguments BuildKit provides, so they are passed.
  if docker buildx version >/dev/null 2>&1; then
    build=(docker buildx build --load)
  else
    platform=$(docker version --format '{{.Server.Os}}/{{.Server.Arch}}')
    echo "docker buildx is not installed; using the classic builder for $platform"
    build=(env DOCKER_BUILDKIT=0 docker build --build-arg "BUILD_PLATFORM=$platform" --build-arg "TARGETARCH=${platform#*/}")
  fi
  if ! "${build[@]}" -t "$image" "$root"; then
    echo "container test: docker build failed. Without $tools/build-image the build pulls" >&2
    echo "  $build_ref and $runtime_ref" >&2
    echo "  from their registries: check registry access (proxy, docker login, rate limits), or run" >&2
    echo "  on a machine that has it. The error above says which step failed." >&2
    exit 1
  fi
fi
size=$(docker image inspect "$image" --format '{{.Size}}')
user=$(docker image inspect "$image" --format '{{.Config.User}}')
workdir=$(docker image inspect "$image" --format '{{.Config.WorkingDir}}')
entrypoint=$(docker image inspect "$image" --format '{{json .Config.Entrypoint}}')
check "image is $size bytes (<= $max_bytes)" test "$size" -le "$max_bytes"
check "image runs as root (user '${user}')" bash -c '[[ -z $1 || $1 == root || $1 == 0 || $1 == 0:0 ]]' _ "$user"
check "image sets no WORKDIR ('${workdir}')" bash -c '[[ -z $1 || $1 == / ]]' _ "$workdir"
check "exec-form ENTRYPOINT $entrypoint" test "$entrypoint" = '["/octo-sts"]'

echo "== starting loopback fakes"
(cd "$root" && CGO_ENABLED=0 go build -o "$work/fakeservers" ./internal/sts/ststest/fakeservers && CGO_ENABLED=0 go build -o "$work/octo-sts" ./cmd/octo-sts)
# start_fakes DIR [fakeservers flags...]: start one set of fakes writing into DIR.
start_fakes() {
  local dir=$1; shift
  mkdir -p "$dir"
  "$work/fakeservers" -dir "$dir" "$@" 2>"$dir.log" &
  pids+=($!)
  for _ in $(seq 1 100); do [[ -s $dir/fakes.env ]] && break; sleep 0.1; done
  [[ -s $dir/fakes.env ]] || { cat "$dir.log" >&2; echo "fakes did not start" >&2; exit 1; }
}
start_fakes "$work/fakes"
# shellcheck disable=SC1091
source "$work/fakes/fakes.env"
# fakes: the directory of the fakes the current job talks to (job 6 starts a second set).
fakes=$work/fakes

# control PATH: one GET to the fakes' control port (bash /dev/tcp, no curl needed); prints the body.
control() {
  local host=${CONTROL_ADDR%:*} port=${CONTROL_ADDR##*:}
  exec 3<>"/dev/tcp/$host/$port"
  printf 'GET %s HTTP/1.0\r\nHost: %s\r\n\r\n' "$1" "$CONTROL_ADDR" >&3
  sed '1,/^\r$/d' <&3
  exec 3<&-
}

# script_sts STEPS: queue behaviours on the fake STS.
script_sts() { control "/script?steps=$1" >/dev/null; }

# The workflow's github-token input: a credential too, checked by assert_no_leaks.
WORKFLOW_TOKEN=ghs_fakeworkflowtoken0000

# new_job NAME: fresh runner-like directories for one job.
new_job() {
  job=$work/$1
  mkdir -p "$job/file_commands" "$job/workspace" "$job/workflow" "$job/home"
  echo '{"ref":"refs/heads/main","repository":{"full_name":"octo-org/app"}}' >"$job/workflow/event.json"
  : >"$job/file_commands/set_output"; : >"$job/file_commands/save_state"
  : >"$job/file_commands/set_env"; : >"$job/file_commands/step_summary"
}

# write_env FILE [KEY=VALUE...]: the environment the runner gives a container action.
write_env() {
  local f=$1; shift
  {
    echo "GITHUB_ACTIONS=true"
    echo "CI=true"
    echo "HOME=/github/home"
    echo "GITHUB_WORKSPACE=/github/workspace"
    echo "GITHUB_EVENT_PATH=/github/workflow/event.json"
    echo "GITHUB_EVENT_NAME=push"
    echo "GITHUB_REPOSITORY=octo-org/app"
    echo "GITHUB_ACTOR=octocat"
    echo "GITHUB_API_URL=$API_URL"
    echo "GITHUB_OUTPUT=/github/file_commands/set_output"
    echo "GITHUB_STATE=/github/file_commands/save_state"
    echo "GITHUB_ENV=/github/file_commands/set_env"
    echo "GITHUB_STEP_SUMMARY=/github/file_commands/step_summary"
    echo "ACTIONS_ID_TOKEN_REQUEST_URL=$ID_URL"
    echo "ACTIONS_ID_TOKEN_REQUEST_TOKEN=$ID_REQUEST_TOKEN"
    echo "SSL_CERT_FILE=/etc/octo-sts-test/ca.pem"
    echo "INPUT_SCOPE=octo-org/app"
    echo "INPUT_IDENTITY=deploy"
    echo "INPUT_DOMAIN=$STS_DOMAIN"
    echo "INPUT_AUDIENCE="
    echo "INPUT_EXPORT-ENV=GH_TOKEN"
    echo "INPUT_REVOKE=true"
    echo "INPUT_TIMEOUT=30s"
    echo "INPUT_DEBUG=false"
    echo "INPUT_MODE=exchange"
    echo "INPUT_GITHUB-TOKEN=$WORKFLOW_TOKEN"
    echo "INPUT_PATH=.github/chainguard"
    echo "INPUT_FAIL-ON=error"
    echo "INPUT_SARIF-FILE="
    echo "INPUT_ORG-POLICY-REPO=.github"
    local kv
    for kv in "$@"; do echo "$kv"; done
  } >"$f"
}

# state_env: STATE_* lines from the heredoc-format state file, as the runner passes them to post.
state_env() {
  awk -v d='_GitHubActionsFileCommandDelimeter_' '
    index($0, "<<" d) { name = substr($0, 1, index($0, "<<") - 1); getline value; print "STATE_" name "=" value; getline; next }
  ' "$job/file_commands/save_state"
}

# run_step NAME ENVFILE [docker args...]: one container of $run_image, as the runner starts it.
run_image=$image
run_step() {
  local name=$1 envfile=$2; shift 2
  local cname="octo-sts-ct-$$-$name"
  containers+=("$cname")
  set +e
  docker run --name "$cname" --network host \
    --workdir /github/workspace \
    -v "$job/file_commands:/github/file_commands" \
    -v "$job/workspace:/github/workspace" \
    -v "$job/workflow:/github/workflow" \
    -v "$job/home:/github/home" \
    -v "$fakes/ca.pem:/etc/octo-sts-test/ca.pem:ro" \
    --env-file "$envfile" "$@" "$run_image" action >"$job/$name.stdout" 2>"$job/$name.stderr"
  step_rc=$?
  set -e
  docker rm -f "$cname" >/dev/null 2>&1 || true
}

# value_of FILE NAME: a file-command entry's value.
value_of() {
  awk -v n="$2" -v d='_GitHubActionsFileCommandDelimeter_' '$0 == n "<<" d { getline v; print v }' "$1"
}

# assert_no_leaks: every secret may appear only in its own ::add-mask:: line and in the declared
# file-command entries (token output, exported GH_TOKEN, token state).
assert_no_leaks() {
  local secrets=() s f bad
  [[ -s $fakes/jwt.log ]] && mapfile -t secrets <"$fakes/jwt.log"
  secrets+=("$GH_TOKEN" "$WORKFLOW_TOKEN")
  for s in "${secrets[@]}"; do
    for f in "$job"/*.stdout "$job"/*.stderr "$job/file_commands/step_summary"; do
      bad=$(grep -F -- "$s" "$f" | grep -v -x -F -- "::add-mask::$s" || true)
      [[ -z $bad ]] || { fail "$(basename "$f") leaks a credential"; return; }
      # a fragment of a secret is a leak too
      bad=$(grep -v '^::add-mask::' "$f" | grep -F -- "${s:8:24}" || true)
      [[ -z $bad ]] || { fail "$(basename "$f") leaks a credential fragment"; return; }
    done
    for f in set_output save_state set_env; do
      bad=$(grep -F -- "$s" "$job/file_commands/$f" | grep -v -x -F -- "$s" || true)
      [[ -z $bad ]] || { fail "$f has a credential outside a value line"; return; }
    done
  done
  # In the file commands the token is only the value of its declared entries.
  local n
  n=$(cat "$job/file_commands/set_output" "$job/file_commands/save_state" "$job/file_commands/set_env" | { grep -c -x -F -- "$GH_TOKEN" || true; })
  local expected=$1
  [[ $n -eq $expected ]] || { fail "token written $n times to file commands, expected $expected"; return; }
  pass "no credential leaked (stdout, stderr, summary, file commands)"
}

# job_success NAME [docker args...]: a successful exchange, then post-step revocation.
job_success() {
  local name=$1; shift
  new_job "$name"
  : >"$fakes/revoked.log"
  local jwts_before
  jwts_before=$(wc -l 2>/dev/null <"$fakes/jwt.log" || echo 0)
  write_env "$job/main.env"
  run_step main "$job/main.env" "$@"
  check "main exits 0" test "$step_rc" -eq 0
  [[ $step_rc -eq 0 ]] || { cat "$job/main.stdout" "$job/main.stderr" >&2; }
  check "output token is the minted token" test "$(value_of "$job/file_commands/set_output" token)" = "$GH_TOKEN"
  check "output token-hash is base64(sha256(token))" test "$(value_of "$job/file_commands/set_output" token-hash)" = "$GH_TOKEN_HASH"
  check "export-env wrote GH_TOKEN to GITHUB_ENV" test "$(value_of "$job/file_commands/set_env" GH_TOKEN)" = "$GH_TOKEN"
  check "state holds phase=main" test "$(value_of "$job/file_commands/save_state" phase)" = main
  check "JWT masked" grep -q '^::add-mask::ey' "$job/main.stdout"
  check "token masked" grep -q -x -F "::add-mask::$GH_TOKEN" "$job/main.stdout"
  check "claims printed in a group" grep -q '^::group::OIDC Token Claims' "$job/main.stdout"
  check "token hash and summary line printed" grep -q "token-hash $GH_TOKEN_HASH" "$job/main.stdout"
  check "step summary written" grep -q "$GH_TOKEN_HASH" "$job/file_commands/step_summary"
  check "one ID token, one exchange" test "$(wc -l <"$fakes/jwt.log")" -eq $((jwts_before + 1))

  write_env "$job/post.env" $(state_env)
  run_step post "$job/post.env" --entrypoint /octo-sts "$@"
  check "post exits 0" test "$step_rc" -eq 0
  check "post revoked the token at DELETE /installation/token" grep -q -x -F "$GH_TOKEN" "$fakes/revoked.log"
  check "post reports the revocation" grep -q 'Revoked the GitHub token' "$job/post.stdout"
  assert_no_leaks 3
}

echo "== job 1: successful exchange, then post-step revocation"
job_success success

echo "== job 2: 403 whose body echoes the bearer token and a workflow command"
new_job denied
script_sts 403echo
write_env "$job/main.env"
run_step main "$job/main.env"
check "main exits 1" test "$step_rc" -eq 1
check "exactly one ::error, titled permission denied (403)" test "$(grep -c '^::error' "$job/main.stdout")" -eq 1
check "error title names the class" grep -q '^::error title=octo-sts%3A permission denied (403)::' "$job/main.stdout"
check "echoed '::warning::' did not become a command" bash -c '! grep -q "^[[:space:]]*::warning" "$1"' _ "$job/main.stdout"
check "no token output" bash -c '! grep -q "^token<<" "$1"' _ "$job/file_commands/set_output"
write_env "$job/post.env" $(state_env)
run_step post "$job/post.env" --entrypoint /octo-sts
check "post after a failed main exits 0 silently" bash -c '[[ $1 -eq 0 && ! -s $2 ]]' _ "$step_rc" "$job/post.stdout"
assert_no_leaks 0

echo "== job 3: padded input fails before any request"
new_job invalid
jwts_before=$(wc -l <"$fakes/jwt.log")
write_env "$job/main.env" "INPUT_IDENTITY=deploy "
# --env-file would keep the space too; use -e to be explicit about the raw value
run_step main "$job/main.env" -e "INPUT_IDENTITY=deploy "
check "invalid input exits 2" test "$step_rc" -eq 2
check "error names the input" grep -q -F 'input "identity"' "$job/main.stdout"
check "no ID token requested" test "$(wc -l <"$fakes/jwt.log")" -eq "$jwts_before"
assert_no_leaks 0

echo "== job 4: padded github-token is refused without quoting it"
new_job badtoken
jwts_before=$(wc -l <"$fakes/jwt.log")
write_env "$job/main.env"
run_step main "$job/main.env" -e "INPUT_GITHUB-TOKEN=$WORKFLOW_TOKEN "
check "invalid github-token exits 2" test "$step_rc" -eq 2
check "error names the input" grep -q -F 'input "github-token"' "$job/main.stdout"
check "no ID token requested" test "$(wc -l <"$fakes/jwt.log")" -eq "$jwts_before"
assert_no_leaks 0

# job_v1 NAME SCOPE: the official action's usage - only scope, identity and domain.
job_v1() {
  new_job "$1"
  # The runner passes the step's with: values and action.yml's defaults; nothing else is set here,
  # so the binary's own defaults must match what v1 workflows get.
  write_env "$job/runner.env"
  {
    grep -v '^INPUT_' "$job/runner.env"
    echo "INPUT_SCOPE=$2"
    echo "INPUT_IDENTITY=deploy"
    echo "INPUT_DOMAIN=$STS_DOMAIN"
  } >"$job/main.env"
  run_step main "$job/main.env"
  check "v1 main exits 0" test "$step_rc" -eq 0
  [[ $step_rc -eq 0 ]] || { cat "$job/main.stdout" "$job/main.stderr" >&2; }
  check "v1 output token is the minted token" test "$(value_of "$job/file_commands/set_output" token)" = "$GH_TOKEN"
  check "v1 exports nothing to GITHUB_ENV" test ! -s "$job/file_commands/set_env"
  hex=$(printf %s "$GH_TOKEN" | sha256sum | cut -d' ' -f1)
  check "v1 log has the official 'Token hash: <hex sha256>' line" grep -q -x -F "Token hash: $hex" "$job/main.stdout"
  check "v1 log has the base64 token-hash beside it" grep -q -F "token-hash $GH_TOKEN_HASH" "$job/main.stdout"
  # What a user copies from the log viewer: the group's lines, without workflow-command lines.
  awk '/^::group::OIDC Token Claims/ { g = 1; next } g && /^::endgroup::$/ { exit } g && !/^::/ { print }' "$job/main.stdout" >"$job/pasted-claims.json"
  printf 'issuer: https://token.actions.githubusercontent.com\nsubject: repo:octo-org/app:ref:refs/heads/main\npermissions:\n  contents: read\n' >"$job/deploy.sts.yaml"
  check "pasted claims group is accepted by octo-sts check --claims (allowed)" \
    bash -c '"$@" >/dev/null' _ "$work/octo-sts" check --policy "$job/deploy.sts.yaml" --claims "$job/pasted-claims.json" --domain "$STS_DOMAIN" --scope "$2"
  write_env "$job/post.env" $(state_env)
  : >"$fakes/revoked.log"
  run_step post "$job/post.env" --entrypoint /octo-sts
  check "v1 post exits 0 and revokes" grep -q -x -F "$GH_TOKEN" "$fakes/revoked.log"
  assert_no_leaks 2
}

echo "== job 5: v1 usage, repository scope - only scope, identity and domain (the official action's inputs)"
job_v1 v1 octo-org/app

echo "== job 6: v1 usage, organization scope (policy in octo-org/.github)"
start_fakes "$work/fakes-org" -scope octo-org
# shellcheck disable=SC1091
source "$work/fakes-org/fakes.env"
fakes=$work/fakes-org
job_v1 v1-org octo-org
# shellcheck disable=SC1091
source "$work/fakes/fakes.env"
fakes=$work/fakes

echo "== job 7: lint mode on a hostile pull-request tree (links, FIFO, alias bomb, 100k claims)"
# Owned by issue 9 (lint hostile-input bounds). The tree a pull request could plant: lint must
# refuse each entry as a finding, stay under 256 MB and finish, and not write SARIF through a link.
new_job hostile
cg=$job/workspace/.github/chainguard
mkdir -p "$cg" "$job/workspace/results"
ln -s /proc/self/fd/1 "$cg/stdout.sts.yaml"
ln -s /dev/zero "$cg/zero.sts.yaml"
ln -s /proc/self/environ "$cg/environ.sts.yaml"
ln -s /github/workflow/event.json "$job/workspace/results/octo-sts.sarif"
mkfifo "$cg/fifo.sts.yaml"
awk 'BEGIN {
  print "issuer: https://token.actions.githubusercontent.com\nsubject: x\nclaim_pattern:\n  x: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"
  for (i = 1; n < 990000; i++) {
    l = sprintf("  x%d: &a%d [*a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d]", i, i, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1)
    print l; n += length(l) + 1
  }
}' >"$cg/bomb.sts.yaml"
awk 'BEGIN {
  printf "issuer: https://token.actions.githubusercontent.com\nsubject: repo:octo-org/app:ref:refs/heads/main\nclaim_pattern: {"
  for (i = 0; i < 100000; i++) printf "%sk%x: x", (i ? ", " : ""), i
  print "}"
}' >"$cg/claims.sts.yaml"
write_env "$job/main.env" INPUT_MODE=lint INPUT_PATH=.github/chainguard INPUT_SARIF-FILE=results/octo-sts.sarif
cp "$job/workflow/event.json" "$job/event.before"
SECONDS=0
run_step main "$job/main.env" --memory 256m --memory-swap 256m
# Exit 2: the planted sarif-file link is refused (after the findings are reported); an OOM kill
# under --memory would be 137.
check "hostile lint finishes under 256 MB (exit 2: the sarif-file link is refused)" test "$step_rc" -eq 2
check "the refusal names the link" grep -q 'symbolic link' "$job/main.stdout"
check "hostile lint took under 60 s" test "$SECONDS" -lt 60
check "links and the FIFO are not-regular-file findings" test "$(grep -c 'not-regular-file' "$job/main.stdout")" -ge 4
check "the alias bomb is refused before decoding" grep -q 'yaml-alias-bomb' "$job/main.stdout"
check "SARIF was not written through the planted link" cmp -s "$job/event.before" "$job/workflow/event.json"

echo "== linux/arm64"
# The release image is multi-arch. The arm64 binary is always cross-compiled and checked; the
# arm64 image is built and run through job 1 where this machine can run arm64 code (natively
# or by binfmt/qemu emulation) and can build for another platform (docker buildx).
(cd "$root" && CGO_ENABLED=0 GOOS=linux GOARCH=arm64 go build -o "$work/octo-sts-arm64" ./cmd/octo-sts)
# ELF e_machine (bytes 18-19, little-endian) is 0xb7 for AArch64.
check "cross-compiled linux/arm64 binary is an AArch64 ELF" test "$(od -An -tx1 -j18 -N2 "$work/octo-sts-arm64" | tr -d ' \n')" = b700
arm64_skip=""
case $(uname -m) in
  aarch64 | arm64) ;;
  *) grep -qs '^enabled' /proc/sys/fs/binfmt_misc/qemu-aarch64 ||
    arm64_skip="this $(uname -m) machine cannot run arm64 code (no binfmt/qemu handler registered; install one with: docker run --privileged --rm tonistiigi/binfmt --install arm64)" ;;
esac
if [[ -z $arm64_skip ]] && $offline; then
  arm64_skip="the offline stand-in base images from $tools are single-platform"
fi
if [[ -z $arm64_skip ]] && ! docker buildx version >/dev/null 2>&1; then
  arm64_skip="docker buildx is not installed (needed to build for another platform)"
fi
if [[ -n $arm64_skip ]]; then
  echo "skip - linux/arm64 image not run: $arm64_skip"
else
  docker buildx build --platform linux/arm64 --load -t "$image-arm64" "$root"
  check "arm64 image's platform" test "$(docker image inspect "$image-arm64" --format '{{.Architecture}}')" = arm64
  run_image=$image-arm64
  echo "== job 1 again on the linux/arm64 image"
  job_success success-arm64 --platform linux/arm64
  run_image=$image
fi

echo "== job 8: a 520-character stateless installation token (ghs_<app id>_<JWT>) end to end"
read -r stateless_token stateless_hash < <(control /stateless)
check "the fake now mints a 520-character token" test "${#stateless_token}" -eq 520
GH_TOKEN=$stateless_token GH_TOKEN_HASH=$stateless_hash
job_success stateless

if ((failures > 0)); then
  echo "container test: $failures check(s) failed" >&2
  exit 1
fi
echo "container test: all checks passed (image $size bytes, user '${user:-root}')"
