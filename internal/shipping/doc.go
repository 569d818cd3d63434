// Package shipping holds the tests of the repository as it ships to users: the v1 contract of
// the official octo-sts/action (same inputs, same outputs, same log lines) for the binary and the
// portable entry point, no file naming the project's old home, and every workflow and action
// file pinning what it runs. It has no code of its own: what it checks lives elsewhere.
package shipping
