// Package mangen writes man pages for a cobra command tree.
//
// cobra/doc renders help through Markdown, which drops anything that looks
// like an HTML tag (<profile>, <a fresh access token>) and fills every line
// into running text, so aligned lists and examples come out joined. Here
// help text is written to roff directly: prose paragraphs are filled, any
// indented line keeps its line and its indentation, and nothing is taken
// for markup.
package mangen

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/kitecli/kite/internal/reference"
)

// Header is the page's .TH line.
type Header struct {
	Section string // "1"
	Date    time.Time
	Source  string // "kite"
	Manual  string // "kite manual"
}

// Section is an extra section, its body already roff.
type Section struct{ Name, Body string }

// Tree returns every available command's page by file name (kite.1,
// kite-orders-place.1, …). extra sections go on the root's page only.
func Tree(root *cobra.Command, h Header, extra []Section) map[string][]byte {
	out := map[string][]byte{}
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if !c.IsAvailableCommand() && c != root || c.IsAdditionalHelpTopicCommand() {
			return
		}
		var ex []Section
		if c == root {
			ex = extra
		}
		out[pageName(c)+"."+h.Section] = Page(c, h, ex)
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	return out
}

func pageName(c *cobra.Command) string { return strings.ReplaceAll(c.CommandPath(), " ", "-") }

// Page is one command's man page.
func Page(c *cobra.Command, h Header, extra []Section) []byte {
	var b bytes.Buffer
	name := pageName(c)
	fmt.Fprintf(&b, ".nh\n.TH %q %q %q %q %q\n", strings.ToUpper(name), h.Section, h.Date.Format("Jan 2006"), h.Source, h.Manual)
	b.WriteString(".SH NAME\n" + reference.RoffEscape(name) + " \\- " + reference.RoffEscape(c.Short) + "\n")
	b.WriteString(".SH SYNOPSIS\n.B " + reference.RoffEscape(c.UseLine()) + "\n")
	long := c.Long
	if long == "" {
		long = c.Short
	}
	b.WriteString(".SH DESCRIPTION\n" + Text(long))
	if fl := flagsRoff(c.NonInheritedFlags()); fl != "" {
		b.WriteString(".SH OPTIONS\n" + fl)
	}
	if fl := flagsRoff(c.InheritedFlags()); fl != "" {
		b.WriteString(".SH OPTIONS INHERITED FROM PARENT COMMANDS\n" + fl)
	}
	if c.Example != "" {
		b.WriteString(".SH EXAMPLES\n" + Text(c.Example))
	}
	for _, s := range extra {
		b.WriteString(".SH " + s.Name + "\n" + s.Body)
	}
	var see []string
	if c.HasParent() {
		see = append(see, pageName(c.Parent()))
	}
	for _, sub := range c.Commands() {
		if sub.IsAvailableCommand() && !sub.IsAdditionalHelpTopicCommand() {
			see = append(see, pageName(sub))
		}
	}
	if len(see) > 0 {
		b.WriteString(".SH SEE ALSO\n")
		for i, s := range see {
			sep := ","
			if i == len(see)-1 {
				sep = ""
			}
			fmt.Fprintf(&b, ".BR %s (%s)%s\n", reference.RoffEscape(s), h.Section, sep)
		}
	}
	return b.Bytes()
}

// Text turns help text into roff. Paragraphs are separated by blank lines;
// within one, lines that start at the margin are filled, and indented lines
// (lists, tables, commands) are set as they are, one per line.
func Text(s string) string {
	var b strings.Builder
	for _, para := range strings.Split(strings.TrimSpace(s), "\n\n") {
		if strings.TrimSpace(para) == "" {
			continue
		}
		b.WriteString(".PP\n")
		nofill := false
		for _, line := range strings.Split(para, "\n") {
			indented := strings.HasPrefix(line, " ") || strings.HasPrefix(line, "\t")
			switch {
			case indented && !nofill:
				b.WriteString(".nf\n")
				nofill = true
			case !indented && nofill:
				b.WriteString(".fi\n")
				nofill = false
			}
			esc := reference.RoffEscape(strings.TrimRight(line, " \t"))
			if esc == "" {
				esc = `\&`
			}
			b.WriteString(reference.GuardLine(esc) + "\n")
		}
		if nofill {
			b.WriteString(".fi\n")
		}
	}
	return b.String()
}

// flagsRoff lists flags as tagged paragraphs: -s, --name type, then the
// usage and the default.
func flagsRoff(fs *pflag.FlagSet) string {
	var b strings.Builder
	fs.VisitAll(func(f *pflag.Flag) {
		if f.Hidden {
			return
		}
		typ, usage := pflag.UnquoteUsage(f)
		tag := `\fB\-\-` + reference.RoffEscape(f.Name) + `\fR`
		if f.Shorthand != "" && f.ShorthandDeprecated == "" {
			tag = `\fB\-` + reference.RoffEscape(f.Shorthand) + `\fR, ` + tag
		}
		if typ != "" {
			tag += ` \fI` + reference.RoffEscape(typ) + `\fR`
		}
		if def := defaultOf(f); def != "" {
			usage += " (default " + def + ")"
		}
		b.WriteString(".TP\n" + tag + "\n" + reference.GuardLine(reference.RoffEscape(usage)) + "\n")
	})
	return b.String()
}

// defaultOf is a flag's default worth showing: not the zero value.
func defaultOf(f *pflag.Flag) string {
	switch f.DefValue {
	case "", "0", "false", "[]", "0s":
		return ""
	}
	if f.Value.Type() == "string" {
		return fmt.Sprintf("%q", f.DefValue)
	}
	return f.DefValue
}
