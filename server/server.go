// Package server wires Relais together: configuration, database, router,
// background work and graceful shutdown.
package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/relais-dui/relais/access"
	"github.com/relais-dui/relais/fhir"
	"github.com/relais-dui/relais/frontend"
	"github.com/relais-dui/relais/insi"
	"github.com/relais-dui/relais/insi/insitest"
	"github.com/relais-dui/relais/store"
)

// Config is what `relais serve` needs; cmd/relais fills it from the
// environment (docs/configuration.md).
type Config struct {
	Addr        string // RELAIS_ADDR, default 127.0.0.1:8080
	DatabaseURL string // DATABASE_URL
	// SecureCookies marks cookies Secure: on when Relais is reached over TLS
	// (RELAIS_SECURE_COOKIES, default true unless Addr is on loopback).
	SecureCookies bool
	Logger        *slog.Logger
	// INSi reaches the national teleservice; without a URL the built-in test
	// peer answers and every INSi screen says it is a simulation.
	INSi insi.Config
	// DMP reaches the DMP for the outbox worker; without a URL it sends to
	// an in-memory test DMP.
	DMP DMPConfig
}

// Version is the software version sent to national services.
const Version = "0.1.0"

// insiService builds the INSi lookup: the real client, or the simulation.
func insiService(cfg insi.Config) (*insi.Service, error) {
	if cfg.SoftwareName == "" {
		cfg.SoftwareName = "Relais"
	}
	if cfg.SoftwareVersion == "" {
		cfg.SoftwareVersion = Version
	}
	if cfg.URL == "" {
		if cfg.IDAM == "" {
			cfg.IDAM = "SIMULATION"
		}
		peer := insitest.NewPeer(insitest.DemoIdentities())
		c, err := insi.NewWithHTTPClient(insitest.SimulationURL, peer.Client(), cfg.Identification)
		if err != nil {
			return nil, fmt.Errorf("INSi simulation: %w", err)
		}
		return insi.NewService(c, true), nil
	}
	c, err := insi.New(cfg)
	if err != nil {
		return nil, fmt.Errorf("INSi: %w", err)
	}
	return insi.NewService(c, false), nil
}

// Run migrates the database, then serves until ctx is cancelled, finishing
// in-flight requests before it returns.
func Run(ctx context.Context, cfg Config) error {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	owner, err := store.OpenOwner(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	err = owner.Migrate(ctx)
	owner.Close()
	if err != nil {
		return err
	}
	db, err := store.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer db.Close()
	handler, authz, err := build(ctx, db, cfg)
	if err != nil {
		return err
	}
	// Another instance (or `relais org create`) may change the matrix: pick
	// it up within a period. Expired sessions and old login failures go away.
	authz.StartReloader(ctx, policyReloadEvery)
	go housekeeping(ctx, db, cfg.Logger)
	workerCtx, stopWorker := context.WithCancel(ctx)
	dmpDone, err := startDMPOutbox(workerCtx, db, cfg.DMP, cfg.Logger)
	if err != nil {
		stopWorker()
		return err
	}
	// Stop the worker and wait for it before the database closes.
	defer func() { stopWorker(); <-dmpDone }()
	srv := &http.Server{Addr: cfg.Addr, Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	cfg.Logger.Info("relais listening", "addr", "http://"+cfg.Addr)
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}

// NewHandler builds the HTTP handler over an open database (also used by
// tests with httptest).
func NewHandler(ctx context.Context, db *store.DB, cfg Config) (http.Handler, error) {
	h, _, err := build(ctx, db, cfg)
	return h, err
}

const (
	policyReloadEvery = 30 * time.Second
	housekeepingEvery = 10 * time.Minute
)

func build(ctx context.Context, db *store.DB, cfg Config) (http.Handler, *access.Authorizer, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	authz, err := access.NewAuthorizer(ctx, db)
	if err != nil {
		return nil, nil, err
	}
	insiSvc, err := insiService(cfg.INSi)
	if err != nil {
		return nil, nil, err
	}
	ui, err := frontend.New(frontend.Config{
		Store: db.Records(), Auth: access.NewAuth(db, access.AuthOptions{}), Authz: authz, INSi: insiSvc,
		SecureCookies: cfg.SecureCookies, Logger: cfg.Logger, APIResources: fhir.ResourceTypes(),
	})
	if err != nil {
		return nil, nil, err
	}
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.Use(gin.Recovery(), requestLog(cfg.Logger))
	r.GET("/healthz", func(c *gin.Context) {
		ctx, cancel := context.WithTimeout(c.Request.Context(), 2*time.Second)
		defer cancel()
		if err := db.Ping(ctx); err != nil {
			cfg.Logger.Warn("health check failed", "err", err)
			c.String(http.StatusServiceUnavailable, "database unreachable\n")
			return
		}
		c.String(http.StatusOK, "ok\n")
	})
	clients, err := access.NewClientAuth(db, nil)
	if err != nil {
		return nil, nil, err
	}
	fhir.New(fhir.Config{Store: db.Records(), Clients: clients, Authz: authz, Logger: cfg.Logger}).Register(r)
	ui.Register(r)
	return r, authz, nil
}

// housekeeping purges expired sessions and login failures older than a day
// (the throttling window is minutes; a day keeps enough for an inquiry).
func housekeeping(ctx context.Context, db *store.DB, l *slog.Logger) {
	t := time.NewTicker(housekeepingEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if _, err := db.PurgeExpiredSessions(ctx); err != nil && ctx.Err() == nil {
				l.Warn("purge expired sessions", "err", err)
			}
			if _, err := db.PurgeLoginFailures(ctx, time.Now().Add(-24*time.Hour)); err != nil && ctx.Err() == nil {
				l.Warn("purge login failures", "err", err)
			}
			if _, err := db.PurgeExpiredTokens(ctx); err != nil && ctx.Err() == nil {
				l.Warn("purge expired API tokens", "err", err)
			}
		}
	}
}

// requestLog logs method, route pattern, status and duration. The route
// pattern, not the URL, so no query string (names searched) reaches the log.
func requestLog(l *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		l.Info("request", "method", c.Request.Method, "route", c.FullPath(), "status", c.Writer.Status(), "ms", time.Since(start).Milliseconds())
	}
}
