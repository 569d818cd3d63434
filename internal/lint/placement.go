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
	case !underChainguard && (base == policy.IssuersFileName || strings.HasSuffix(base, ".sts.yaml") || strings.HasSuffix(base, ".sts.yml")):
		want := policy.PolicyDir + "/" + strings.TrimSuffix(base, ".yml")
		if strings.HasSuffix(base, ".sts.yml") {
			want += ".yaml"
		}
		if base == policy.IssuersFileName {
			want = policy.PolicyDir + "/" + base
			f.add("file-not-read", nil, "the server never reads %s: the allowlist is read only from %s in the org policy repository (%s); move it there", p, want, f.opts.orgPolicyRepo())
			return
		}
		f.add("file-not-read", nil, "the server never reads %s: it reads only %s (exchanges for identity %q answer 404 until the file is there); move it", p, want, strings.TrimSuffix(strings.TrimSuffix(base, ".yml"), ".sts.yaml"))
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
