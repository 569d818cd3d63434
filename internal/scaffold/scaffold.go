// Package scaffold generates the files a repository needs to adopt Octo STS (trust policies and
// the workflows that use them), so `octo-sts init` writes set-ups that lint clean on day one
// instead of users copying examples and editing them by hand.
package scaffold

import (
	"bytes"
	"embed"
	"fmt"
	"regexp"
	"strings"
)

// Constants shared by every generated file, so the generator and its docs cannot drift apart.
const (
	// Issuer is GitHub Actions' OIDC issuer on github.com.
	Issuer = "https://token.actions.githubusercontent.com"
	// SchemaModeline makes YAML-aware editors validate the policy against this project's schema.
	SchemaModeline = "# yaml-language-server: $schema=https://raw.githubusercontent.com/octo-sts/action/main/schema/trust-policy.schema.json"
	// DefaultReusableRef is where the reusable workflows live unless --reusable-ref says otherwise.
	DefaultReusableRef = "octo-sts/action@v1"
	// DefaultBranch is the branch scheduled workflows run on unless told otherwise.
	DefaultBranch = "main"
	// RenovateIdentity is the policy name the Renovate set-up uses by default.
	RenovateIdentity = "renovate"
	// RenovateWorkflowFile is the reusable Renovate workflow, relative to its repository root.
	RenovateWorkflowFile = ".github/workflows/renovate.yaml"
	// PolicyDir is where Octo STS reads trust policies in a repository.
	PolicyDir = ".github/chainguard"
)

// File is one generated file: its slash-separated path relative to the repository root and its
// contents.
type File struct {
	Path string
	Data []byte
}

//go:embed templates/*.tmpl
var templateFS embed.FS

// placeholder is the only template syntax the files use: {{.Name}}. Plain substitution instead of
// text/template keeps the binary small (text/template's reflection on methods defeats the
// linker's dead-code elimination, about 2 MB here) and the container image under 10 MB.
var placeholder = regexp.MustCompile(`\{\{\.([A-Za-z]+)\}\}`)

// render fills template name with data; an unknown or unfilled placeholder is an error, never
// silently empty output.
func render(name string, data map[string]string) ([]byte, error) {
	src, err := templateFS.ReadFile("templates/" + name)
	if err != nil {
		return nil, fmt.Errorf("rendering %s: %w", name, err)
	}
	var missing []string
	out := placeholder.ReplaceAllFunc(src, func(m []byte) []byte {
		key := string(placeholder.FindSubmatch(m)[1])
		v, ok := data[key]
		if !ok {
			missing = append(missing, key)
		}
		return []byte(v)
	})
	if len(missing) > 0 {
		return nil, fmt.Errorf("rendering %s: no value for %s", name, strings.Join(missing, ", "))
	}
	if bytes.Contains(out, []byte("{{")) {
		return nil, fmt.Errorf("rendering %s: unsupported template syntax left in the output", name)
	}
	return out, nil
}

// RenovateOptions configure `octo-sts init renovate`.
type RenovateOptions struct {
	Repo          string // OWNER/NAME the policy is for and Renovate runs on
	DefaultBranch string // the branch the scheduled workflow runs on (default main)
	Identity      string // policy name (default renovate)
	ReusableRef   string // OWNER/REPO@REF hosting the reusable Renovate workflow (default DefaultReusableRef)
	Subject       Subject
}

// Renovate returns the trust policy and the caller workflow that run Renovate on o.Repo with a
// token from Octo STS, the policy pinned to the reusable workflow at the given ref.
func Renovate(o RenovateOptions) ([]File, error) {
	if o.DefaultBranch == "" {
		o.DefaultBranch = DefaultBranch
	}
	if o.Identity == "" {
		o.Identity = RenovateIdentity
	}
	if o.ReusableRef == "" {
		o.ReusableRef = DefaultReusableRef
	}
	if err := ValidateRepo("--repo", o.Repo); err != nil {
		return nil, err
	}
	if err := ValidateBranch("--default-branch", o.DefaultBranch); err != nil {
		return nil, err
	}
	if err := ValidateIdentity("--identity", o.Identity); err != nil {
		return nil, err
	}
	ref, err := ParseWorkflowRef("--reusable-ref", o.ReusableRef)
	if err != nil {
		return nil, err
	}
	known := knownClaims(o.Repo, o.DefaultBranch, o.Subject)
	known["job_workflow_ref"] = ref.JobWorkflowRefPattern(RenovateWorkflowFile)
	known["event_name"] = "(?:schedule|workflow_dispatch)"
	subject, err := o.Subject.line(o.Repo, o.DefaultBranch, known)
	if err != nil {
		return nil, err
	}
	d := map[string]string{
		"Repo":           o.Repo,
		"SubjectLine":    subject,
		"SubjectForm":    o.Subject.describe(),
		"Identity":       o.Identity,
		"Issuer":         Issuer,
		"Modeline":       SchemaModeline,
		"DefaultBranch":  o.DefaultBranch,
		"WorkflowRepo":   ref.Repo,
		"UsesRef":        ref.UsesRef(),
		"JobWorkflowRef": ref.JobWorkflowRefPattern(RenovateWorkflowFile),
		"WorkflowFile":   RenovateWorkflowFile,
		"PolicyPath":     PolicyPath(o.Identity),
	}
	policy, err := render("renovate.sts.yaml.tmpl", d)
	if err != nil {
		return nil, err
	}
	workflow, err := render("renovate.workflow.yaml.tmpl", d)
	if err != nil {
		return nil, err
	}
	return []File{{Path: d["PolicyPath"], Data: policy}, {Path: ".github/workflows/renovate.yaml", Data: workflow}}, nil
}

// PolicyOptions configure `octo-sts init policy`.
type PolicyOptions struct {
	Repo          string // OWNER/NAME whose workflows may use the policy
	Identity      string // policy name
	DefaultBranch string // the branch whose runs may get a token (default main)
	Subject       Subject
}

// Policy returns a commented starter trust policy that lets only o.Repo's default branch get a
// read-only token, with the usual next steps shown as comments.
func Policy(o PolicyOptions) ([]File, error) {
	if o.DefaultBranch == "" {
		o.DefaultBranch = DefaultBranch
	}
	if err := ValidateRepo("--repo", o.Repo); err != nil {
		return nil, err
	}
	if err := ValidateIdentity("--identity", o.Identity); err != nil {
		return nil, err
	}
	if err := ValidateBranch("--default-branch", o.DefaultBranch); err != nil {
		return nil, err
	}
	subject, err := o.Subject.line(o.Repo, o.DefaultBranch, knownClaims(o.Repo, o.DefaultBranch, o.Subject))
	if err != nil {
		return nil, err
	}
	d := map[string]string{
		"Repo":          o.Repo,
		"SubjectLine":   subject,
		"SubjectForm":   o.Subject.describe(),
		"Identity":      o.Identity,
		"Issuer":        Issuer,
		"Modeline":      SchemaModeline,
		"DefaultBranch": o.DefaultBranch,
		"PolicyPath":    PolicyPath(o.Identity),
	}
	data, err := render("policy.sts.yaml.tmpl", d)
	if err != nil {
		return nil, err
	}
	return []File{{Path: d["PolicyPath"], Data: data}}, nil
}

// PolicyPath is the repository-relative path Octo STS reads for identity.
func PolicyPath(identity string) string {
	return PolicyDir + "/" + identity + ".sts.yaml"
}
