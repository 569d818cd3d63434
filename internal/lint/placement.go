package lint

import (
	"path"
	"strings"

	"github.com/octo-sts/action/internal/policy"
)

// checkPlacement warns about files under .github/chainguard that the server never reads: only
// .github/chainguard/<identity>.sts.yaml (one level) and, in the policy repository, the allowlist.
func (f *file) checkPlacement() {
	p := f.path
	dir, base := path.Split(p)
	dir = strings.TrimSuffix(dir, "/")
	inChainguard := dir == policy.PolicyDir || strings.HasSuffix(dir, "/"+policy.PolicyDir)
	underChainguard := strings.Contains("/"+dir+"/", "/"+policy.PolicyDir+"/")
	switch {
	case base == policy.IssuersFileName:
		if inChainguard && f.opts.Repository != "" && !f.opts.InPolicyRepo() {
			f.add("file-not-read", nil, "the trusted-issuers allowlist is only read from the org policy repository (%s); here it has no effect", f.opts.orgPolicyRepo())
		}
	case strings.HasSuffix(base, ".sts.yml"):
		f.add("file-not-read", nil, "the server only reads .sts.yaml files; rename this to %s", strings.TrimSuffix(base, ".yml")+".yaml")
	case !strings.HasSuffix(base, ".sts.yaml"):
		if underChainguard {
			f.add("file-not-read", nil, "the server never reads %s: policies must be named <identity>.sts.yaml", base)
		}
	case underChainguard && !inChainguard:
		f.add("file-not-read", nil, "policies in sub-directories of %s are never validated by the server's check run and can only be reached with an identity containing \"/\"; move it to %s/%s", policy.PolicyDir, policy.PolicyDir, base)
	}
}
