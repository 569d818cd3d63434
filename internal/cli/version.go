package cli

import (
	"context"
	"fmt"
	"runtime/debug"
)

// Version is stamped at build time (-ldflags "-X .../internal/cli.Version=v1.2.3") so bug reports name a release.
var Version = "dev"

func init() {
	register("version", "print the version of octo-sts", func(_ context.Context, _ []string, io IO) int {
		v := Version
		if bi, ok := debug.ReadBuildInfo(); ok && v == "dev" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			v = bi.Main.Version
		}
		fmt.Fprintf(io.Stdout, "octo-sts %s\n", v)
		return ExitOK
	})
}
