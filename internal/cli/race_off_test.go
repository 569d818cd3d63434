//go:build !race

package cli

// raceEnabled relaxes memory goals: the race detector multiplies memory use.
const raceEnabled = false
