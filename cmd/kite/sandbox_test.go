package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"io/fs"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kitecli/kite/pkg/sandbox"
)

func TestE2ESandboxUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"sandbox", "--addr", "0.0.0.0:0"},
		{"sandbox", "--tick-interval", "10us"},
		{"sandbox", "--error-rate", "1.5"},
		{"sandbox", "--redirect-url", "ftp://x"},
		{"sandbox", "extra"},
	} {
		r := runKite(t, kiteRun{Timeout: 20 * time.Second}, args...)
		if r.Code != 2 || r.Stdout != "" || !strings.Contains(r.Stderr, "kite sandbox --help") {
			t.Errorf("%v: %+v", args, r)
		}
	}
	r := runKite(t, kiteRun{}, "sandbox", "--help")
	for _, want := range []string{sandbox.APIKey, sandbox.APISecret, sandbox.UserID, sandbox.Password, sandbox.TOTPSecret, "export KITE_BASE_URL", "Example"} {
		if !strings.Contains(r.Stdout, want) {
			t.Errorf("help lacks %q", want)
		}
	}
}

// TestE2ESandboxForeground runs `kite sandbox` as a user would: the export
// lines on stdout work, and SIGTERM/SIGINT stop it with exit 0.
func TestE2ESandboxForeground(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, kiteBin, "sandbox", "-v", "--seed", "5", "--tick-interval", "100ms")
			cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "KITE_HOME=" + t.TempDir()}
			stdout, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			env := map[string]string{}
			sc := bufio.NewScanner(stdout)
			for len(env) < 4 && sc.Scan() {
				k, v, ok := strings.Cut(strings.TrimPrefix(sc.Text(), "export "), "=")
				if !ok || !strings.HasPrefix(sc.Text(), "export KITE_") {
					t.Fatalf("stdout line %q", sc.Text())
				}
				env[k] = v
			}
			if env["KITE_API_KEY"] != sandbox.APIKey || !strings.HasPrefix(env["KITE_BASE_URL"], "http://127.0.0.1:") ||
				!strings.HasPrefix(env["KITE_WS_URL"], "ws://127.0.0.1:") || env["KITE_ACCESS_TOKEN"] == "" {
				t.Fatalf("env: %v", env)
			}

			// The printed session works, for raw HTTP and for kite itself.
			req, _ := http.NewRequest(http.MethodGet, env["KITE_BASE_URL"]+"/user/profile", nil)
			req.Header.Set("Authorization", "token "+env["KITE_API_KEY"]+":"+env["KITE_ACCESS_TOKEN"])
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			var prof struct {
				Data struct {
					UserID string `json:"user_id"`
				} `json:"data"`
			}
			err = json.NewDecoder(resp.Body).Decode(&prof)
			resp.Body.Close()
			if err != nil || prof.Data.UserID != sandbox.UserID {
				t.Fatalf("profile through the printed env: %v %+v", err, prof)
			}
			if r := runKite(t, kiteRun{Env: env}, "profile", "-o", "json"); r.Code != 0 || !strings.Contains(r.Stdout, sandbox.UserID) {
				t.Fatalf("kite profile against kite sandbox: %+v", r)
			}

			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			rest, _ := io.ReadAll(stdout)
			err = cmd.Wait()
			if err != nil {
				t.Fatalf("exit after %v: %v; stderr:\n%s", sig, err, stderr.String())
			}
			if len(rest) != 0 {
				t.Fatalf("more on stdout: %q", rest)
			}
			if !strings.Contains(stderr.String(), "sandbox listening") {
				t.Fatalf("no log on stderr:\n%s", stderr.String())
			}
		})
	}
}

// TestE2ESandboxFlag runs commands with --sandbox: they work with no
// session anywhere, and leave the profile's session cache alone.
func TestE2ESandboxFlag(t *testing.T) {
	home := t.TempDir()
	env := map[string]string{"KITE_HOME": home}
	r := runKite(t, kiteRun{Env: env}, "--sandbox", "profile", "-o", "json")
	if r.Code != 0 || !strings.Contains(r.Stdout, sandbox.UserID) {
		t.Fatalf("kite --sandbox profile: %+v", r)
	}
	r = runKite(t, kiteRun{Env: env}, "--sandbox", "quote", "NSE:INFY", "-o", "json")
	if r.Code != 0 || !strings.Contains(r.Stdout, "408065") {
		t.Fatalf("kite --sandbox quote: %+v", r)
	}
	// Nothing was written under KITE_HOME: the sandbox session is in memory.
	err := filepath.WalkDir(home, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.Contains(path, "session") {
			t.Errorf("--sandbox wrote %s", path)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	// Without --sandbox there is still no session.
	if r := runKite(t, kiteRun{Env: env}, "profile"); r.Code != 3 {
		t.Fatalf("profile without a session: %+v", r)
	}
}
