# Container image for the octo-sts GitHub Action and CLI.
# Releases should point action.yml at a prebuilt image pinned by digest (docker://…@sha256:…):
# building this Dockerfile costs every job 30–60 s. See docs/action.md.

ARG GO_VERSION=1.26

FROM golang:${GO_VERSION} AS build
WORKDIR /src
ENV CGO_ENABLED=0 GOFLAGS=-buildvcs=false GOTOOLCHAIN=local
# Dependencies first, so source edits reuse the module-download layer.
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN go build -trimpath -ldflags "-s -w -X github.com/octo-sts/action/internal/cli.Version=${VERSION}" \
      -o /out/octo-sts ./cmd/octo-sts

# distroless/static: CA certificates, /etc/passwd, no shell; its default user is root.
FROM gcr.io/distroless/static-debian12
# No USER line on purpose: GitHub runs container actions as the image's user and requires root —
# the workspace and /github/file_commands (GITHUB_OUTPUT, GITHUB_STATE, …) belong to the runner's
# host user, and a non-root user could not write outputs or state.
# No WORKDIR either: the runner mounts the workspace and sets the working directory itself.
COPY --from=build /out/octo-sts /octo-sts
ENTRYPOINT ["/octo-sts"]
