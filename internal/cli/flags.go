package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/octo-sts/action/internal/sts"
)

// errHelp is returned by parseFlags when help was printed (exit 0).
var errHelp = errors.New("help printed")

// usageError is a usage mistake worded for the user: one line, exit 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

// usagef builds a usageError.
func usagef(format string, args ...any) error { return &usageError{fmt.Sprintf(format, args...)} }

// flagSet holds the flags define registers (none when define is nil): the one way a command's
// flags come to exist, for parsing, help and completion alike.
func flagSet(name string, define func(*flag.FlagSet)) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	if define != nil {
		define(fs)
	}
	return fs
}

// flagsGiven is the set of flags the command line gave, for a check that an empty value was typed
// rather than defaulted, or a default that depends on the environment.
func flagsGiven(fs *flag.FlagSet) map[string]bool {
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	return given
}

// isBoolFlag reports whether f is a switch (--quiet, --quiet=false) rather than a flag with a value.
func isBoolFlag(f *flag.Flag) bool {
	b, ok := f.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}

// parseFlags is the one flag parser of every command: stdlib flag, --name and -name alike, flags
// before or after positional arguments ("--" ends flags), help on stdout. It returns the positional
// arguments, errHelp after printing help, or a usageError worded for the user (with a "did you
// mean" for a mistyped flag).
func parseFlags(sio IO, name string, fs *flag.FlagSet, args []string) ([]string, error) {
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	var positional []string
	rest := args
	for {
		before := rest
		if err := fs.Parse(rest); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				printHelp(sio.Stdout, name, fs)
				return nil, errHelp
			}
			return nil, flagError(fs, err)
		}
		rest = fs.Args()
		if used := len(before) - len(rest); used > 0 && before[used-1] == "--" {
			return append(positional, rest...), nil
		}
		if len(rest) == 0 {
			return positional, nil
		}
		positional = append(positional, rest[0])
		rest = rest[1:]
	}
}

// failUsage prints err as the one line of a usage error and returns the exit code: ExitOK after
// help, ExitUsage otherwise.
func failUsage(sio IO, name string, err error) int {
	if errors.Is(err, errHelp) {
		return ExitOK
	}
	fmt.Fprintf(sio.Stderr, "octo-sts %s: %v\n", name, err)
	return ExitUsage
}

var (
	reUndefined = regexp.MustCompile(`^flag provided but not defined: -+(.*)$`)
	reNeedsArg  = regexp.MustCompile(`^flag needs an argument: -+(.*)$`)
	reInvalid   = regexp.MustCompile(`^invalid (?:boolean )?value "(.*?)" for (?:flag )?-+([^:\s]*): (.*)$`)
)

// flagError rewords the flag package's errors the way every octo-sts message reads.
func flagError(fs *flag.FlagSet, err error) error {
	msg := err.Error()
	if m := reUndefined.FindStringSubmatch(msg); m != nil {
		name, _, _ := strings.Cut(m[1], "=")
		var names []string
		fs.VisitAll(func(f *flag.Flag) { names = append(names, f.Name) })
		return usagef("unknown flag --%s%s", name, orHelp(didYouMean(name, names, "--"), "; --help lists the flags"))
	}
	if m := reNeedsArg.FindStringSubmatch(msg); m != nil {
		return usagef("--%s needs a value (--%s VALUE or --%s=VALUE)", m[1], m[1], m[1])
	}
	if m := reInvalid.FindStringSubmatch(msg); m != nil {
		value, name := m[1], m[2]
		if f := fs.Lookup(name); f != nil {
			if g, ok := f.Value.(flag.Getter); ok {
				switch g.Get().(type) {
				case time.Duration:
					return usagef("%s", flagWording(sts.DurationError(name, value)))
				case bool:
					return usagef("--%s: %q is not true or false (write --%s or --%s=false)", name, value, name, name)
				}
			}
		}
		if strings.Contains(m[3], "--"+name) { // the flag's own check already names it
			return usagef("%s", m[3])
		}
		return usagef("--%s: %q: %s", name, value, m[3])
	}
	return usagef("%s", msg)
}

// flagWording names the field of a shared validator's error (internal/sts) as the flag the CLI
// user typed, so a mistake reads the same in the CLI and the action but for the name of the field.
func flagWording(err error) string {
	var ie *sts.InputError
	if errors.As(err, &ie) {
		return ie.Named("--" + ie.Field)
	}
	return err.Error()
}

// validated returns the first failing check as a usage error worded for flags.
func validated(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return usagef("%s", flagWording(err))
		}
	}
	return nil
}

// printHelp writes a command's help: its usage text, then its flags in one format.
func printHelp(w io.Writer, name string, fs *flag.FlagSet) {
	var b strings.Builder
	if c, ok := lookup(name); ok {
		b.WriteString(c.usage)
	}
	var lines []string
	fs.VisitAll(func(f *flag.Flag) {
		placeholder, usage := flag.UnquoteUsage(f)
		if isBoolFlag(f) {
			placeholder = ""
		}
		if placeholder == "string" {
			placeholder = "VALUE"
		}
		head := "  --" + f.Name
		if placeholder != "" {
			head += " " + placeholder
		}
		line := head + "\n      " + strings.ReplaceAll(usage, "\n", "\n      ")
		d := f.DefValue
		if g, ok := f.Value.(flag.Getter); ok {
			if dur, ok := g.Get().(time.Duration); ok {
				d = sts.ShortDuration(dur)
			}
		}
		if d != "" && d != "false" && d != "0" && d != "0s" && !strings.Contains(usage, "(default") {
			line += " (default " + d + ")"
		}
		lines = append(lines, line)
	})
	if len(lines) > 0 {
		b.WriteString("\nflags:\n")
		b.WriteString(strings.Join(lines, "\n"))
		b.WriteString("\n")
	}
	io.WriteString(w, b.String())
}

// didYouMean returns "; did you mean PREFIX+X?" for the candidate closest to s (a typo of at most
// two edits, fewer for short words, or a prefix of it), or "" when none is close.
func didYouMean(s string, candidates []string, prefix string) string {
	limit := min(2, max(1, len([]rune(s))/3))
	best, bestD := "", limit+1
	for _, c := range candidates {
		d := editDistance(strings.ToLower(s), strings.ToLower(c))
		if d > limit && min(len(s), len(c)) >= 3 && (strings.HasPrefix(c, s) || strings.HasPrefix(s, c)) {
			d = limit
		}
		if d < bestD {
			best, bestD = c, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf("; did you mean %s%s?", prefix, best)
}

// editDistance is the Damerau (optimal string alignment) distance: transpositions count once.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	d := make([][]int, len(ra)+1)
	for i := range d {
		d[i] = make([]int, len(rb)+1)
		d[i][0] = i
	}
	for j := range rb {
		d[0][j+1] = j + 1
	}
	for i := 1; i <= len(ra); i++ {
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(ra)][len(rb)]
}

// orgPolicyRepoError is the one wording of a bad --org-policy-repo, for every command (nil if fine).
func orgPolicyRepoError(name string) error { return validated(sts.ValidateOrgPolicyRepo(name)) }

// interactive reports whether r is a terminal (a character device other than the null device):
// a command that reads a token from stdin would then wait for typing, which a newcomer takes for
// a hang.
func interactive(r io.Reader) bool {
	f, ok := r.(*os.File)
	if !ok {
		return false
	}
	info, err := f.Stat()
	if err != nil || info.Mode()&os.ModeCharDevice == 0 {
		return false
	}
	null, err := os.Stat(os.DevNull)
	return err != nil || !os.SameFile(info, null)
}
