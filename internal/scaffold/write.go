package scaffold

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// ExistsError reports the files that are already there, so the caller can name every one of them
// and suggest --force; nothing was written when it is returned.
type ExistsError struct {
	Paths []string // slash-separated, relative to the target directory
}

// Error lists the existing files.
func (e *ExistsError) Error() string {
	return "refusing to overwrite " + strings.Join(e.Paths, ", ")
}

// Write puts files under dir. Without force it first checks every target and writes nothing at
// all if any exists (an *ExistsError), so a set-up is never left half old and half new. Files are
// written to temporary names first and renamed into place only once all of them are complete.
func Write(dir string, files []File, force bool) error {
	var existing []string
	for _, f := range files {
		target := filepath.Join(dir, filepath.FromSlash(f.Path))
		info, err := os.Lstat(target)
		switch {
		case err == nil && info.IsDir():
			return fmt.Errorf("%s is a directory; move it away first", f.Path)
		case err == nil:
			existing = append(existing, f.Path)
		case !errors.Is(err, fs.ErrNotExist):
			return err
		}
	}
	if len(existing) > 0 && !force {
		return &ExistsError{Paths: existing}
	}

	temps := make([]string, 0, len(files))
	cleanup := func() {
		for _, t := range temps {
			_ = os.Remove(t)
		}
	}
	for _, f := range files {
		target := filepath.Join(dir, filepath.FromSlash(f.Path))
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			cleanup()
			return err
		}
		tmp, err := os.CreateTemp(filepath.Dir(target), "."+filepath.Base(target)+".*.tmp")
		if err != nil {
			cleanup()
			return err
		}
		temps = append(temps, tmp.Name())
		_, werr := tmp.Write(f.Data)
		cerr := tmp.Close()
		if err := errors.Join(werr, cerr); err != nil {
			cleanup()
			return fmt.Errorf("writing %s: %w", f.Path, err)
		}
		// CreateTemp makes the file 0600; these are ordinary repository files meant to be committed.
		if err := os.Chmod(tmp.Name(), 0o644); err != nil { //nolint:gosec // G302: world-readable on purpose
			cleanup()
			return err
		}
	}
	for i, f := range files {
		if err := os.Rename(temps[i], filepath.Join(dir, filepath.FromSlash(f.Path))); err != nil {
			cleanup()
			return fmt.Errorf("writing %s: %w", f.Path, err)
		}
	}
	return nil
}
