package lint

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/octo-sts/action/internal/policy"
)

// MaxFileSize is the largest policy file lint reads: the server's own limit
// (policy.MaxPolicyBytes), which also bounds lint's memory on a hostile tree.
const MaxFileSize = policy.MaxPolicyBytes

// refusal is why a path was not read, reported as a finding instead of content.
type refusal struct {
	rule, msg string
}

// readPolicyFile reads p without following a symbolic link, refusing anything but a regular file
// of at most MaxFileSize bytes. A refusal is a finding (the pull request planted it); err is an
// I/O failure of the linter itself.
func readPolicyFile(p string) ([]byte, *refusal, error) {
	info, err := os.Lstat(p)
	if err != nil {
		return nil, nil, err
	}
	if r := refuseMode(info.Mode()); r != nil {
		return nil, r, nil
	}
	// O_NOFOLLOW closes the race with a link swapped in after Lstat; O_NONBLOCK keeps a FIFO
	// swapped in from blocking the open (fstat below then refuses it).
	fd, err := os.OpenFile(p, os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
	if errors.Is(err, syscall.ELOOP) {
		return nil, &refusal{"not-regular-file", "is a symbolic link; lint does not follow links (the server reads file contents from the Git tree, never through a link). Commit the policy itself here"}, nil
	}
	if err != nil {
		return nil, nil, err
	}
	defer fd.Close()
	info, err = fd.Stat()
	if err != nil {
		return nil, nil, err
	}
	if r := refuseMode(info.Mode()); r != nil {
		return nil, r, nil
	}
	if info.Size() > MaxFileSize {
		return nil, tooLarge(info.Size()), nil
	}
	data, err := io.ReadAll(io.LimitReader(fd, MaxFileSize+1))
	if err != nil {
		return nil, nil, err
	}
	if len(data) > MaxFileSize {
		return nil, tooLarge(int64(len(data))), nil
	}
	return data, nil, nil
}

func tooLarge(n int64) *refusal {
	return &refusal{"file-too-large", fmt.Sprintf("is %d bytes, over the 1 MB (%d bytes) GitHub's contents API serves; the server cannot read it and answers 404. Lint did not read it either: shrink the policy", n, MaxFileSize)}
}

// refuseMode refuses links and every non-regular file (FIFOs hang a reader, devices never end).
func refuseMode(m fs.FileMode) *refusal {
	switch {
	case m&fs.ModeSymlink != 0:
		return &refusal{"not-regular-file", "is a symbolic link; lint does not follow links (the server reads file contents from the Git tree, never through a link). Commit the policy itself here"}
	case !m.IsRegular() && !m.IsDir():
		return &refusal{"not-regular-file", fmt.Sprintf("is not a regular file (%s); lint does not read it and the server cannot read it as a policy. Commit a regular file", kindOfMode(m))}
	}
	return nil
}

func kindOfMode(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeDevice != 0:
		return "a device"
	}
	return "mode " + m.Type().String()
}

// linkInPath returns the first directory between root and p (exclusive of p) that is a symbolic
// link, or "" when there is none or p is not under root. Walking through a planted directory
// link would read files from outside the repository.
func linkInPath(root, p string) string {
	ar, err1 := filepath.Abs(root)
	ap, err2 := filepath.Abs(p)
	if err1 != nil || err2 != nil {
		return ""
	}
	rel, err := filepath.Rel(ar, ap)
	if err != nil || !filepath.IsLocal(rel) {
		return ""
	}
	cur := ar
	parts := strings.Split(rel, string(filepath.Separator))
	for _, part := range parts[:len(parts)-1] {
		cur = filepath.Join(cur, part)
		if info, err := os.Lstat(cur); err == nil && info.Mode()&fs.ModeSymlink != 0 {
			return cur
		}
	}
	return ""
}

// CheckRelPath validates a repository-relative file name from an untrusted source (the pull
// request files API, an input): slash-separated, local (no "..", not absolute), no NUL or
// backslash, so joining it to the workspace stays inside the workspace.
func CheckRelPath(name string) error {
	switch {
	case name == "":
		return errors.New("empty file name")
	case strings.ContainsAny(name, "\x00\\"):
		return fmt.Errorf("file name %q contains a NUL or backslash", name)
	case !filepath.IsLocal(filepath.FromSlash(name)):
		return fmt.Errorf("file name %q is absolute or leaves the workspace (\"..\")", name)
	}
	for _, part := range strings.Split(name, "/") {
		if part == ".." || part == "." || part == "" {
			return fmt.Errorf("file name %q has an empty, \".\" or \"..\" component, which leaves the workspace or hides where it points", name)
		}
	}
	return nil
}

// CreateInRoot creates (truncating) the file rel inside root for writing, refusing a name that
// leaves root, a symbolic link anywhere on the way that points out of root (os.Root), and a
// symbolic link as the file itself (O_NOFOLLOW), so a planted link cannot redirect the write.
func CreateInRoot(root, rel string) (*os.File, error) {
	if err := CheckRelPath(filepath.ToSlash(rel)); err != nil {
		return nil, err
	}
	r, err := os.OpenRoot(root)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	rel = filepath.FromSlash(rel)
	if dir := filepath.Dir(rel); dir != "." {
		if err := r.MkdirAll(dir, 0o755); err != nil {
			return nil, err
		}
	}
	f, err := r.OpenFile(rel, os.O_WRONLY|os.O_CREATE|os.O_TRUNC|syscall.O_NOFOLLOW, 0o644)
	if errors.Is(err, syscall.ELOOP) {
		return nil, fmt.Errorf("%s is a symbolic link; refusing to write through it", rel)
	}
	return f, err
}
