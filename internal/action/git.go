package action

import (
	"encoding/base64"
	"fmt"
	"net/url"
	"strconv"
)

// maxGitConfigCount bounds a GIT_CONFIG_COUNT inherited from earlier steps; git itself accepts
// any count, but a huge one is a broken environment, not configuration to extend.
const maxGitConfigCount = 1000

// gitServerURL is the origin git credentials are scoped to: GITHUB_SERVER_URL (GHES included),
// reduced to scheme://host[:port]/ so the header is sent to that server and nowhere else.
func gitServerURL(raw string) (string, error) {
	if raw == "" {
		raw = "https://github.com"
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil {
		return "", fmt.Errorf("GITHUB_SERVER_URL %q is not an http(s) server URL like https://github.com", raw)
	}
	return u.Scheme + "://" + u.Host + "/", nil
}

// gitAuthHeader is the extraheader value git sends: HTTP basic with GitHub's x-access-token user.
func gitAuthHeader(token string) (header, credential string) {
	credential = base64.StdEncoding.EncodeToString([]byte("x-access-token:" + token))
	return "AUTHORIZATION: basic " + credential, credential
}

// configureGit makes later steps' git authenticate to the server with the token, through
// GIT_CONFIG_COUNT/KEY_n/VALUE_n in GITHUB_ENV: nothing is written to disk or to .git/config. An
// existing GIT_CONFIG_COUNT is extended, never replaced. It saves the slot so the post step can
// clear it.
func (rt *Runtime) configureGit(token string) (string, error) {
	server, err := gitServerURL(rt.Getenv("GITHUB_SERVER_URL"))
	if err != nil {
		return "", err
	}
	n := 0
	if c := rt.Getenv("GIT_CONFIG_COUNT"); c != "" {
		n, err = strconv.Atoi(c)
		if err != nil || n < 0 || n > maxGitConfigCount {
			return "", fmt.Errorf("GIT_CONFIG_COUNT %q from an earlier step is not a count git accepts; fix or unset it", c)
		}
	}
	header, credential := gitAuthHeader(token)
	rt.Mask(credential) // the encoded form is as good as the token
	slot := strconv.Itoa(n)
	for _, kv := range [][2]string{
		{"GIT_CONFIG_KEY_" + slot, "http." + server + ".extraheader"},
		{"GIT_CONFIG_VALUE_" + slot, header},
		{"GIT_CONFIG_COUNT", strconv.Itoa(n + 1)},
	} {
		if err := rt.setEnv(kv[0], kv[1]); err != nil {
			return "", err
		}
	}
	if err := rt.saveState("git-config-slot", slot); err != nil {
		return "", err
	}
	return server, nil
}

// clearedGitKey replaces the credential's slot: a harmless key in the action's own section, so
// the slot numbering later steps may have extended stays valid.
const clearedGitKey = "octo-sts.cleared"

// unconfigureGit is the post step's half: it overwrites the slot the main step used, so steps
// after this one (other actions' post steps) no longer send the revoked credential.
func (rt *Runtime) unconfigureGit() error {
	slot := rt.Getenv("STATE_git-config-slot")
	if slot == "" {
		return nil
	}
	if n, err := strconv.Atoi(slot); err != nil || n < 0 || n > maxGitConfigCount {
		return fmt.Errorf("saved git config slot %q is not a number", slot)
	}
	if err := rt.setEnv("GIT_CONFIG_KEY_"+slot, clearedGitKey); err != nil {
		return err
	}
	return rt.setEnv("GIT_CONFIG_VALUE_"+slot, "true")
}
