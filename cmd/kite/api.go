package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/kitecli/kite/internal/exitcode"
	"github.com/kitecli/kite/pkg/kite"
	"github.com/spf13/cobra"
)

type apiOptions struct {
	cmdDeps

	Method string
	Path   string
	Fields []string
	Input  string
}

func newAPICmd(f *Factory, runF func(*apiOptions) error) *cobra.Command {
	opts := &apiOptions{cmdDeps: f.deps()}
	cmd := &cobra.Command{
		Use:   "api METHOD PATH",
		Short: "Make an authenticated Kite API request and print its data",
		Long: `Send a request to any Kite Connect endpoint with the current session and print
the response's data: the escape hatch for endpoints without a command (the
GTT trigger range, the mutual fund writes).

PATH is the API path (/gtt/triggers, or gtt/triggers: the leading slash is
optional, as in gh api), optionally with a query string. Fields
given with -f key=value are sent as the query of a GET or DELETE and as a
form body otherwise; repeat a key to send a list. --input FILE (- for stdin)
sends the file as the body instead: JSON if it parses as JSON (Kite's margin
and charges calculators take JSON), a form otherwise; -f fields then go in the
query string.

The JSON "data" of the response is printed through the usual output options
(-o, --jq); a CSV endpoint's body is printed as is. Kite's errors exit with
their usual codes. GET requests are retried like every other read; other
methods are sent once.`,
		Example: `  kite api GET /user/profile --jq .user_name
  kite api GET /quote/ltp -f i=NSE:INFY -f i=NSE:SBIN
  kite api GET /instruments/NSE > nse.csv
  kite api GET gtt/triggers
  kite api POST /margins/orders --input basket.json
  kite api DELETE "/gtt/triggers/$(kite gtt --jq '.[0].id')"`,
		Args: exactArgs(2, "a method and a path, e.g. kite api GET /user/profile"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Method, opts.Path = args[0], args[1]
			if runF != nil {
				return runF(opts)
			}
			return runAPI(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringArrayVarP(&opts.Fields, "field", "f", nil, "add a parameter key=value (repeatable)")
	cmd.Flags().StringVar(&opts.Input, "input", "", "send this file as the request body (- for stdin)")
	return cmd
}

// apiRequest is a parsed api invocation.
type apiRequest struct {
	method string
	path   string
	params url.Values
	body   []byte // with --input
}

// parse checks everything about the invocation before any request.
func (o *apiOptions) parse(stdin io.Reader) (apiRequest, error) {
	r := apiRequest{method: strings.ToUpper(o.Method), params: url.Values{}}
	switch r.method {
	case http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete:
	default:
		return r, exitcode.Usagef("unsupported method %q: use GET, POST, PUT or DELETE", o.Method)
	}
	path, query, _ := strings.Cut(o.Path, "?")
	if path == "" || strings.Contains(path, "://") {
		return r, exitcode.Usagef("path %q must be an API path, e.g. /user/profile", o.Path)
	}
	if !strings.HasPrefix(path, "/") {
		path = "/" + path // as gh api does: user/profile means /user/profile
	}
	r.path = path
	if query != "" {
		q, err := url.ParseQuery(query)
		if err != nil {
			return r, exitcode.Usagef("malformed query string in %q: %v", o.Path, err)
		}
		r.params = q
	}
	for _, fl := range o.Fields {
		k, v, ok := strings.Cut(fl, "=")
		if !ok || k == "" {
			return r, exitcode.Usagef("malformed field %q: use -f key=value", fl)
		}
		r.params.Add(k, v)
	}
	if o.Input != "" {
		var err error
		if o.Input == "-" {
			r.body, err = io.ReadAll(stdin)
		} else {
			r.body, err = os.ReadFile(o.Input)
		}
		if errors.Is(err, context.Canceled) {
			return r, err // a signal while waiting for stdin
		}
		if err != nil {
			return r, exitcode.Invalidf("reading --input: %v", err)
		}
		if r.method == http.MethodGet {
			return r, exitcode.Usagef("a GET request has no body: use -f key=value for its parameters")
		}
	}
	return r, nil
}

func runAPI(ctx context.Context, opts *apiOptions) error {
	req, err := opts.parse(opts.IO.Stdin(ctx))
	if err != nil {
		return err
	}
	c, err := opts.Client(ctx)
	if err != nil {
		return err
	}
	var raw []byte
	switch {
	case req.body == nil:
		raw, err = c.DoRaw(ctx, req.method, req.path, req.params)
	case json.Valid(req.body):
		raw, err = sendJSONBody(ctx, c, req)
	default:
		// A form body: Kite's own encoding, so the client sends it.
		form, perr := url.ParseQuery(strings.TrimSpace(string(req.body)))
		if perr != nil {
			return exitcode.Usagef("--input is neither JSON nor a form body (key=value&…): %v", perr)
		}
		for k, vs := range req.params {
			form[k] = append(form[k], vs...)
		}
		raw, err = c.DoRaw(ctx, req.method, req.path, form)
	}
	if err != nil {
		return err
	}
	trimmed := bytes.TrimSpace(raw)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		// Not an envelope: a CSV dump (instruments, MF instruments).
		_, err := opts.IO.Out.Write(raw)
		return err
	}
	var env struct {
		Status    string          `json:"status"`
		Data      json.RawMessage `json:"data"`
		Message   string          `json:"message"`
		ErrorType string          `json:"error_type"`
	}
	if err := json.Unmarshal(trimmed, &env); err != nil {
		return fmt.Errorf("decoding the response of %s %s: %w", req.method, req.path, err)
	}
	if env.Status == "error" {
		if env.ErrorType == "" {
			env.ErrorType = kite.GeneralException
		}
		return &kite.Error{Status: http.StatusOK, ErrorType: env.ErrorType, Message: env.Message}
	}
	if env.Data == nil {
		env.Data = json.RawMessage("null")
	}
	return opts.Printer().Print(env.Data)
}

// sendJSONBody sends a JSON body, which Client.DoRaw (form bodies only)
// cannot. It goes through the client's HTTP client, so --debug tracing and
// redaction apply, and is sent once.
func sendJSONBody(ctx context.Context, c *kite.Client, r apiRequest) ([]byte, error) {
	if err := c.Limits.Wait(ctx, r.method, r.path); err != nil {
		return nil, err
	}
	u := c.BaseURL + r.path
	if len(r.params) > 0 {
		u += "?" + r.params.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, r.method, u, bytes.NewReader(r.body))
	if err != nil {
		return nil, fmt.Errorf("building request %s %s: %w", r.method, r.path, err)
	}
	req.Header.Set("X-Kite-Version", kite.APIVersion)
	req.Header.Set("Content-Type", "application/json")
	if a := c.Credentials.Authorization(); a != "" {
		req.Header.Set("Authorization", a)
	}
	if c.UserAgent != "" {
		req.Header.Set("User-Agent", c.UserAgent)
	}
	hc := c.HTTPClient
	if hc == nil {
		hc = http.DefaultClient
	}
	start := time.Now()
	resp, err := hc.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // url.Error repeats the URL; the request is named here
		}
		return nil, exitcode.With(exitcode.Network, fmt.Errorf("%s %s%s after %v: %w", r.method, c.BaseURL, r.path, time.Since(start).Round(time.Millisecond), err))
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, exitcode.With(exitcode.Network, fmt.Errorf("%s %s: reading response: %w", r.method, r.path, err))
	}
	if resp.StatusCode >= 400 {
		var env struct {
			Message   string `json:"message"`
			ErrorType string `json:"error_type"`
		}
		if json.Unmarshal(raw, &env) != nil || env.Message == "" {
			env.Message = strings.TrimSpace(string(raw))
			if env.Message == "" {
				env.Message = http.StatusText(resp.StatusCode)
			}
		}
		if env.ErrorType == "" {
			env.ErrorType = kite.GeneralException
		}
		return nil, &kite.Error{Status: resp.StatusCode, ErrorType: env.ErrorType, Message: env.Message}
	}
	return raw, nil
}
