//go:build linux

package main

import (
	"strings"
	"syscall"
	"testing"

	"github.com/kitecli/kite/pkg/sandbox"
	"github.com/kitecli/kite/pkg/sandbox/sandboxtest"
	"golang.org/x/sys/unix"
)

// A signal at a prompt ends kite at once: nothing is sent, and what the
// user types after Ctrl-C is never taken as the answer. The terminal is
// the process's controlling terminal here, so the Ctrl-C typed on it is a
// real SIGINT from the terminal driver, as in a shell.

// press types keys on the terminal.
func (p *ptyRun) press(keys string) {
	p.t.Helper()
	if _, err := p.master.Write([]byte(keys)); err != nil {
		p.t.Fatal(err)
	}
}

func TestE2ESignalAtTheOrderPrompt(t *testing.T) {
	_, env := startTestSandbox(t, sandbox.Options{Seed: 15, RateLimits: sandbox.NoRateLimits()})
	price := ordersAway(t, env, "NSE:INFY", -0.6)
	place := []string{"orders", "place", "NSE:INFY", "--buy", "--qty", "1", "--price", price}

	t.Run("Ctrl-C then y", func(t *testing.T) {
		p := startPTYWith(t, ptySetup{controlling: true, stdout: true}, env, place...)
		p.waitFor("Place this order? [y/N] ")
		p.press("\x03")
		p.press("y\r")
		code, stderr, _ := p.wait()
		if code != 130 || !strings.Contains(stderr, "kite: interrupted") || strings.Contains(stderr, "placing the order") {
			t.Fatalf("exit %d, stderr:\n%s", code, stderr)
		}
		if book := ordersBook(t, env); len(book) != 0 {
			t.Fatalf("an order was sent after Ctrl-C at the prompt: %v", book)
		}
	})

	t.Run("SIGTERM", func(t *testing.T) {
		p := startPTYWith(t, ptySetup{controlling: true, stdout: true}, env, place...)
		p.waitFor("Place this order? [y/N] ")
		if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		code, stderr, _ := p.wait()
		if code != 143 || !strings.Contains(stderr, "kite: terminated") {
			t.Fatalf("exit %d, want 143; stderr:\n%s", code, stderr)
		}
		if book := ordersBook(t, env); len(book) != 0 {
			t.Fatalf("an order was sent after SIGTERM at the prompt: %v", book)
		}
	})
}

func TestE2ECtrlCAtThePasswordPrompt(t *testing.T) {
	srv := sandboxtest.NewServer(t, sandbox.Options{})
	env := authEnv(t, srv)
	p := startPTYWith(t, ptySetup{controlling: true}, env, "login", "--web", "--user-id", sandbox.UserID)
	p.waitFor("Password: ")
	p.waitEchoOff("Password: ") // as a person sees it: the prompt is up, the echo off
	p.press("\x03")
	p.press(sandbox.Password + "\r")
	code, stderr, _ := p.wait()
	if code != 130 || !strings.Contains(stderr, "kite: interrupted") {
		t.Fatalf("exit %d, want 130; stderr:\n%s", code, stderr)
	}
	if strings.Contains(stderr, "TOTP") || strings.Contains(stderr, "Logged in") {
		t.Fatalf("the login went on after Ctrl-C:\n%s", stderr)
	}
	noCache(t, env, "default")
	// The shell the user returns to echoes again. (The slave is closed by
	// now; on Linux the master reads the slave's settings.)
	tio, err := unix.IoctlGetTermios(int(p.master.Fd()), unix.TCGETS)
	if err != nil {
		t.Fatal(err)
	}
	if tio.Lflag&unix.ECHO == 0 {
		t.Fatal("kite left the terminal without echo")
	}
}

// kite watch needs a terminal; an unknown symbol there is exit 2 as in
// every other command (TestE2EUnknownSymbolExitsTwoEverywhere).
func TestE2EWatchUnknownSymbol(t *testing.T) {
	_, env := startTestSandbox(t, sandbox.Options{})
	p := startPTYWith(t, ptySetup{stdout: true}, env, "watch", "NSE:ZZZZ")
	code, stderr, _ := p.wait()
	const want = "kite: unknown instrument \"NSE:ZZZZ\": look it up with kite instruments search ZZZZ --exchange NSE\n"
	if code != 2 || stderr != want {
		t.Fatalf("exit %d, stderr %q, want %q", code, stderr, want)
	}
}
