package lint

import (
	"fmt"
	"strings"

	"github.com/octo-sts/action/internal/policy"
)

// Rule documents one finding type: a stable ID for suppression and SARIF, why it matters and how
// to fix it, with a bad and a fixed example that tests lint to keep the docs honest.
type Rule struct {
	ID        string
	Severity  Severity
	Class     Class  // filled from ruleClasses
	Summary   string // one line, used as the SARIF short description
	Rationale string // why it matters
	Fix       string // what to do
	// Path is the example file's repo-relative path (decides its kind); default .github/chainguard/example.sts.yaml.
	Path string
	// Repository is the example's GITHUB_REPOSITORY (org policies live in owner/.github).
	Repository string
	// Server is the generation the examples are linted under ("" = every generation).
	Server    policy.Generation
	Bad, Good string
}

// Rules is the registry, in documentation order. IDs never change once released.
var Rules = []*Rule{
	// --- errors: the server refuses the file (404: policy.CodePolicyParse / CodePolicyCompile) ---
	{ID: "yaml-syntax", Severity: SevError,
		Summary:   "The file is not valid YAML for the server's YAML 1.1 parser.",
		Rationale: "The server answers every exchange with " + serverAnswer(policy.CodePolicyParse) + " and logs the reason only on its side.",
		Fix:       "Fix the syntax at the reported line; indent with spaces, never tabs.",
		Bad:       "issuer: https://token.actions.githubusercontent.com\nsubject: [repo:acme/app:ref:refs/heads/main\n",
		Good:      "issuer: https://token.actions.githubusercontent.com\nsubject: repo:acme/app:ref:refs/heads/main\n"},
	{ID: "not-regular-file", Severity: SevError,
		Summary:   "A policy path is a symbolic link, a FIFO, a device or another non-regular file, or is reached through a linked directory.",
		Rationale: "The server reads policies from the Git tree and never through a link; a linter that followed one could hang (/proc/self/fd/1), run out of memory (/dev/zero) or quote files from outside the repository. Lint refuses to read it.",
		Fix:       "Commit the policy file itself at .github/chainguard/<identity>.sts.yaml.",
		Bad:       "", Good: ""},
	{ID: "file-too-large", Severity: SevError,
		Summary:   "The file is over 1 MB.",
		Rationale: "GitHub's contents API serves files over 1 MB without their content, so the server answers every exchange with " + serverAnswer(policy.CodePolicyUnreadable) + ". Lint does not read it either.",
		Fix:       "Shrink the policy: a trust policy is a few lines; merge claim patterns into one regular expression.",
		Bad:       "", Good: ""},
	{ID: "yaml-alias-bomb", Severity: SevError,
		Summary:   "YAML aliases expand the file far beyond its size.",
		Rationale: "A few kilobytes of nested anchors and aliases expand to gigabytes; the server's YAML-to-JSON conversion would expand them and fall over as well. Lint stops before any decoder expands them.",
		Fix:       "Write the values out; a trust policy needs no anchors.",
		Bad:       "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n",
		Good:      "issuer: https://token.actions.githubusercontent.com\nsubject: repo:acme/app:ref:refs/heads/main\n"},
	{ID: "duplicate-key", Severity: SevError,
		Summary:   "A key appears twice in the same mapping.",
		Rationale: "The server's strict decoder rejects the whole file (\"key already set in map\"), so every exchange fails with 404.",
		Fix:       "Keep one of the two entries.",
		Bad:       "issuer: https://token.actions.githubusercontent.com\nsubject: repo:acme/app:ref:refs/heads/main\nsubject: repo:acme/app:ref:refs/heads/dev\n",
		Good:      "issuer: https://token.actions.githubusercontent.com\nsubject_pattern: repo:acme/app:ref:refs/heads/(main|dev)\n"},
	{ID: "unknown-key", Severity: SevError,
		Summary:   "A key the server does not know (a typo, a camelCase or hyphenated name, or a field from another file kind).",
		Rationale: "The server decodes strictly: one unknown key makes the policy unparsable and every exchange fails with 404.",
		Fix:       "Use the field name the message suggests (fields and permissions are snake_case, e.g. pull_requests).",
		Bad:       "issuer: https://token.actions.githubusercontent.com\nsubject: repo:acme/app:ref:refs/heads/main\npermissions:\n  pull-requests: write\n",
		Good:      "issuer: https://token.actions.githubusercontent.com\nsubject: repo:acme/app:ref:refs/heads/main\npermissions:\n  pull_requests: write\n"},
	{ID: "repositories-not-allowed", Severity: SevError,
		Summary:   "`repositories` is only accepted in org policies stored in the org policy repository.",
		Rationale: "A repository policy already scopes the token to its own repository; the server rejects the key as unknown there, so every exchange fails with 404.",
		Fix:       "Remove `repositories`, or move the policy to the org policy repository (`<org>/.github`) and exchange with scope `<org>`.",
		Bad:       "issuer: https://token.actions.githubusercontent.com\nsubject: repo:acme/app:ref:refs/heads/main\nrepositories: [app, lib]\n",
		Good:      "issuer: https://token.actions.githubusercontent.com\nsubject: repo:acme/app:ref:refs/heads/main\n"},
	{ID: "wrong-type", Severity: SevError,
		Summary:   "A value has the wrong shape (a list or map where a string is expected, a scalar where a map or list is expected).",
		Rationale: "The server cannot decode the file and answers every exchange with 404.",
		Fix:       "Give the field the shape the message names: strings for issuer/subject/audience and patterns, a map of strings for claim_pattern and permissions, a list of names for repositories.",
		Bad:       "issuer: https://token.actions.githubusercontent.com\nsubject: repo:acme/app:ref:refs/heads/main\npermissions: read-all\n",
		Good:      "issuer: https://token.actions.githubusercontent.com\nsubject: repo:acme/app:ref:refs/heads/main\npermissions:\n  contents: read\n"},
	{ID: "issuer-one-of", Severity: SevError,
		Summary:   "Exactly one of `issuer` and `issuer_pattern` must be set.",
		Rationale: "The server's Compile() rejects the policy (" + serverAnswer(policy.CodePolicyCompile) + "); the webhook check run does not catch it.",
		Fix:       "Keep `issuer` for one exact issuer URL, or `issuer_pattern` for a regular expression, not both and not neither.",
		Bad:       "subject: repo:acme/app:ref:refs/heads/main\n",
		Good:      "issuer: https://token.actions.githubusercontent.com\nsubject: repo:acme/app:ref:refs/heads/main\n"},
	{ID: "subject-one-of", Severity: SevError,
		Summary:   "Exactly one of `subject` and `subject_pattern` must be set.",
		Rationale: "The server's Compile() rejects the policy (" + serverAnswer(policy.CodePolicyCompile) + "); the webhook check run does not catch it.",
		Fix:       "Keep `subject` for one exact subject, or `subject_pattern` for a regular expression, not both and not neither.",
		Bad:       "issuer: https://token.actions.githubusercontent.com\nsubject: repo:acme/app:ref:refs/heads/main\nsubject_pattern: repo:acme/app:.*\n",
		Good:      "issuer: https://token.actions.githubusercontent.com\nsubject: repo:acme/app:ref:refs/heads/main\n"},
	{ID: "audience-one-of", Severity: SevError,
		Summary:   "At most one of `audience` and `audience_pattern` may be set.",
		Rationale: "The server's Compile() rejects the policy (" + serverAnswer(policy.CodePolicyCompile) + ").",
		Fix:       "Keep one of them, or neither to require the STS domain (octo-sts.dev) as audience.",
		Bad:       "issuer: https://token.actions.githubusercontent.com\nsubject: repo:acme/app:ref:refs/heads/main\naudience: octo-sts.dev\naudience_pattern: octo-sts\\.dev\n",
		Good:      "issuer: https://token.actions.githubusercontent.com\nsubject: repo:acme/app:ref:refs/heads/main\naudience: octo-sts.dev\n"},
	{ID: "app-one-of", Severity: SevError, Server: policy.Current,
		Summary:   "At most one of `app` and `app_pattern` may be set (current servers).",
		Rationale: "A current server's Compile() rejects the policy (" + serverAnswer(policy.CodePolicyCompile) + "); a legacy server rejects both keys as unknown.",
		Fix:       "Pin one App by name or ID with `app`, or several by regular expression with `app_pattern`, not both.",
		Bad:       "issuer: https://token.actions.githubusercontent.com\nsubject: repo:acme/app:ref:refs/heads/main\napp: deployer\napp_pattern: deploy.*\n",
		Good:      "issuer: https://token.actions.githubusercontent.com\nsubject: repo:acme/app:ref:refs/heads/main\napp: deployer\n"},
	{ID: "server-refuses", Severity: SevError,
		Summary:   "The server model refuses the file for a reason this linter has no dedicated rule for yet.",
		Rationale: "Every exchange fails; the message is the server's own.",
		Fix:       "Follow the server's message.",
		Bad:       "", Good: ""},
	{ID: "invalid-regex", Severity: SevError,
		Summary:   "A pattern does not compile as `^pattern$` under Go's RE2 syntax.",
		Rationale: "The server compiles every pattern wrapped in ^…$ with Go's regexp package (no look-around, no back-references); a failure rejects the whole policy with 404.",
		Fix:       "Rewrite the pattern in RE2 syntax (https://github.com/google/re2/wiki/Syntax); replace look-ahead with an explicit alternative or a second claim_pattern entry.",
		Bad:       "issuer: https://token.actions.githubusercontent.com\nsubject_pattern: repo:acme/app:ref:refs/heads/(?!dev).*\n",
		Good:      "issuer: https://token.actions.githubusercontent.com\nsubject_pattern: repo:acme/app:ref:refs/heads/(main|release-[0-9]+)\n"},
	{ID: "allowlist-mode", Severity: SevError,
		Summary:   "The allowlist `mode` must be `enforce` or `audit` (lower case).",
		Rationale: "The server refuses the allowlist, and with no last-known-good copy every exchange in the org fails with 400.",
		Fix:       "Use `mode: enforce` (the default) or `mode: audit`.",
		Path:      ".github/chainguard/trusted-token-issuers.yaml", Repository: "acme/.github",
		Bad:  "mode: Enforce\nissuers:\n  - https://token.actions.githubusercontent.com\n",
		Good: "mode: enforce\nissuers:\n  - https://token.actions.githubusercontent.com\n"},
	{ID: "allowlist-empty", Severity: SevError,
		Summary:   "The allowlist lists no issuers and no issuer patterns.",
		Rationale: "An empty allowlist would deny all federation in the org; the server refuses it instead, failing every exchange with 400.",
		Fix:       "List at least one entry in `issuers` or `issuer_patterns`, or delete the file to allow every issuer.",
		Path:      ".github/chainguard/trusted-token-issuers.yaml", Repository: "acme/.github",
		Bad:  "mode: enforce\n",
		Good: "mode: enforce\nissuers:\n  - https://token.actions.githubusercontent.com\n"},
	{ID: "allowlist-too-many", Severity: SevError,
		Summary:   "The allowlist exceeds the server's caps (64 issuers, 16 issuer patterns).",
		Rationale: "The server refuses an allowlist over its caps.",
		Fix:       "Merge entries into fewer, tighter issuer_patterns or remove unused issuers.",
		Path:      ".github/chainguard/trusted-token-issuers.yaml", Repository: "acme/.github",
		Bad:  "issuer_patterns:\n" + repeatLines("  - https://a%d\\.example\\.com\n", 17),
		Good: "issuer_patterns:\n  - https://a[0-9]+\\.example\\.com\n"},
	{ID: "allowlist-issuer", Severity: SevError,
		Summary:   "An allowlist issuer is not a valid issuer URL, or has upper case in its scheme or host.",
		Rationale: "Entries are matched byte-exactly against the token's iss; the server refuses invalid or non-lowercase entries so they cannot silently never match.",
		Fix:       "Write the issuer exactly as tokens carry it: https://, lower-case host, no query, fragment or credentials.",
		Path:      ".github/chainguard/trusted-token-issuers.yaml", Repository: "acme/.github",
		Bad:  "issuers:\n  - https://Accounts.Google.com\n",
		Good: "issuers:\n  - https://accounts.google.com\n"},
	{ID: "allowlist-pattern-too-long", Severity: SevError,
		Summary:   "An allowlist issuer pattern is longer than 256 bytes.",
		Rationale: "The server caps pattern length (in bytes, so non-ASCII characters count more than once).",
		Fix:       "Shorten the pattern or split it into several issuer_patterns entries.",
		Path:      ".github/chainguard/trusted-token-issuers.yaml", Repository: "acme/.github",
		Bad:  "issuer_patterns:\n  - https://" + repeatLines("a", 250) + "\\.example\\.com\n",
		Good: "issuer_patterns:\n  - https://[a-z]+\\.example\\.com\n"},
	{ID: "allowlist-pattern-span", Severity: SevError,
		Summary:   "An allowlist issuer pattern can match \"/\" and so span past the host.",
		Rationale: "\"https://.*\\.example\\.com\" also permits \"https://evil.com/x.example.com\"; the server refuses such patterns (checked on Go's own regexp parse tree).",
		Fix:       "Escape literal dots as \\. and bound each varying part, e.g. https://[a-z0-9-]+\\.example\\.com; keep \"/\" at fixed positions; give alternatives their own entries.",
		Path:      ".github/chainguard/trusted-token-issuers.yaml", Repository: "acme/.github",
		Bad:  "issuer_patterns:\n  - https://.*\\.example\\.com\n",
		Good: "issuer_patterns:\n  - https://[a-z0-9-]+\\.example\\.com\n"},
	{ID: "allowlist-pattern-invalid", Severity: SevError,
		Summary:   "An allowlist issuer pattern is not valid Go RE2 syntax (compiled alone and as ^(?:p)$).",
		Rationale: "The server refuses the allowlist.",
		Fix:       "Fix the regular expression; see https://github.com/google/re2/wiki/Syntax.",
		Path:      ".github/chainguard/trusted-token-issuers.yaml", Repository: "acme/.github",
		Bad:  "issuer_patterns:\n  - \"[unclosed\"\n",
		Good: "issuer_patterns:\n  - https://token\\.actions\\.githubusercontent\\.com\n"},

	// --- accepted by Octo STS, refused by GitHub when the token is minted (403) ---
	{ID: "permission-level-invalid", Severity: SevError,
		Summary:   "GitHub has no such level for this permission: every exchange fails.",
		Rationale: "Octo STS forwards the level as written; GitHub's token API knows only read, write and (for a few permissions) admin, answers 422 for anything else (`bogus`, `none`, `read-write`, a number or boolean the YAML decoder turned into a string, `admin` where there is no admin level), and the exchange fails with " + serverAnswer(policy.CodeTokenExchangeFailure) + " every time.",
		Fix:       "Use one of the levels the message lists, in lower case.",
		Bad:       "issuer: https://token.actions.githubusercontent.com\nsubject: repo:acme/app:ref:refs/heads/main\npermissions:\n  contents: read-write\n",
		Good:      "issuer: https://token.actions.githubusercontent.com\nsubject: repo:acme/app:ref:refs/heads/main\npermissions:\n  contents: write\n"},
	{ID: "permission-level", Severity: SevWarning,
		Summary:   "GitHub does not accept this level for this permission.",
		Rationale: "Octo STS forwards any string; GitHub answers 422 and the exchange fails with " + serverAnswer(policy.CodeTokenExchangeFailure) + ". `workflows`, `profile` and `organization_copilot_seat_management` are write-only, `organization_plan` and `organization_events` read-only, and only the projects and custom-properties permissions take `admin`.",
		Fix:       "Use one of the levels the message lists, in lower case.",
		Bad:       "issuer: https://token.actions.githubusercontent.com\nsubject: repo:acme/app:ref:refs/heads/main\npermissions:\n  workflows: read\n",
		Good:      "issuer: https://token.actions.githubusercontent.com\nsubject: repo:acme/app:ref:refs/heads/main\npermissions:\n  workflows: write\n"},
	{ID: "permission-name", Severity: SevWarning,
		Summary:   "The server parses this permission name, but GitHub's token API calls it something else.",
		Rationale: "Names come from go-github's struct: `emails`, `keys` and `team_discussions` parse, but GitHub answers 422 and the exchange fails with 403.",
		Fix:       "Drop the permission; GitHub's names (`email_addresses`, `git_ssh_keys`) are not accepted by Octo STS either.",
		Bad:       "issuer: https://token.actions.githubusercontent.com\nsubject: repo:acme/app:ref:refs/heads/main\npermissions:\n  keys: read\n",
		Good:      "issuer: https://token.actions.githubusercontent.com\nsubject: repo:acme/app:ref:refs/heads/main\npermissions:\n  contents: read\n"},
	{ID: "repository-name", Severity: SevWarning,
		Summary:   "`repositories` entries must be bare repository names, not owner/name.",
		Rationale: "The list goes to GitHub verbatim; `owner/name` makes GitHub answer 422 and the exchange fails with 403.",
		Fix:       "Write the bare name: `app`, not `acme/app`.",
		Path:      ".github/chainguard/example.sts.yaml", Repository: "acme/.github",
		Bad:  "issuer: https://token.actions.githubusercontent.com\nsubject: repo:acme/app:ref:refs/heads/main\nrepositories:\n  - acme/app\n",
		Good: "issuer: https://token.actions.githubusercontent.com\nsubject: repo:acme/app:ref:refs/heads/main\nrepositories:\n  - app\n"},
	{ID: "too-many-repositories", Severity: SevWarning,
		Summary:   "More than 500 repositories.",
		Rationale: "GitHub caps a token at 500 repositories and answers 422 (403 from the exchange).",
		Fix:       "Omit `repositories` to cover every repository the App can see, or split the policy.",
		Path:      ".github/chainguard/example.sts.yaml", Repository: "acme/.github",
		Bad:  "issuer: https://token.actions.githubusercontent.com\nsubject: repo:acme/app:ref:refs/heads/main\nrepositories:\n" + repeatLines("  - r%d\n", 501),
		Good: "issuer: https://token.actions.githubusercontent.com\nsubject: repo:acme/app:ref:refs/heads/main\nrepositories:\n  - r1\n"},

	// --- warnings: accepted, but insecure or not doing what it seems ---
	{ID: "half-anchored-alternation", Severity: SevWarning,
		Summary:   "A top-level `|` in a trust-policy pattern is only half-anchored.",
		Rationale: "The server wraps patterns as ^ + p + $ without a group, so `a|b` means `^a` or `b$`: `repo:acme/a:.*|repo:acme/b:ref:refs/heads/main` also accepts `evil:repo:acme/b:ref:refs/heads/main`.",
		Fix:       "Wrap the alternatives in a group: `(?:a|b)`.",
		Bad:       "issuer: https://token.actions.githubusercontent.com\nsubject_pattern: repo:acme/app:ref:refs/heads/main|repo:acme/app:ref:refs/heads/dev\n",
		Good:      "issuer: https://token.actions.githubusercontent.com\nsubject_pattern: (?:repo:acme/app:ref:refs/heads/main|repo:acme/app:ref:refs/heads/dev)\n"},
	{ID: "unescaped-dot", Severity: SevWarning,
		Summary:   "An unescaped `.` in a host name inside a pattern matches any character.",
		Rationale: "`token.actions.githubusercontent.com` as a pattern also matches `tokenXactions…`, hosts an attacker can register.",
		Fix:       "Escape literal dots: `token\\.actions\\.githubusercontent\\.com`.",
		Bad:       "issuer_pattern: https://token.actions.githubusercontent.com\nsubject: repo:acme/app:ref:refs/heads/main\n",
		Good:      "issuer_pattern: https://token\\.actions\\.githubusercontent\\.com\nsubject: repo:acme/app:ref:refs/heads/main\n"},
	{ID: "exposed", Severity: SevError,
		Summary:   "An identity outside the policy's owner can satisfy it: the server's own evaluation accepts an attacker's token.",
		Rationale: "Lint evaluates the compiled policy, as the server does, against tokens an attacker can obtain: GitHub Actions tokens from repositories of other owners (same, similar and forked names), pull_request runs, callers of your reusable workflows, reusable workflows you do not control, and tokens from an issuer the attacker runs when the issuer is a pattern. The message names the identity that gets in. Any write permission makes it an error; read-only exposure is a warning.",
		Fix:       "Apply the narrowest fix the message names: anchor the owner (repo:acme/app:…), name the issuer exactly, name the branch instead of matching pull requests, or pin claim_pattern repository_owner_id / job_workflow_ref.",
		Bad:       "issuer: https://token.actions.githubusercontent.com\nsubject_pattern: .*:ref:refs/heads/main\npermissions:\n  contents: write\n",
		Good:      "issuer: https://token.actions.githubusercontent.com\nsubject: repo:acme/app:ref:refs/heads/main\npermissions:\n  contents: write\n"},
	{ID: "broad-pattern", Severity: SevWarning,
		Summary:   "A subject or claim pattern admits any subject, any repository or any branch.",
		Rationale: "`repo:acme/.*` lets every repository of the org, every branch and every pull request get the token.",
		Fix:       "Name the repository and ref exactly, or pin `job_workflow_ref` in claim_pattern to a reviewed workflow.",
		Bad:       "issuer: https://token.actions.githubusercontent.com\nsubject_pattern: repo:acme/.*\n",
		Good:      "issuer: https://token.actions.githubusercontent.com\nsubject: repo:acme/app:ref:refs/heads/main\n"},
	{ID: "pull-request-write", Severity: SevWarning,
		Summary:   "A `pull_request` subject is granted write permissions.",
		Rationale: "Pull-request runs execute code from the pull request; anyone who can open one can use the token.",
		Fix:       "Grant write only to default-branch or environment subjects; give pull_request subjects read permissions.",
		Bad:       "issuer: https://token.actions.githubusercontent.com\nsubject: repo:acme/app:pull_request\npermissions:\n  contents: write\n",
		Good:      "issuer: https://token.actions.githubusercontent.com\nsubject: repo:acme/app:pull_request\npermissions:\n  contents: read\n"},
	{ID: "org-write-all-repositories", Severity: SevWarning,
		Summary:   "An org policy grants write permissions without `repositories`.",
		Rationale: "Without `repositories` (or with an empty list) the token covers every repository the App can access in the org.",
		Fix:       "List the repositories the workload needs.",
		Path:      ".github/chainguard/example.sts.yaml", Repository: "acme/.github",
		Bad:  "issuer: https://token.actions.githubusercontent.com\nsubject: repo:acme/app:ref:refs/heads/main\npermissions:\n  issues: write\n",
		Good: "issuer: https://token.actions.githubusercontent.com\nsubject: repo:acme/app:ref:refs/heads/main\npermissions:\n  issues: write\nrepositories:\n  - app\n"},
	{ID: "issuer-invalid-url", Severity: SevWarning,
		Summary:   "`issuer` is not a valid issuer URL, so the policy can never match.",
		Rationale: "The server refuses tokens whose iss is not an https URL without query, fragment or credentials before reading any policy.",
		Fix:       "Use the issuer exactly as tokens carry it, e.g. https://token.actions.githubusercontent.com.",
		Bad:       "issuer: token.actions.githubusercontent.com\nsubject: repo:acme/app:ref:refs/heads/main\n",
		Good:      "issuer: https://token.actions.githubusercontent.com\nsubject: repo:acme/app:ref:refs/heads/main\n"},
	{ID: "subject-glob", Severity: SevWarning,
		Summary:   "An exact `subject` contains glob or regex characters.",
		Rationale: "`subject` is compared byte for byte; `repo:acme/app:ref:refs/*` only matches that literal string.",
		Fix:       "Use `subject_pattern` with a regular expression, e.g. `repo:acme/app:ref:refs/heads/.+`.",
		Bad:       "issuer: https://token.actions.githubusercontent.com\nsubject: repo:acme/app:ref:refs/heads/*\n",
		Good:      "issuer: https://token.actions.githubusercontent.com\nsubject_pattern: repo:acme/app:ref:refs/heads/[a-z0-9-]+\n"},
	{ID: "value-never-matches", Severity: SevWarning,
		Summary:   "An exact subject or audience contains characters the server refuses in tokens.",
		Rationale: "The server rejects tokens whose sub or aud contains spaces, quotes, `$`, brackets and the like (audiences also `|` and `@`) before matching, so this value can never match.",
		Fix:       "Rename the environment or branch so the token's subject has no such characters.",
		Bad:       "issuer: https://token.actions.githubusercontent.com\nsubject: repo:acme/app:environment:prod east\n",
		Good:      "issuer: https://token.actions.githubusercontent.com\nsubject: repo:acme/app:environment:prod-east\n"},
	{ID: "pattern-anchor", Server: policy.Legacy, Severity: SevWarning,
		Summary:   "A pattern starts with a quantifier or ends with a backslash, which binds to the server's added ^ or $.",
		Rationale: "The server builds \"^\" + p + \"$\": `*` alone matches everything; a trailing `\\` escapes the `$` so the pattern never matches what was meant.",
		Fix:       "Write the pattern so it stands alone, e.g. `.*` instead of `*`; do not end it with `\\`.",
		Bad:       "issuer: https://token.actions.githubusercontent.com\nsubject_pattern: \"*:ref:refs/heads/main\"\n",
		Good:      "issuer: https://token.actions.githubusercontent.com\nsubject_pattern: repo:acme/app:ref:refs/heads/main\n"},
	{ID: "trailing-newline", Severity: SevWarning,
		Summary:   "A block scalar (`|`, `>`) keeps a trailing newline in the value.",
		Rationale: "Tokens never contain a newline, so the value can never match.",
		Fix:       "Use a plain or quoted scalar, or `|-` / `>-` to strip the newline.",
		Bad:       "issuer: https://token.actions.githubusercontent.com\nsubject: |\n  repo:acme/app:ref:refs/heads/main\n",
		Good:      "issuer: https://token.actions.githubusercontent.com\nsubject: repo:acme/app:ref:refs/heads/main\n"},
	{ID: "claim-not-matchable", Severity: SevWarning,
		Summary:   "A claim_pattern key names a claim the server can never match.",
		Rationale: "Only top-level string or boolean claims are compared: `exp`, `iat` and `nbf` are numbers, and a dotted or slashed name such as `kubernetes.io/namespace` is not how nested claims are reached.",
		Fix:       "Match a top-level string claim (e.g. `sub`, `job_workflow_ref`, `repository`).",
		Bad:       "issuer: https://token.actions.githubusercontent.com\nsubject: repo:acme/app:ref:refs/heads/main\nclaim_pattern:\n  exp: \"[0-9]+\"\n",
		Good:      "issuer: https://token.actions.githubusercontent.com\nsubject: repo:acme/app:ref:refs/heads/main\nclaim_pattern:\n  job_workflow_ref: acme/app/\\.github/workflows/release\\.yaml@refs/heads/main\n"},
	{ID: "key-case", Severity: SevWarning,
		Summary:   "A key differs from its canonical spelling only in case.",
		Rationale: "The server matches keys case-insensitively, but editors' schemas, reviewers and other tools do not; when two spellings are present one silently wins.",
		Fix:       "Use the canonical lower-case spelling the message names.",
		Bad:       "Issuer: https://token.actions.githubusercontent.com\nsubject: repo:acme/app:ref:refs/heads/main\n",
		Good:      "issuer: https://token.actions.githubusercontent.com\nsubject: repo:acme/app:ref:refs/heads/main\n"},
	{ID: "yaml11-scalar", Severity: SevWarning,
		Summary:   "An unquoted scalar is silently rewritten by the server's YAML 1.1 parser.",
		Rationale: "`yes`/`no`/`on`/`off` become \"true\"/\"false\", `0777` becomes \"511\", `1.10` becomes \"1.1\", `~` becomes empty.",
		Fix:       "Write the value the server actually uses, quoted: `ref_protected: \"true\"` for `yes`, `run_attempt: \"1\"` for `01`. That keeps what the policy matches today (GitHub sends \"true\" and \"1\"); quoting the original text (`\"yes\"`, `\"01\"`) would make it never match.",
		Bad:       "issuer: https://token.actions.githubusercontent.com\nsubject: repo:acme/app:ref:refs/heads/main\nclaim_pattern:\n  run_attempt: 01\n",
		Good:      "issuer: https://token.actions.githubusercontent.com\nsubject: repo:acme/app:ref:refs/heads/main\nclaim_pattern:\n  run_attempt: \"1\"\n"},
	{ID: "multi-document", Severity: SevWarning,
		Summary:   "The file has more than one YAML document; the server reads only the first.",
		Rationale: "Everything after `---` is ignored, however broad or broken, which misleads reviewers.",
		Fix:       "Keep one document per file; put other policies in their own files.",
		Bad:       "issuer: https://token.actions.githubusercontent.com\nsubject: repo:acme/app:ref:refs/heads/main\n---\nissuer: https://token.actions.githubusercontent.com\nsubject: repo:acme/app:ref:refs/heads/dev\n",
		Good:      "issuer: https://token.actions.githubusercontent.com\nsubject: repo:acme/app:ref:refs/heads/main\n"},
	{ID: "file-not-read", Severity: SevWarning,
		Summary:   "The server never reads this file.",
		Rationale: "Policies are read from exactly `.github/chainguard/<identity>.sts.yaml` (not `.sts.yml`, not sub-directories), and the allowlist only from the org policy repository.",
		Fix:       "Rename or move the file to `.github/chainguard/<identity>.sts.yaml` (the allowlist to `<org>/.github`).",
		Path:      ".github/chainguard/deploy.sts.yml",
		Bad:       "issuer: https://token.actions.githubusercontent.com\nsubject: repo:acme/app:ref:refs/heads/main\n",
		Good:      ""},
	{ID: "empty-value", Severity: SevNotice,
		Summary:   "An empty or null value is treated as unset.",
		Rationale: "The server treats \"\" and null like a missing field, which may not be what the author meant.",
		Fix:       "Remove the key, or give it a value.",
		Bad:       "issuer: https://token.actions.githubusercontent.com\nsubject: repo:acme/app:ref:refs/heads/main\naudience: \"\"\n",
		Good:      "issuer: https://token.actions.githubusercontent.com\nsubject: repo:acme/app:ref:refs/heads/main\n"},
	{ID: "schema", Severity: SevWarning,
		Summary:   "The policy does not satisfy the published JSON schema.",
		Rationale: "The schema is stricter than the server in places editors can check while typing.",
		Fix:       "Follow the message; the schema is in schema/ and can be wired into editors.",
		Bad:       "", Good: ""},
	// --- workflow cross-check (internal/workflow): the repository's workflows against its policies ---
	{ID: "workflow-id-token", Severity: SevError,
		Summary:   "A job runs octo-sts/action but does not grant `permissions: id-token: write`.",
		Rationale: "Without it the runner gives the job no ACTIONS_ID_TOKEN_REQUEST_URL, so the step cannot request an OIDC token and fails before reaching Octo STS. A job's permissions replace the workflow's, and the default token permissions never include id-token.",
		Fix:       "Add `id-token: write` to the job's (or the workflow's) `permissions:`; for a reusable workflow, to the calling job's."},
	{ID: "workflow-policy-missing", Severity: SevError,
		Summary:   "A step's identity has no trust policy file in the scope's repository.",
		Rationale: "The server reads exactly `.github/chainguard/<identity>.sts.yaml` of the scope (the org policy repository for an org scope); when it is absent every exchange fails with 404.",
		Fix:       "Create the policy, or correct the step's `identity` (or `scope`)."},
	{ID: "workflow-policy-not-checked", Severity: SevNotice,
		Summary:   "A step's token could not be checked before the run.",
		Rationale: "The policy lives in another repository and no GitHub token was available to read it, or the scope, identity, domain or audience is an expression only the run can resolve.",
		Fix:       "Give lint a token that can read the policy repository (GITHUB_TOKEN), or use literal inputs; nothing is wrong otherwise."},
	{ID: "workflow-no-token", Severity: SevError,
		Summary:   "No trigger of the workflow can get a token from the step's policy.",
		Rationale: "Every simulated run (each push branch and tag filter, pull requests, dispatch, schedule, environments, reusable-workflow callers) presents claims the server refuses, so the step always fails with 403.",
		Fix:       "Change the policy's subject or claim patterns to the subjects listed, or the workflow's triggers or environment; `octo-sts check --workflow FILE` shows every run."},
	{ID: "workflow-run-denied", Severity: SevNotice,
		Summary:   "One trigger of a workflow gets no token, while others do.",
		Rationale: "Often intended (pull requests kept out of a release policy), sometimes a forgotten branch or tag filter.",
		Fix:       "Nothing if intended; otherwise widen the policy to the subject shown, or drop the trigger."},
	{ID: "workflow-immutable-subject", Severity: SevWarning,
		Summary:   "The policy only accepts classic subjects; it stops matching when GitHub switches the repository to immutable subjects.",
		Rationale: "Repositories created, renamed or transferred after 2026-07-15 get immutable subjects (`repo:OWNER@OWNER_ID/REPO@REPO_ID:…`); a policy that names only `repo:OWNER/REPO:…` then refuses every exchange.",
		Fix:       "Accept both forms during the transition, e.g. `repo:acme(@123)?/app(@456)?:ref:refs/heads/main` (`octo-sts init policy --transitional` writes it), then only the immutable one."},
	{ID: "workflow-generation-split", Severity: SevWarning,
		Summary:   "A trigger gets a token from one server generation and not from the other.",
		Rationale: "The hosted Octo STS is deployed by hand and may run either generation; usually a top-level `|` in a pattern that legacy servers only half-anchor (docs/server.md).",
		Fix:       "Wrap alternations in a group, `(?:a|b)`, which means the same under both generations, and match exactly the subjects the workflow sends."},
	{ID: "workflow-policy-unused", Severity: SevNotice,
		Summary:   "No workflow of this repository exchanges a token with this policy.",
		Rationale: "A stale policy keeps granting access nobody uses; workflows in other repositories may still use it, so this is only a notice.",
		Fix:       "Delete the policy if nothing uses it."},
}

// serverAnswer quotes the exchange's answer for code c (status and message, for an example
// identity) from the server model, so the rule docs never restate a server message.
func serverAnswer(c policy.Code) string {
	a := policy.ExchangeAnswer(policy.Legacy, c, "<identity>")
	return fmt.Sprintf("%d `%s`", a.Status, a.Message)
}

func repeatLines(format string, n int) string {
	out := make([]byte, 0, n*len(format))
	for i := 1; i <= n; i++ {
		if containsVerb(format) {
			out = append(out, sprintf(format, i)...)
		} else {
			out = append(out, format...)
		}
	}
	return string(out)
}

// ruleByID indexes Rules; TestRuleIDConstants and the f.add source scan keep every ID registered.
var ruleByID = func() map[string]*Rule {
	m := make(map[string]*Rule, len(Rules))
	for _, r := range Rules {
		if m[r.ID] != nil {
			panic("lint: duplicate rule " + r.ID)
		}
		m[r.ID] = r
		r.Class = ruleClasses[r.ID]
	}
	return m
}()

// RuleByID returns the registered rule, or nil.
func RuleByID(id string) *Rule { return ruleByID[id] }

func containsVerb(s string) bool { return strings.Contains(s, "%d") }

func sprintf(format string, i int) string { return fmt.Sprintf(format, i) }
