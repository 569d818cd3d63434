# Container image for the octo-sts GitHub Action and CLI, for linux/amd64 and linux/arm64.
# Releases point action.yml at the prebuilt, signed image by digest (docker://…@sha256:…):
# building this Dockerfile costs every job 30–60 s. See docs/releasing.md.
#
# Base images are pinned by digest, the tag kept for humans and for Renovate, which resolves
# these ARG defaults in the FROM lines and refreshes the digests (renovate.json). They are ARGs so
# a machine without registry access can substitute local stand-ins by tag (.ci/container-test.sh).
ARG BUILD_IMAGE=golang:1.26@sha256:3aff6657219a4d9c14e27fb1d8976c49c29fddb70ba835014f477e1c70636647
# distroless/static: CA certificates, /etc/passwd, no shell; its default user is root.
ARG RUNTIME_IMAGE=gcr.io/distroless/static-debian12:latest@sha256:d75cdd72874d4790092fcb1b058493ecf6bb5bf2b2b897045b00ff01d91843f2

# The compiler runs on the build machine's platform and cross-compiles (CGO off), so an arm64
# image needs no emulation to build. BuildKit sets BUILDPLATFORM and TARGETARCH itself; the
# classic builder sets neither, so it gets BUILD_PLATFORM and TARGETARCH as --build-arg
# (.ci/container-test.sh passes them).
ARG BUILD_PLATFORM
FROM --platform=${BUILD_PLATFORM:-$BUILDPLATFORM} ${BUILD_IMAGE} AS build
WORKDIR /src
ENV CGO_ENABLED=0 GOFLAGS=-buildvcs=false GOTOOLCHAIN=local
# Dependencies first, so source edits reuse the module-download layer.
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
ARG TARGETOS=linux
ARG TARGETARCH
RUN GOOS=$TARGETOS GOARCH=$TARGETARCH go build -trimpath \
      -ldflags "-s -w -X github.com/octo-sts/action/internal/cli.Version=${VERSION}" \
      -o /out/octo-sts ./cmd/octo-sts

FROM ${RUNTIME_IMAGE}
# No USER line on purpose: GitHub runs container actions as the image's user and requires root —
# the workspace and /github/file_commands (GITHUB_OUTPUT, GITHUB_STATE, …) belong to the runner's
# host user, and a non-root user could not write outputs or state.
# No WORKDIR either: the runner mounts the workspace and sets the working directory itself.
COPY --from=build /out/octo-sts /octo-sts
ENTRYPOINT ["/octo-sts"]
