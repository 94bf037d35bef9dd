//go:build linux

package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/kitecli/kite/pkg/sandbox"
	"github.com/kitecli/kite/pkg/sandbox/sandboxtest"
	"github.com/pquerna/otp/totp"
	"golang.org/x/sys/unix"
)

// The prompts need a terminal, so these tests give the binary a real
// pseudo-terminal as stdin and type into it like a person, then read back
// what the terminal echoed: a secret typed at a no-echo prompt must not be
// there, while the 2FA code (an ordinary prompt) is, which shows the check
// can see an echo when there is one.

func openPTY(t *testing.T) (master, slave *os.File) {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	if err := unix.IoctlSetPointerInt(int(m.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		m.Close()
		t.Fatalf("unlocking the pty: %v", err)
	}
	n, err := unix.IoctlGetInt(int(m.Fd()), unix.TIOCGPTN)
	if err != nil {
		m.Close()
		t.Fatalf("pty number: %v", err)
	}
	s, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		m.Close()
		t.Fatalf("opening the pty: %v", err)
	}
	t.Cleanup(func() { m.Close(); s.Close() })
	return m, s
}

// ptyRun is one run of the binary with a terminal on stdin.
type ptyRun struct {
	t      *testing.T
	cmd    *exec.Cmd
	master *os.File
	slave  *os.File
	prompt *bufio.Reader // stderr, read as prompts appear
	stderr bytes.Buffer  // everything read from stderr
	echo   bytes.Buffer  // what the terminal echoed
	echoMu sync.Mutex
	echoed chan struct{}
	cancel context.CancelFunc
}

func startPTY(t *testing.T, env map[string]string, args ...string) *ptyRun {
	t.Helper()
	return startPTYWith(t, ptySetup{}, env, args...)
}

// ptySetup is how the terminal is attached, beyond stdin.
type ptySetup struct {
	// controlling makes the terminal the process's controlling terminal
	// (a new session, in the foreground), so Ctrl-C typed on it sends
	// SIGINT as it does in a shell.
	controlling bool
	// stdout is the terminal too (commands that ask only when both are).
	stdout bool
}

func startPTYWith(t *testing.T, setup ptySetup, env map[string]string, args ...string) *ptyRun {
	t.Helper()
	master, slave := openPTY(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	cmd := exec.CommandContext(ctx, kiteBin, args...)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	cmd.Stdin = slave
	if setup.stdout {
		cmd.Stdout = slave
	}
	if setup.controlling {
		cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	}
	errPipe, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &ptyRun{t: t, cmd: cmd, master: master, slave: slave, cancel: cancel, echoed: make(chan struct{})}
	p.prompt = bufio.NewReader(io.TeeReader(errPipe, &p.stderr))
	go func() {
		defer close(p.echoed)
		buf := make([]byte, 1024)
		for {
			n, err := master.Read(buf)
			p.echoMu.Lock()
			p.echo.Write(buf[:n])
			p.echoMu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	return p
}

// answer waits for prompt on stderr, then types line. For a secret it
// first waits until the terminal's echo is off, as a person would see the
// cursor stop echoing; typing earlier would be echoed by the terminal
// whatever the program does.
func (p *ptyRun) answer(prompt, line string, secret bool) {
	p.t.Helper()
	p.waitFor(prompt)
	if secret {
		p.waitEchoOff(prompt)
	}
	if _, err := p.master.Write([]byte(line + "\r")); err != nil {
		p.t.Fatal(err)
	}
}

// waitFor reads stderr until prompt has appeared.
func (p *ptyRun) waitFor(prompt string) {
	p.t.Helper()
	var seen []byte
	for !bytes.Contains(seen, []byte(prompt)) {
		b, err := p.prompt.ReadByte()
		if err != nil {
			p.t.Fatalf("waiting for %q: %v; stderr so far:\n%s", prompt, err, seen)
		}
		seen = append(seen, b)
	}
}

// waitEchoOff waits until the terminal's echo is off at prompt.
func (p *ptyRun) waitEchoOff(prompt string) {
	p.t.Helper()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		tio, err := unix.IoctlGetTermios(int(p.slave.Fd()), unix.TCGETS)
		if err != nil {
			p.t.Fatal(err)
		}
		if tio.Lflag&unix.ECHO == 0 {
			return
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("the terminal's echo was never switched off at %q", prompt)
		}
	}
}

// wait returns the exit code, all of stderr, and the terminal's echo.
func (p *ptyRun) wait() (int, string, string) {
	p.t.Helper()
	defer p.cancel()
	io.Copy(io.Discard, p.prompt) // the rest of stderr, into p.stderr
	err := p.cmd.Wait()
	p.slave.Close() // now the master reads EIO: the echo reader ends
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		p.t.Fatal(err)
	}
	select {
	case <-p.echoed:
	case <-time.After(5 * time.Second):
	}
	p.echoMu.Lock()
	defer p.echoMu.Unlock()
	return code, p.stderr.String(), p.echo.String()
}

func TestE2EPromptsOnATerminal(t *testing.T) {
	srv := sandboxtest.NewServer(t, sandbox.Options{})

	t.Run("web password and TOTP code", func(t *testing.T) {
		env := authEnv(t, srv)
		p := startPTY(t, env, "login", "--web", "--user-id", sandbox.UserID)
		p.answer("Password: ", sandbox.Password, true)
		code, err := totp.GenerateCode(sandbox.TOTPSecret, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		p.answer("TOTP code from the authenticator app: ", code, false)
		exit, stderr, echo := p.wait()
		if exit != 0 || !strings.Contains(stderr, "Logged in to Kite web") {
			t.Fatalf("exit %d, stderr:\n%s", exit, stderr)
		}
		if strings.Contains(echo, sandbox.Password) || strings.Contains(stderr, sandbox.Password) {
			t.Fatalf("the password was echoed: %q", echo)
		}
		if !strings.Contains(echo, code) {
			t.Fatalf("the 2FA code was not echoed (%q), so the echo check cannot see echoes", echo)
		}
		readCache(t, env, "default")
	})

	t.Run("API secret", func(t *testing.T) {
		env := authEnv(t, srv)
		p := startPTY(t, env, "login", "--api-key", sandbox.APIKey, "--request-token", requestTokenOf(t, srv.LoginRedirect(t)))
		p.answer("API secret: ", sandbox.APISecret, true)
		exit, stderr, echo := p.wait()
		if exit != 0 || !strings.Contains(stderr, "Logged in to Kite Connect") {
			t.Fatalf("exit %d, stderr:\n%s", exit, stderr)
		}
		if strings.Contains(echo, sandbox.APISecret) {
			t.Fatalf("the secret was echoed: %q", echo)
		}
		readCache(t, env, "default")
	})
}
