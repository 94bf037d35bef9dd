package main

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// Set at build time: go build -ldflags "-X main.version=v1.2.3 -X main.commit=abc123".
// Left empty, they are filled from the build info the Go toolchain embeds
// (see buildVersion), so a clone build and `go install` both say what they are.
var (
	version = ""
	commit  = ""
)

// versionInfo is what `kite version` and `kite --version` report.
type versionInfo struct {
	Version string `json:"version"`
	Commit  string `json:"commit"`
	Go      string `json:"go"`
	OS      string `json:"os"`
	Arch    string `json:"arch"`
}

// buildVersion resolves the version and commit: -ldflags -X values win; else
// the main module's version from the build info (a pseudo-version for a
// clone build since Go 1.24, vX.Y.Z for `go install module@vX.Y.Z`), and vcs.revision (shortened
// to 12 hex digits, "+dirty" when vcs.modified) for a build with VCS stamping.
// A build without either (-buildvcs=false, no build info) says "(devel)" and
// "unknown" rather than failing.
func buildVersion(ldVersion, ldCommit string, bi *debug.BuildInfo, ok bool) (string, string) {
	v, c := ldVersion, ldCommit
	if ok && bi != nil {
		if v == "" {
			v = bi.Main.Version
		}
		if c == "" {
			var rev string
			var dirty bool
			for _, s := range bi.Settings {
				switch s.Key {
				case "vcs.revision":
					rev = s.Value
				case "vcs.modified":
					dirty = s.Value == "true"
				}
			}
			if len(rev) > 12 {
				rev = rev[:12]
			}
			if rev != "" && dirty {
				rev += "+dirty"
			}
			c = rev
		}
	}
	if v == "" {
		v = "(devel)"
	}
	if c == "" {
		c = "unknown"
	}
	return v, c
}

func currentVersion() versionInfo {
	bi, ok := debug.ReadBuildInfo()
	v, c := buildVersion(version, commit, bi, ok)
	return versionInfo{v, c, runtime.Version(), runtime.GOOS, runtime.GOARCH}
}

// String is the one-line form shared by `kite version` and `kite --version`.
func (v versionInfo) String() string {
	return fmt.Sprintf("kite %s (commit %s, %s %s/%s)", v.Version, v.Commit, v.Go, v.OS, v.Arch)
}

type versionOptions struct {
	cmdDeps
	// Version is what this build is (currentVersion).
	Version func() versionInfo
}

func newVersionCmd(f *Factory, runF func(*versionOptions) error) *cobra.Command {
	opts := &versionOptions{cmdDeps: f.deps(), Version: currentVersion}
	return &cobra.Command{
		Use:   "version",
		Short: "Print kite's version, commit and Go version",
		Long: `Print kite's version, the VCS commit it was built from, and the Go version.

The version and commit come from the build info Go embeds: a build in a git
clone shows the tag or a pseudo-version and the short commit (with "+dirty"
for uncommitted changes); "go install module@vX.Y.Z" shows vX.Y.Z. A build
without VCS stamping (-buildvcs=false, or a git worktree, which Go does not
stamp) shows "(devel)" and commit "unknown". Values given with
-ldflags "-X main.version=... -X main.commit=..." take precedence.`,
		Example: `  kite version
  kite --version
  kite version -o json --jq .commit`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return runVersion(opts)
		},
	}
}

// runVersion prints one line, unless -o or --jq ask for the object.
func runVersion(opts *versionOptions) error {
	v := opts.Version()
	if opts.Global.Output == "" && opts.Global.JQ == "" {
		_, err := fmt.Fprintln(opts.IO.Out, v.String())
		return err
	}
	return opts.Printer().Print(v)
}
