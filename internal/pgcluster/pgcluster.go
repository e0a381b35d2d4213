// Package pgcluster starts and stops a private PostgreSQL cluster from the
// server binaries installed on the machine. It backs both the test harness
// (a throwaway cluster per test binary) and `relais dev` (a persistent cluster
// under ./var/pg). PostgreSQL refuses to run as root, so when the current user
// is root every server command runs as the unprivileged `postgres` account.
package pgcluster

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Cluster is a PostgreSQL server owned by this process.
type Cluster struct {
	Dir     string // data directory
	SockDir string // unix socket directory
	Port    int
	BinDir  string
	runAs   string // unprivileged account when running as root, else ""
}

// Options tune a cluster. Zero values are sensible for tests.
type Options struct {
	// Durable keeps fsync on (dev data survives a crash); tests turn it off.
	Durable bool
	// Port to listen on; 0 picks a free one.
	Port int
}

// FindBinDir returns the newest /usr/lib/postgresql/*/bin holding initdb,
// or the directory of an initdb on PATH.
func FindBinDir() (string, error) {
	matches, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	sort.Slice(matches, func(i, j int) bool { return versionOf(matches[i]) > versionOf(matches[j]) })
	if len(matches) > 0 {
		return filepath.Dir(matches[0]), nil
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		return filepath.Dir(p), nil
	}
	return "", errors.New("PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin (install Debian's postgresql package: make install-postgres)")
}

func versionOf(initdb string) int {
	v, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(initdb))))
	return v
}

// Start initialises dir when it holds no cluster yet, then starts the server.
func Start(ctx context.Context, dir string, opt Options) (*Cluster, error) {
	bin, err := FindBinDir()
	if err != nil {
		return nil, err
	}
	dir, err = filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("data directory: %w", err)
	}
	c := &Cluster{Dir: filepath.Join(dir, "data"), SockDir: filepath.Join(dir, "sock"), BinDir: bin}
	if os.Geteuid() == 0 {
		c.runAs = "postgres"
	}
	for _, d := range []string{dir, c.SockDir} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, fmt.Errorf("create %s: %w", d, err)
		}
		if err := c.chown(d); err != nil {
			return nil, err
		}
	}
	if _, err := os.Stat(filepath.Join(c.Dir, "PG_VERSION")); errors.Is(err, os.ErrNotExist) {
		if out, err := c.run(ctx, "initdb", "-D", c.Dir, "-U", "postgres", "--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8", "--no-instructions"); err != nil {
			return nil, fmt.Errorf("initdb: %w: %s", err, out)
		}
	}
	c.Port = opt.Port
	if c.Port == 0 {
		if c.Port, err = freePort(); err != nil {
			return nil, err
		}
	}
	fsync := "off"
	if opt.Durable {
		fsync = "on"
	}
	serverOpts := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=%s -c synchronous_commit=%s -c full_page_writes=%s -c max_connections=200",
		c.Port, c.SockDir, fsync, fsync, fsync)
	logFile := filepath.Join(dir, "server.log")
	if out, err := c.run(ctx, "pg_ctl", "-D", c.Dir, "-l", logFile, "-o", serverOpts, "-w", "-t", "60", "start"); err != nil {
		log, _ := os.ReadFile(logFile)
		return nil, fmt.Errorf("pg_ctl start: %w: %s\n%s", err, out, tail(string(log), 2000))
	}
	return c, nil
}

// DSN returns a libpq URL for database name as the postgres superuser.
func (c *Cluster) DSN(name string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", c.Port, name)
}

// Stop shuts the server down ("fast": clients are disconnected, data kept).
func (c *Cluster) Stop() error {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if out, err := c.run(ctx, "pg_ctl", "-D", c.Dir, "-m", "fast", "-w", "stop"); err != nil {
		return fmt.Errorf("pg_ctl stop: %w: %s", err, out)
	}
	return nil
}

func (c *Cluster) run(ctx context.Context, name string, args ...string) ([]byte, error) {
	path := filepath.Join(c.BinDir, name)
	var cmd *exec.Cmd
	if c.runAs != "" {
		cmd = exec.CommandContext(ctx, "runuser", append([]string{"-u", c.runAs, "--", path}, args...)...)
	} else {
		cmd = exec.CommandContext(ctx, path, args...)
	}
	cmd.Dir = "/"
	// pg_ctl's server must outlive a cancelled context only through its own
	// process group; keep stdout for error messages.
	return cmd.CombinedOutput()
}

func (c *Cluster) chown(path string) error {
	if c.runAs == "" {
		return nil
	}
	u, err := user.Lookup(c.runAs)
	if err != nil {
		return fmt.Errorf("running as root needs the %q account (installed with Debian's postgresql package): %w", c.runAs, err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	if err := os.Chown(path, uid, gid); err != nil {
		return fmt.Errorf("chown %s: %w", path, err)
	}
	return nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func tail(s string, n int) string {
	s = strings.TrimSpace(s)
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}
