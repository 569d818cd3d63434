package lint

import (
	"fmt"
	"slices"
	"strings"

	"github.com/octo-sts/action/internal/policy"
)

// The exposure analysis asks the server's own evaluation (policy.TrustPolicy.Check) whether
// identities an attacker can actually obtain satisfy the policy: an Actions token from another
// owner's repository (same, similar and forked names), a pull request, a caller of the owner's
// reusable workflow, a reusable workflow the owner does not control, and a token from an issuer
// the attacker runs. Nothing is inferred from pattern text: an identity is reported only when
// Check accepts it.

const (
	githubIssuer    = "https://token.actions.githubusercontent.com"
	defaultDomain   = "octo-sts.dev"
	attackerOwner   = "attacker"
	attackerOwnerID = "987654321"
	attackerRepoID  = "987654322"
)

// exposure is one way in: who the identity is, the token, and the narrowest fix.
type exposure struct {
	field string // the policy field to point at
	who   string // "a workflow in attacker/app", …
	tok   policy.Token
	fix   string
	// ownRepo marks identities from the owner's own repository (a pull_request run): reported
	// only with write permissions, since a read-only token reads what the pull request can read.
	ownRepo bool
}

// attackerControlled are claims an attacker sets freely in a repository they own (event,
// branches, environments, protection rules, runner), so the analysis gives them whatever value
// the policy asks for.
var attackerControlled = []string{"event_name", "ref", "ref_type", "ref_protected", "environment", "environment_node_id",
	"workflow", "runner_environment", "base_ref", "head_ref", "run_attempt", "run_id", "run_number", "sha", "job_workflow_sha", "workflow_sha", "head_ref_protected"}

// checkExposure reports the first accepted identity of each kind. A stranger who can mint a
// token with any write permission is an error; read-only exposure is a warning.
func (f *file) checkExposure() {
	tp := f.tp
	if tp == nil || !f.compiled() {
		return
	}
	if n := longestPattern(tp); n > maxProbedPattern {
		// Matching costs text × program size: a 1 MB pattern makes each evaluation take seconds.
		f.add("exposed", f.docStart(), "a pattern is %d bytes long, too long to evaluate against attacker identities (limit %d); lint cannot tell who this policy admits. Shorten it", n, maxProbedPattern)
		f.findings[len(f.findings)-1].Severity = SevWarning
		return
	}
	owner, name := f.ownerRepo()
	seen := map[string]bool{}
	readOnly := len(writePermissions(f)) == 0
	t := trial{
		// Whether a finding can arise is known before the token is built: its kind already
		// reported, a read-only grant to the owner's own pull requests, or an issuer or subject
		// the policy refuses whatever the other claims say.
		worth: func(field string, ownRepo bool, iss, sub string) bool {
			return !seen[field] && !(readOnly && ownRepo) && f.mayAdmit(iss, sub)
		},
		try: func(e exposure) {
			if f.admits(e.tok) {
				seen[e.field] = true
				f.reportExposure(e)
			}
		},
	}
	f.adversaries(owner, name, t)
}

// trial is how adversaries hands over identities: worth says, from what decides whether trying
// one can matter (its field, whether it is the owner's own, its issuer and subject), if it should
// be built and tried at all. A profile of 10,000 policies spent most of lint building tokens, and
// then the closures that would build them, for identities no policy could accept.
type trial struct {
	worth func(field string, ownRepo bool, iss, sub string) bool
	try   func(exposure)
}

// mayAdmit reports whether any selected generation's issuer and subject steps accept iss and
// sub; when none does, CheckToken refuses the token whatever its other claims.
func (f *file) mayAdmit(iss, sub string) bool {
	for _, tp := range f.evalTPs {
		if tp.AdmitsIdentity(iss, sub) {
			return true
		}
	}
	return false
}

// compiled compiles the policy once under each selected generation (Compile is what the server
// runs before CheckToken).
func (f *file) compiled() bool {
	if f.byGen != nil {
		return len(f.byGen) > 0
	}
	f.byGen = map[policy.Generation]*policy.TrustPolicy{}
	same := f.tp.SameMatching()
	for _, g := range f.opts.gens() {
		if same && len(f.evalTPs) > 0 {
			if len(f.tp.ProblemsFor(g)) > 0 {
				clear(f.byGen)
				f.evalTPs = nil
				return false
			}
			f.byGen[g] = f.evalTPs[0] // the same language: compile once
			continue
		}
		tp := f.tp.As(g)
		if tp.Compile() != nil {
			clear(f.byGen)
			f.evalTPs = nil
			return false
		}
		f.byGen[g] = tp
		f.evalTPs = append(f.evalTPs, tp)
	}
	return true
}

// admits reports whether any selected generation's CheckToken lets tok in: under "all" a
// stranger admitted by either server is admitted.
func (f *file) admits(tok policy.Token) bool {
	for _, tp := range f.evalTPs {
		if tp.CheckToken(tok, defaultDomain) == nil {
			return true
		}
	}
	return false
}

func (f *file) reportExposure(e exposure) {
	writes := writePermissions(f)
	grant := "a read-only token"
	if len(writes) > 0 {
		grant = strings.Join(writes, ", ")
	} else if len(f.perms()) == 0 {
		grant = "a token with the installation's default read access"
	}
	_, n := f.field(e.field)
	if n == nil && e.field == "subject" {
		_, n = f.field("subject_pattern")
	}
	if e.field == "job_workflow_ref" {
		n = f.claimNode("job_workflow_ref")
	}
	what := fmt.Sprintf("sub %q", e.tok.Subject)
	if e.field == "issuer_pattern" {
		what = fmt.Sprintf("iss %q", e.tok.Issuer)
	} else if jw, ok := e.tok.Claims["job_workflow_ref"].(string); ok && e.field == "job_workflow_ref" {
		what = fmt.Sprintf("sub %q with job_workflow_ref %q", e.tok.Subject, jw)
	}
	f.add("exposed", n, "%s (%s) is accepted and would get %s; %s", what, e.who, grant, e.fix)
	if len(writes) == 0 {
		f.findings[len(f.findings)-1].Severity = SevWarning
	}
}

// ownerRepo is whose policy this is: --repository / GITHUB_REPOSITORY, else what the policy's
// own exact values or pattern samples name ("" when nothing does).
func (f *file) ownerRepo() (owner, name string) {
	if o, n, ok := strings.Cut(f.opts.Repository, "/"); ok {
		return o, n
	}
	tp := f.tp
	subs := []string{tp.Subject}
	if tp.SubjectPattern != "" {
		subs = samples(tp.SubjectPattern)
	}
	for _, s := range subs {
		if o, n, _, ok := splitSubject(s); ok && o != "" {
			return o, n
		}
	}
	for _, k := range []string{"repository", "job_workflow_ref", "workflow_ref"} {
		for _, s := range samples(tp.ClaimPattern[k]) {
			parts := strings.SplitN(s, "/", 3)
			if len(parts) >= 2 && parts[0] != "" {
				return parts[0], strings.SplitN(parts[1], "@", 2)[0]
			}
		}
	}
	return "", ""
}

// splitSubject parses "repo:OWNER/NAME:rest".
func splitSubject(s string) (owner, name, rest string, ok bool) {
	r, found := strings.CutPrefix(s, "repo:")
	if !found {
		return "", "", "", false
	}
	repo, rest, found := strings.Cut(r, ":")
	if !found {
		return "", "", "", false
	}
	owner, name, found = strings.Cut(repo, "/")
	return owner, name, rest, found
}

// suffixes are the subject tails (after "repo:OWNER/NAME:") to try: common ones plus every tail
// the policy's own subject or samples carry, so "main only" policies are tried on main.
func (f *file) suffixes() []string {
	if f.sfx == nil {
		f.sfx = f.subjectTails()
	}
	return f.sfx
}

func (f *file) subjectTails() []string {
	out := []string{"ref:refs/heads/main", "ref:refs/heads/master", "ref:refs/tags/v1.0.0", "environment:production"}
	tp := f.tp
	subs := []string{tp.Subject}
	if tp.SubjectPattern != "" {
		subs = samples(tp.SubjectPattern)
	}
	for _, s := range subs {
		if _, _, rest, ok := splitSubject(s); ok {
			out = append(out, rest)
			continue
		}
		for _, marker := range []string{":ref:", ":environment:", ":pull_request", ":job_workflow_ref:"} {
			if i := strings.Index(s, marker); i >= 0 {
				out = append(out, s[i+1:])
				break
			}
		}
	}
	var uniq []string
	for _, s := range out {
		if !slices.Contains(uniq, s) {
			uniq = append(uniq, s)
		}
	}
	return uniq
}

// sample returns a value the policy's pattern for claim k accepts, or def.
func (f *file) sample(k, def string) string {
	src, ok := f.tp.ClaimPattern[k]
	if !ok {
		return def
	}
	re, err := anchored(src)
	if err != nil {
		return def
	}
	for _, s := range samples(src) {
		if re.MatchString(s) {
			return s
		}
	}
	return def
}

// workflowTail is the part of a job_workflow_ref after "owner/name/", from the policy's pin when
// it has one.
func (f *file) workflowTail(ref string) string {
	s := f.sample("job_workflow_ref", "")
	if i := strings.Index(s, ".github/workflows/"); i >= 0 {
		return s[i:]
	}
	if parts := strings.SplitN(s, "/", 3); len(parts) == 3 && parts[0] != "" {
		return parts[2]
	}
	return ".github/workflows/release.yml@" + ref
}

// actionsToken builds a GitHub Actions token for repository owner/name and subject tail rest,
// with the given owner-side ids, letting the attacker pick every claim they control.
func (f *file) actionsToken(owner, name, rest, ownerID, repoID string, attacker bool) policy.Token {
	ref, event, env := "refs/heads/main", "push", ""
	switch {
	case strings.HasPrefix(rest, "ref:"):
		ref = strings.TrimPrefix(rest, "ref:")
	case strings.HasPrefix(rest, "environment:"):
		env = strings.TrimPrefix(rest, "environment:")
	case rest == "pull_request":
		ref, event = "refs/pull/1/merge", "pull_request"
	}
	refType := "branch"
	if strings.HasPrefix(ref, "refs/tags/") {
		refType = "tag"
	}
	wf := owner + "/" + name + "/" + replaceRef(f.workflowTail(ref), ref)
	claims := map[string]any{
		"iss": githubIssuer, "sub": "repo:" + owner + "/" + name + ":" + rest, "aud": f.audience(),
		"repository": owner + "/" + name, "repository_owner": owner, "repository_owner_id": ownerID,
		"repository_id": repoID, "repository_visibility": "public", "actor": owner, "actor_id": ownerID,
		"ref": ref, "ref_type": refType, "event_name": event, "job_workflow_ref": wf, "workflow_ref": wf,
		"runner_environment": "github-hosted", "ref_protected": "false",
	}
	if env != "" {
		claims["environment"] = env
	}
	if attacker && event != "pull_request" {
		for _, k := range attackerControlled {
			if _, ok := f.tp.ClaimPattern[k]; ok {
				claims[k] = f.sample(k, fmt.Sprint(claims[k]))
			}
		}
	}
	return policy.Token{Issuer: githubIssuer, Subject: claims["sub"].(string), Audience: []string{f.audience()}, Claims: claims}
}

// replaceRef points a workflow tail "path@ref" at ref.
func replaceRef(tail, ref string) string {
	if i := strings.LastIndex(tail, "@"); i >= 0 {
		return tail[:i+1] + ref
	}
	return tail + "@" + ref
}

// audience is an audience the policy accepts; an attacker requests any audience they like.
func (f *file) audience() string {
	tp := f.tp
	switch {
	case tp.Audience != "":
		return tp.Audience
	case tp.AudiencePattern != "":
		if re, err := anchored(tp.AudiencePattern); err == nil {
			for _, s := range append([]string{defaultDomain}, samples(tp.AudiencePattern)...) {
				if re.MatchString(s) {
					return s
				}
			}
		}
	}
	return defaultDomain
}

// adversaries hands t the identities to try, most telling first per field: each is built only
// when t.worth says trying it can matter.
func (f *file) adversaries(owner, name string, t trial) {
	if f.kind == policy.KindOrg {
		// An org policy lives in <org>/.github but serves the org's other repositories.
		name = f.sampleRepo(owner, "app")
	}
	if name == "" {
		name = "app"
	}
	fixSubject := func() string {
		if f.kind == policy.KindOrg {
			return fmt.Sprintf("start subject_pattern with repo:%s/ or pin claim_pattern repository_owner_id to your organisation's id", orOwner(owner))
		}
		return fmt.Sprintf("anchor the owner in the subject (subject: repo:%s/%s:ref:refs/heads/main) or pin claim_pattern repository_owner_id to your organisation's id", orOwner(owner), name)
	}
	src, pinned := f.tp.ClaimPattern["job_workflow_ref"]
	pinned = pinned && !f.acceptsAnything(src)
	strangers := []string{attackerOwner}
	if owner != "" {
		// A fork keeps the repository name under the attacker's account (attacker/app).
		strangers = append(strangers, owner+"x", "x"+owner)
	}
	for _, o := range strangers {
		if strings.EqualFold(o, owner) {
			continue
		}
		for _, n := range []string{name, "x" + name} {
			for _, rest := range f.suffixes() {
				sub := "repo:" + o + "/" + n + ":" + rest
				if t.worth("subject", false, githubIssuer, sub) {
					tok := f.actionsToken(o, n, rest, attackerOwnerID, attackerRepoID, true)
					t.try(exposure{field: "subject", who: "a workflow in " + o + "/" + n + ", a repository of another owner", tok: tok, fix: fixSubject()})
				}
				// The same stranger calling one of the owner's reusable workflows.
				if pinned && owner != "" && t.worth("job_workflow_ref", false, githubIssuer, sub) {
					call := f.actionsToken(o, n, rest, attackerOwnerID, attackerRepoID, true)
					jw := owner + "/" + name + "/" + replaceRef(f.workflowTail("refs/heads/main"), "refs/heads/main")
					if s := f.sample("job_workflow_ref", ""); s != "" {
						jw = s
					}
					call.Claims["job_workflow_ref"] = jw
					t.try(exposure{field: "job_workflow_ref", who: "a workflow in " + o + "/" + n + " calling your reusable workflow", tok: call,
						fix: fmt.Sprintf("anyone can call a public reusable workflow: also pin claim_pattern repository_owner: %s (or repository_owner_id)", orOwner(owner))})
				}
			}
		}
	}
	if owner != "" {
		prName := name
		if f.kind == policy.KindOrg {
			prName = f.sampleRepo(owner, name)
		}
		if t.worth("subject", true, githubIssuer, "repo:"+owner+"/"+prName+":pull_request") {
			ownerID, repoID := f.sample("repository_owner_id", "1"), f.sample("repository_id", "2")
			pr := f.actionsToken(owner, prName, "pull_request", ownerID, repoID, false)
			t.try(exposure{field: "subject", who: "a pull_request run, whose code comes from the pull request", tok: pr, ownRepo: true,
				fix: fmt.Sprintf("name the branch (subject: repo:%s/%s:ref:refs/heads/main) or pin claim_pattern event_name to the events you use", owner, prName)})
		}
		if pinned {
			rest := "ref:refs/heads/main"
			for _, s := range f.suffixes() {
				if strings.HasPrefix(s, "ref:") {
					rest = s
					break
				}
			}
			if t.worth("job_workflow_ref", false, githubIssuer, "repo:"+owner+"/"+name+":"+rest) {
				ownerID, repoID := f.sample("repository_owner_id", "1"), f.sample("repository_id", "2")
				foreign := f.actionsToken(owner, name, rest, ownerID, repoID, false)
				for _, k := range attackerControlled {
					if _, ok := f.tp.ClaimPattern[k]; ok {
						foreign.Claims[k] = f.sample(k, fmt.Sprint(foreign.Claims[k]))
					}
				}
				foreign.Claims["job_workflow_ref"] = attackerOwner + "/workflows/" + replaceRef(f.workflowTail("refs/heads/main"), "refs/heads/main")
				t.try(exposure{field: "job_workflow_ref", who: "a reusable workflow in " + attackerOwner + "/workflows, which you do not control", tok: foreign,
					fix: fmt.Sprintf("anchor job_workflow_ref to your own repository: %s/%s/\\.github/workflows/…@refs/heads/main", owner, name)})
			}
		}
	}
	for _, e := range f.attackerIssuers() {
		if t.worth(e.field, false, e.tok.Issuer, e.tok.Subject) {
			t.try(e)
		}
	}
}

// sampleRepo is a repository name an org policy's subject admits, for the org's own identities.
func (f *file) sampleRepo(owner, def string) string {
	subs := samples(f.tp.SubjectPattern)
	for _, s := range subs {
		if o, n, _, ok := splitSubject(s); ok && strings.EqualFold(o, owner) && n != "" {
			return n
		}
	}
	return def
}

func orOwner(o string) string {
	if o == "" {
		return "OWNER"
	}
	return o
}

// attackerIssuers tries issuers anyone can run when the issuer is a pattern; such a token carries
// whatever claims its issuer likes, so every other field gets a value the policy accepts.
func (f *file) attackerIssuers() []exposure {
	tp := f.tp
	if tp.IssuerPattern == "" {
		return nil
	}
	re, err := anchored(tp.IssuerPattern)
	if err != nil {
		return nil
	}
	cands := []string{"https://attacker.example", "https://token.actions.githubusercontent.com.attacker.example",
		"https://attacker.example/token.actions.githubusercontent.com", "https://token-actions-githubusercontent.com"}
	// Samples with their placeholder letters swapped: where a pattern admits any letters, an
	// attacker picks a host of their own. The samples themselves are issuers the owner named.
	for _, s := range samples(tp.IssuerPattern) {
		if a := strings.ReplaceAll(s, "x", "attacker"); a != s {
			cands = append(cands, a)
		}
	}
	iss := ""
	for _, c := range cands {
		if !strings.EqualFold(c, githubIssuer) && policy.IsValidIssuer(c) && re.MatchString(c) && !strings.HasPrefix(strings.ToLower(c), githubIssuer+"/") {
			iss = c
			break
		}
	}
	if iss == "" {
		return nil
	}
	sub := tp.Subject
	if tp.SubjectPattern != "" {
		sub = ""
		if sre, err := anchored(tp.SubjectPattern); err == nil {
			for _, s := range samples(tp.SubjectPattern) {
				if sre.MatchString(s) && policy.IsValidSubject(s) {
					sub = s
					break
				}
			}
		}
	}
	claims := map[string]any{"iss": iss, "sub": sub}
	for k := range tp.ClaimPattern {
		claims[k] = f.sample(k, "")
	}
	tok := policy.Token{Issuer: iss, Subject: sub, Audience: []string{f.audience()}, Claims: claims}
	return []exposure{{field: "issuer_pattern", who: "a token from an issuer the attacker runs", tok: tok,
		fix: "name the issuer exactly (issuer: " + githubIssuer + " for GitHub Actions), or escape its dots and anchor its host"}}
}

// longestPattern is the length of the policy's longest regular expression.
func longestPattern(tp *policy.TrustPolicy) int {
	n := max(len(tp.IssuerPattern), len(tp.SubjectPattern), len(tp.AudiencePattern))
	for _, v := range tp.ClaimPattern {
		n = max(n, len(v))
	}
	return n
}
