package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"

	"github.com/kitecli/kite/internal/exitcode"
	"github.com/kitecli/kite/internal/kitehome"
)

// The --sandbox paper account lives under KITE_HOME, one file per seed, so
// that `kite --sandbox orders place …` and a later `kite --sandbox
// positions` see the same account. The market needs no saving: it is a
// function of the seed and the clock.

// sandboxStateDir is where the accounts are kept.
func sandboxStateDir(dirs kitehome.Dirs) string { return filepath.Join(dirs.Config, "sandbox") }

// sandboxStatePath is the account file of one seed.
func sandboxStatePath(dirs kitehome.Dirs, seed int64) string {
	return filepath.Join(sandboxStateDir(dirs), "account-seed-"+strconv.FormatInt(seed, 10)+".json")
}

// sandboxSeed is the seed of --sandbox: --sandbox-seed, else
// KITE_SANDBOX_SEED, else 0.
func (f *Factory) sandboxSeed() (int64, error) {
	if f.Global.sandboxSeedSet {
		return f.Global.SandboxSeed, nil
	}
	v := f.Getenv("KITE_SANDBOX_SEED")
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, exitcode.Invalidf("KITE_SANDBOX_SEED=%q is not a whole number, e.g. KITE_SANDBOX_SEED=42", v)
	}
	return n, nil
}

// sandboxAccount is one seed's saved account, locked while a command uses it.
type sandboxAccount struct {
	path   string
	unlock func()
}

// openSandboxAccount locks the account of seed (waiting, with a notice, for
// another --sandbox command that holds it) and returns its saved state, nil
// when there is none yet.
func openSandboxAccount(dirs kitehome.Dirs, seed int64, errOut io.Writer) (*sandboxAccount, []byte, error) {
	path := sandboxStatePath(dirs, seed)
	if err := kitehome.MkdirPrivate(filepath.Dir(path)); err != nil {
		return nil, nil, err
	}
	lock := path + ".lock"
	unlock, err := kitehome.TryLock(lock)
	if errors.Is(err, kitehome.ErrLocked) {
		fmt.Fprintf(errOut, "kite: waiting for another kite --sandbox command using the seed %d account to finish (Ctrl-C to stop)\n", seed)
		unlock, err = kitehome.Lock(lock)
	}
	if err != nil {
		return nil, nil, err
	}
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return &sandboxAccount{path: path, unlock: unlock}, nil, nil
	}
	if err != nil {
		unlock()
		return nil, nil, fmt.Errorf("reading the sandbox account: %w", err)
	}
	return &sandboxAccount{path: path, unlock: unlock}, data, nil
}

// save writes the account atomically (0600) with what save produces.
func (a *sandboxAccount) save(write func(io.Writer) error) error {
	var b bytes.Buffer
	if err := write(&b); err != nil {
		return err
	}
	return kitehome.WriteFileAtomic(a.path, b.Bytes(), 0o600)
}

// badSandboxState is the error for an account file that cannot be read: it
// names the file and the way out.
func badSandboxState(path string, seed int64, err error) error {
	reset := "kite sandbox reset"
	if seed != 0 {
		reset += " --seed " + strconv.FormatInt(seed, 10)
	}
	return fmt.Errorf("the sandbox account in %s cannot be used: %w; start it afresh with '%s'", path, err, reset)
}
