package main

import (
	"fmt"
	"runtime"

	"github.com/spf13/cobra"
)

// Set at build time: go build -ldflags "-X main.version=v1.2.3 -X main.commit=abc123".
var (
	version = "dev"
	commit  = "none"
)

func newVersionCmd(f *Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print kite's version, commit and Go version",
		Example: `  kite version
  kite version -o json --jq .version`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if f.Global.Output == "" && f.Global.JQ == "" {
				_, err := fmt.Fprintf(f.IO.Out, "kite %s (commit %s, %s %s/%s)\n", version, commit, runtime.Version(), runtime.GOOS, runtime.GOARCH)
				return err
			}
			return f.Printer().Print(struct {
				Version string `json:"version"`
				Commit  string `json:"commit"`
				Go      string `json:"go"`
				OS      string `json:"os"`
				Arch    string `json:"arch"`
			}{version, commit, runtime.Version(), runtime.GOOS, runtime.GOARCH})
		},
	}
}
