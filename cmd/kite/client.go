package main

import (
	"context"
	"fmt"
	"net/http"
	"runtime"

	"github.com/kitecli/kite/pkg/kite"
)

// Client returns a REST client for the current session.
func (f *Factory) Client(ctx context.Context) (*kite.Client, error) {
	creds, err := f.Credentials(ctx)
	if err != nil {
		return nil, err
	}
	return &kite.Client{
		BaseURL:     creds.RESTBase(f.Global.BaseURL),
		Credentials: creds,
		HTTPClient:  http.DefaultClient,
		UserAgent:   userAgent(),
	}, nil
}

func userAgent() string {
	return fmt.Sprintf("kite-cli/%s (%s; %s/%s)", version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}
