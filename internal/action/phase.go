package action

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
)

// The post step is recognised by two signals the main step leaves, not by an environment
// variable alone: STATE_phase plus STATE_nonce (the runner turns main's GITHUB_STATE entries into
// STATE_* for the post step), and a marker file named by that nonce that main wrote into the
// file-commands directory (the directory of GITHUB_STATE, /github/file_commands in a container,
// which the runner keeps for the whole job). An earlier step can put STATE_* into later steps'
// environment through GITHUB_ENV; it cannot make the marker appear by doing so.
const (
	stateNonce   = "nonce"
	markerPrefix = "octo-sts-post-"
)

var nonceRE = regexp.MustCompile(`^[0-9a-f]{32}$`)

// phase is what the process must do.
type phase int

const (
	phaseMain phase = iota
	phasePost
)

// errPhase is a disagreement between the signals: refuse to run as either step, because acting
// as post would revoke (or exit 0 over) whatever STATE_token an earlier step planted, and acting
// as main would mint a token a forged post could never revoke.
var errPhase = errors.New("octo-sts cannot tell whether this is the main or the post step")

func markerPath(getenv func(string) string, nonce string) string {
	return filepath.Join(filepath.Dir(getenv("GITHUB_STATE")), markerPrefix+nonce)
}

func markerContent(nonce string) []byte { return []byte("octo-sts main step " + nonce + "\n") }

// detectPhase decides main or post. With no STATE_phase and no STATE_nonce it is main; with both,
// a well-formed nonce and its marker it is post (the marker is removed so it works once); any
// other combination is errPhase, with what was seen.
func detectPhase(getenv func(string) string) (phase, error) {
	ph, nonce := getenv("STATE_"+statePhase), getenv("STATE_"+stateNonce)
	if ph == "" && nonce == "" {
		return phaseMain, nil
	}
	why := ""
	switch {
	case ph != "main":
		why = "STATE_phase is not set to what this action's main step writes"
	case !nonceRE.MatchString(nonce):
		why = "STATE_nonce is missing or malformed"
	case getenv("GITHUB_STATE") == "":
		why = "GITHUB_STATE is not set, so the main step's marker cannot be found"
	default:
		p := markerPath(getenv, nonce)
		b, err := os.ReadFile(p)
		if err != nil || subtle.ConstantTimeCompare(b, markerContent(nonce)) != 1 {
			why = "the marker file the main step writes next to GITHUB_STATE is missing or wrong"
			break
		}
		_ = os.Remove(p)
		return phasePost, nil
	}
	return phaseMain, fmt.Errorf("%w: STATE_phase or STATE_nonce is present but %s. An earlier step probably set STATE_* variables through GITHUB_ENV (never export STATE_ names); the step refuses to run rather than act on a token it did not mint", errPhase, why)
}

// markMain records, before anything can fail, that this is the main step: the marker file first,
// then the state entries, so a post step never sees state without its marker.
func (rt *Runtime) markMain() error {
	if rt.Getenv("GITHUB_STATE") == "" {
		return errors.New("GITHUB_STATE is not set")
	}
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return err
	}
	nonce := hex.EncodeToString(b)
	if err := os.WriteFile(markerPath(rt.Getenv, nonce), markerContent(nonce), 0o600); err != nil {
		return fmt.Errorf("writing the post-step marker: %w", err)
	}
	if err := rt.saveState(stateNonce, nonce); err != nil {
		return err
	}
	return rt.saveState(statePhase, "main")
}
