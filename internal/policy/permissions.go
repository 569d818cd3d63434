// Mirrors github.com/google/go-github/v88 github/apps.go InstallationPermissions, the struct
// pkg/octosts/trust_policy.go (cb87fc17675a32a661268c2deafc8eb32b52dbf6) decodes `permissions`
// into; unchanged in the current generation. Spec §3.6 lists the same 75 names.

package policy

// Permissions mirrors the shape of go-github v88 InstallationPermissions that the server decodes into, so
// strict decoding accepts and rejects exactly the keys the server does (75 names, values unchecked).
type Permissions struct {
	Actions                                 *string `json:"actions,omitempty"`
	ActionsVariables                        *string `json:"actions_variables,omitempty"`
	Administration                          *string `json:"administration,omitempty"`
	Attestations                            *string `json:"attestations,omitempty"`
	Blocking                                *string `json:"blocking,omitempty"`
	Checks                                  *string `json:"checks,omitempty"`
	Codespaces                              *string `json:"codespaces,omitempty"`
	CodespacesLifecycleAdmin                *string `json:"codespaces_lifecycle_admin,omitempty"`
	CodespacesMetadata                      *string `json:"codespaces_metadata,omitempty"`
	CodespacesSecrets                       *string `json:"codespaces_secrets,omitempty"`
	CodespacesUserSecrets                   *string `json:"codespaces_user_secrets,omitempty"`
	Contents                                *string `json:"contents,omitempty"`
	ContentReferences                       *string `json:"content_references,omitempty"`
	CopilotMessages                         *string `json:"copilot_messages,omitempty"`
	DependabotSecrets                       *string `json:"dependabot_secrets,omitempty"`
	Deployments                             *string `json:"deployments,omitempty"`
	Discussions                             *string `json:"discussions,omitempty"`
	Emails                                  *string `json:"emails,omitempty"`
	Environments                            *string `json:"environments,omitempty"`
	Followers                               *string `json:"followers,omitempty"`
	Gists                                   *string `json:"gists,omitempty"`
	GitSigningSshPublicKeys                 *string `json:"git_signing_ssh_public_keys,omitempty"`
	GpgKeys                                 *string `json:"gpg_keys,omitempty"`
	InteractionLimits                       *string `json:"interaction_limits,omitempty"`
	Issues                                  *string `json:"issues,omitempty"`
	Keys                                    *string `json:"keys,omitempty"`
	Metadata                                *string `json:"metadata,omitempty"`
	Members                                 *string `json:"members,omitempty"`
	MergeQueues                             *string `json:"merge_queues,omitempty"`
	OrganizationActionsVariables            *string `json:"organization_actions_variables,omitempty"`
	OrganizationAdministration              *string `json:"organization_administration,omitempty"`
	OrganizationAnnouncementBanners         *string `json:"organization_announcement_banners,omitempty"`
	OrganizationApiInsights                 *string `json:"organization_api_insights,omitempty"`
	OrganizationCodespaces                  *string `json:"organization_codespaces,omitempty"`
	OrganizationCodespacesSecrets           *string `json:"organization_codespaces_secrets,omitempty"`
	OrganizationCodespacesSettings          *string `json:"organization_codespaces_settings,omitempty"`
	OrganizationCopilotMetrics              *string `json:"organization_copilot_metrics,omitempty"`
	OrganizationCopilotSeatManagement       *string `json:"organization_copilot_seat_management,omitempty"`
	OrganizationCustomProperties            *string `json:"organization_custom_properties,omitempty"`
	OrganizationCustomRoles                 *string `json:"organization_custom_roles,omitempty"`
	OrganizationCustomOrgRoles              *string `json:"organization_custom_org_roles,omitempty"`
	OrganizationDependabotSecrets           *string `json:"organization_dependabot_secrets,omitempty"`
	OrganizationEvents                      *string `json:"organization_events,omitempty"`
	OrganizationHooks                       *string `json:"organization_hooks,omitempty"`
	OrganizationKnowledgeBases              *string `json:"organization_knowledge_bases,omitempty"`
	OrganizationPackages                    *string `json:"organization_packages,omitempty"`
	OrganizationPersonalAccessTokens        *string `json:"organization_personal_access_tokens,omitempty"`
	OrganizationPersonalAccessTokenRequests *string `json:"organization_personal_access_token_requests,omitempty"`
	OrganizationPlan                        *string `json:"organization_plan,omitempty"`
	OrganizationPreReceiveHooks             *string `json:"organization_pre_receive_hooks,omitempty"`
	OrganizationProjects                    *string `json:"organization_projects,omitempty"`
	OrganizationSecrets                     *string `json:"organization_secrets,omitempty"`
	OrganizationSelfHostedRunners           *string `json:"organization_self_hosted_runners,omitempty"`
	OrganizationUserBlocking                *string `json:"organization_user_blocking,omitempty"`
	Packages                                *string `json:"packages,omitempty"`
	Pages                                   *string `json:"pages,omitempty"`
	Plan                                    *string `json:"plan,omitempty"`
	Profile                                 *string `json:"profile,omitempty"`
	PullRequests                            *string `json:"pull_requests,omitempty"`
	RepositoryAdvisories                    *string `json:"repository_advisories,omitempty"`
	RepositoryCustomProperties              *string `json:"repository_custom_properties,omitempty"`
	RepositoryHooks                         *string `json:"repository_hooks,omitempty"`
	RepositoryProjects                      *string `json:"repository_projects,omitempty"`
	RepositoryPreReceiveHooks               *string `json:"repository_pre_receive_hooks,omitempty"`
	Secrets                                 *string `json:"secrets,omitempty"`
	SecretScanningAlerts                    *string `json:"secret_scanning_alerts,omitempty"`
	SecurityEvents                          *string `json:"security_events,omitempty"`
	SingleFile                              *string `json:"single_file,omitempty"`
	Starring                                *string `json:"starring,omitempty"`
	Statuses                                *string `json:"statuses,omitempty"`
	TeamDiscussions                         *string `json:"team_discussions,omitempty"`
	UserEvents                              *string `json:"user_events,omitempty"`
	VulnerabilityAlerts                     *string `json:"vulnerability_alerts,omitempty"`
	Watching                                *string `json:"watching,omitempty"`
	Workflows                               *string `json:"workflows,omitempty"`
}

// PermissionNames lists the accepted permission keys in the server's order, for schemas, hints and suggestions.
var PermissionNames = []string{
	"actions",
	"actions_variables",
	"administration",
	"attestations",
	"blocking",
	"checks",
	"codespaces",
	"codespaces_lifecycle_admin",
	"codespaces_metadata",
	"codespaces_secrets",
	"codespaces_user_secrets",
	"contents",
	"content_references",
	"copilot_messages",
	"dependabot_secrets",
	"deployments",
	"discussions",
	"emails",
	"environments",
	"followers",
	"gists",
	"git_signing_ssh_public_keys",
	"gpg_keys",
	"interaction_limits",
	"issues",
	"keys",
	"metadata",
	"members",
	"merge_queues",
	"organization_actions_variables",
	"organization_administration",
	"organization_announcement_banners",
	"organization_api_insights",
	"organization_codespaces",
	"organization_codespaces_secrets",
	"organization_codespaces_settings",
	"organization_copilot_metrics",
	"organization_copilot_seat_management",
	"organization_custom_properties",
	"organization_custom_roles",
	"organization_custom_org_roles",
	"organization_dependabot_secrets",
	"organization_events",
	"organization_hooks",
	"organization_knowledge_bases",
	"organization_packages",
	"organization_personal_access_tokens",
	"organization_personal_access_token_requests",
	"organization_plan",
	"organization_pre_receive_hooks",
	"organization_projects",
	"organization_secrets",
	"organization_self_hosted_runners",
	"organization_user_blocking",
	"packages",
	"pages",
	"plan",
	"profile",
	"pull_requests",
	"repository_advisories",
	"repository_custom_properties",
	"repository_hooks",
	"repository_projects",
	"repository_pre_receive_hooks",
	"secrets",
	"secret_scanning_alerts",
	"security_events",
	"single_file",
	"starring",
	"statuses",
	"team_discussions",
	"user_events",
	"vulnerability_alerts",
	"watching",
	"workflows",
}
