package cli

import (
	"context"
	"fmt"
	"runtime/debug"
)

// Version is stamped at build time (-ldflags "-X .../internal/cli.Version=v1.2.3") so bug reports name a release.
var Version = "dev"

const versionUsage = `usage: octo-sts version   (or octo-sts --version)

Prints the version of octo-sts.
`

// runVersion is `octo-sts version` and `octo-sts --version`.
func runVersion(_ context.Context, args []string, sio IO) int {
	rest, err := parseFlags(sio, "version", flagSet("version", nil), args)
	if err == nil && len(rest) > 0 {
		err = usagef("takes no arguments (got %q)", rest)
	}
	if err != nil {
		return failUsage(sio, "version", err)
	}
	fmt.Fprintf(sio.Stdout, "octo-sts %s\n", lintVersion())
	return ExitOK
}

// lintVersion is the version recorded in SARIF and printed by `version`: the stamped Version,
// else the module version.
func lintVersion() string {
	if Version != "dev" {
		return Version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return Version
}
