// Package outbox carries documents to the DMP: Enqueue writes the decision
// to send in the caller's transaction, the Worker sends what is due and
// records each outcome. Nothing is lost (a row stays until the DMP answers)
// and nothing is duplicated (the document's uniqueId is the key, here and at
// the DMP).
package outbox

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/google/uuid"

	"github.com/relais-dui/relais/dmp/xds"
	"github.com/relais-dui/relais/domain"
)

// Request is a decision to send one document version.
type Request struct {
	UsagerID        uuid.UUID
	EstablishmentID uuid.UUID
	Section         domain.Section // the record section the document belongs to (trail)
	CDA             []byte
	ClassCode       xds.Code
	FormatCode      xds.Code
	Masking         []xds.Masking
	Comments        string
	// Who decides, as the trail and the VIHF assertion name them.
	UserID      uuid.UUID
	Username    string
	Role        string
	SubjectID   string // idNatPS, or the structure's identifier of the user
	SubjectName string
	Profession  xds.Code
	StructureID string // "1" + FINESS of the establishment
	Sector      xds.Code
}

func code(c xds.Code) domain.DMPCode {
	return domain.DMPCode{Code: c.Code, System: c.CodeSystem, Display: c.DisplayName}
}

func xcode(c domain.DMPCode) xds.Code {
	return xds.Code{Code: c.Code, CodeSystem: c.System, DisplayName: c.Display}
}

// Enqueue checks the rules (qualified identity whose INS is the CDA's, no
// opposition, masking allowed) and adds the row, in tx: the caller's
// transaction commits the decision and the row together. A refusal is a
// *domain.DMPRefusal (French) and writes nothing. Enqueueing the same
// document again returns the existing row with created false.
func Enqueue(tx domain.Tx, r Request) (domain.DMPOutboxItem, bool, error) {
	h, err := xds.ParseHeader(r.CDA)
	if err != nil {
		return domain.DMPOutboxItem{}, false, &domain.DMPRefusal{Reason: "Document CDA inexploitable : " + err.Error()}
	}
	id, err := tx.Identity(r.UsagerID)
	if err != nil {
		return domain.DMPOutboxItem{}, false, fmt.Errorf("DMP: identity: %w", err)
	}
	consents, err := tx.Consents(r.UsagerID)
	if err != nil {
		return domain.DMPOutboxItem{}, false, fmt.Errorf("DMP: consents: %w", err)
	}
	masking := make([]string, len(r.Masking))
	for i, m := range r.Masking {
		masking[i] = string(m)
	}
	if err := domain.CheckDMPSend(id, consents, h.Code.Code, masking); err != nil {
		return domain.DMPOutboxItem{}, false, err
	}
	if id.INS.String() != h.PatientINS.Extension || id.INS.OID != h.PatientINS.Root {
		return domain.DMPOutboxItem{}, false, &domain.DMPRefusal{Reason: "L'INS du document ne correspond pas à l'identité qualifiée de la personne : le document n'est pas envoyé."}
	}
	item := domain.DMPOutboxItem{
		UsagerID: r.UsagerID, EstablishmentID: r.EstablishmentID, Kind: domain.DMPProvide,
		UniqueID: h.ID.UniqueID(), SetID: h.SetID.UniqueID(), Title: h.Title, CDA: r.CDA, Section: r.Section,
		RequestedBy: r.UserID, RequestedByName: r.Username, RequestedRole: r.Role,
		Descriptor: domain.DMPDescriptor{ClassCode: code(r.ClassCode), FormatCode: code(r.FormatCode), Masking: masking,
			Comments: r.Comments, PatientINS: h.PatientINS.Extension, PatientINSOID: h.PatientINS.Root,
			SubjectID: r.SubjectID, SubjectName: r.SubjectName, Role: code(r.Profession), StructureID: r.StructureID, Sector: code(r.Sector)},
	}
	created, err := tx.EnqueueDMP(&item)
	if err != nil {
		return item, false, fmt.Errorf("DMP: enqueue: %w", err)
	}
	if created {
		detail := fmt.Sprintf("DMP : envoi demandé du document « %s » (version %d)", h.Title, h.Version)
		if err := trail(tx, item, detail); err != nil {
			return item, false, err
		}
	}
	return item, created, nil
}

// EnqueueWithdrawal asks the DMP to withdraw a document it holds (sent by
// this outbox).
func EnqueueWithdrawal(tx domain.Tx, usager uuid.UUID, uniqueID string, by Request) (domain.DMPOutboxItem, bool, error) {
	items, err := tx.DMPOutbox(usager)
	if err != nil {
		return domain.DMPOutboxItem{}, false, fmt.Errorf("DMP: outbox: %w", err)
	}
	var sent *domain.DMPOutboxItem
	for i := range items {
		if items[i].UniqueID == uniqueID && items[i].Kind == domain.DMPProvide {
			sent = &items[i]
		}
	}
	if sent == nil || sent.Status != domain.DMPSent {
		return domain.DMPOutboxItem{}, false, &domain.DMPRefusal{Reason: "Seul un document déjà envoyé au DMP peut en être retiré."}
	}
	d := sent.Descriptor
	d.SubjectID, d.SubjectName, d.Role, d.StructureID, d.Sector = by.SubjectID, by.SubjectName, code(by.Profession), by.StructureID, code(by.Sector)
	item := domain.DMPOutboxItem{UsagerID: usager, EstablishmentID: sent.EstablishmentID, Kind: domain.DMPWithdraw,
		UniqueID: uniqueID, SetID: sent.SetID, Title: sent.Title, Section: sent.Section, Descriptor: d,
		RequestedBy: by.UserID, RequestedByName: by.Username, RequestedRole: by.Role}
	created, err := tx.EnqueueDMP(&item)
	if err != nil {
		return item, false, fmt.Errorf("DMP: enqueue withdrawal: %w", err)
	}
	if created {
		if err := trail(tx, item, fmt.Sprintf("DMP : retrait demandé du document « %s »", item.Title)); err != nil {
			return item, false, err
		}
	}
	return item, created, nil
}

func trail(tx domain.Tx, it domain.DMPOutboxItem, detail string) error {
	e := domain.TrailEntry{UserID: it.RequestedBy, Username: it.RequestedByName, Role: it.RequestedRole,
		EstablishmentID: it.EstablishmentID, UsagerID: it.UsagerID, Section: it.Section, Action: domain.ActionExport, Detail: detail}
	if err := tx.AppendTrail(&e); err != nil {
		return fmt.Errorf("DMP: trail: %w", err)
	}
	return nil
}

// Sender is the DMP as the worker uses it (xds.Client).
type Sender interface {
	Provide(ctx context.Context, a xds.Actor, s xds.Submission) error
	Withdraw(ctx context.Context, a xds.Actor, wd xds.Withdrawal) error
}

// Queue finds the organisations with due rows (store.DB).
type Queue interface {
	DMPDueOrganisations(ctx context.Context, now time.Time) ([]uuid.UUID, error)
}

// Config tunes the worker.
type Config struct {
	Source xds.Source
	// Lease is how long a claimed row stays away from other workers; it
	// must exceed Batch × the client's request timeout (the rows of a batch
	// are sent one after the other). Default 5 minutes.
	Lease time.Duration
	Batch int           // rows claimed per organisation and round; default 10
	Poll  time.Duration // pause between rounds with nothing due; default 15 s
	Now   func() time.Time
	// Logger receives the errors of Run's rounds (no health data: ids and
	// error texts only). Nil discards them.
	Logger *slog.Logger
}

// Worker sends due rows.
type Worker struct {
	store  domain.Store
	queue  Queue
	sender Sender
	cfg    Config
}

// NewWorker prepares a worker; several may run at once, in one process or
// several.
func NewWorker(store domain.Store, queue Queue, sender Sender, cfg Config) *Worker {
	if cfg.Lease == 0 {
		cfg.Lease = 5 * time.Minute
	}
	if cfg.Batch == 0 {
		cfg.Batch = 10
	}
	if cfg.Poll == 0 {
		cfg.Poll = 15 * time.Second
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Worker{store: store, queue: queue, sender: sender, cfg: cfg}
}

// Run sends due rows until ctx ends, pausing when nothing is due. It
// returns ctx's error; it starts no goroutine.
func (w *Worker) Run(ctx context.Context) error {
	for {
		n, err := w.RunOnce(ctx)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err != nil {
			w.cfg.Logger.Warn("DMP outbox round", "err", err)
		}
		wait := w.cfg.Poll
		if err == nil && n > 0 {
			wait = 0 // more may be due
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}

// RunOnce claims and sends the rows due now in every organisation and
// returns how many it handled. A row whose send is interrupted (ctx ends)
// is left claimed: its lease expires and another round sends it again.
func (w *Worker) RunOnce(ctx context.Context) (int, error) {
	orgs, err := w.queue.DMPDueOrganisations(ctx, w.cfg.Now())
	if err != nil {
		return 0, err
	}
	total := 0
	var errs []error
	for _, org := range orgs {
		n, err := w.runOrg(ctx, org)
		total += n
		if err != nil {
			if ctx.Err() != nil {
				return total, ctx.Err()
			}
			errs = append(errs, err)
		}
	}
	return total, errors.Join(errs...)
}

func (w *Worker) runOrg(ctx context.Context, org uuid.UUID) (int, error) {
	var items []domain.DMPOutboxItem
	now := w.cfg.Now()
	err := w.store.InTenant(ctx, org, func(tx domain.Tx) error {
		var err error
		if items, err = tx.ClaimDMP(now, w.cfg.Lease, w.cfg.Batch); err != nil {
			return err
		}
		for _, it := range items {
			verb := "envoi"
			if it.Kind == domain.DMPWithdraw {
				verb = "retrait"
			}
			if err := trail(tx, it, fmt.Sprintf("DMP : %s du document « %s », tentative %d", verb, it.Title, it.Attempts)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("DMP outbox: claim: %w", err)
	}
	for _, it := range items {
		o := w.send(ctx, it)
		if ctx.Err() != nil {
			// Interrupted: the lease brings the row back.
			return len(items), ctx.Err()
		}
		if err := w.mark(ctx, org, it, o); err != nil {
			return len(items), err
		}
	}
	return len(items), nil
}

// send makes one attempt and classifies its outcome.
func (w *Worker) send(ctx context.Context, it domain.DMPOutboxItem) domain.DMPOutcome {
	d := it.Descriptor
	actor := xds.Actor{SubjectID: d.SubjectID, SubjectName: d.SubjectName, Roles: []xds.Code{xcode(d.Role)},
		StructureID: d.StructureID, Sector: xcode(d.Sector)}
	ins := xds.II{Root: d.PatientINSOID, Extension: d.PatientINS}
	var err error
	switch it.Kind {
	case domain.DMPProvide:
		masking := make([]xds.Masking, len(d.Masking))
		for i, m := range d.Masking {
			masking[i] = xds.Masking(m)
		}
		var s xds.Submission
		s, err = xds.NewSubmission(w.cfg.Source, xds.Document{CDA: it.CDA, ClassCode: xcode(d.ClassCode), FormatCode: xcode(d.FormatCode),
			Masking: masking, Comments: d.Comments}, xds.NewSubmissionID(), w.cfg.Now())
		if err != nil {
			return domain.DMPOutcome{Status: domain.DMPRefused, Reason: "Document non transmissible : " + err.Error(), At: w.cfg.Now()}
		}
		err = w.sender.Provide(ctx, actor, s)
	case domain.DMPWithdraw:
		err = w.sender.Withdraw(ctx, actor, xds.Withdrawal{Source: w.cfg.Source, PatientINS: ins, UniqueID: it.UniqueID,
			Author:             xds.Person{ID: xds.II{Root: xds.OIDIdNatPS, Extension: d.SubjectID}, Family: d.SubjectName},
			SubmissionUniqueID: xds.NewSubmissionID(), Time: w.cfg.Now()})
	default:
		return domain.DMPOutcome{Status: domain.DMPRefused, Reason: "Demande inconnue.", At: w.cfg.Now()}
	}
	now := w.cfg.Now()
	var ref *xds.RefusedError
	switch {
	case err == nil:
		return domain.DMPOutcome{Status: domain.DMPSent, At: now}
	case errors.As(err, &ref) && ref.Duplicate() && it.Kind == domain.DMPProvide:
		// The DMP already holds this uniqueId with the same content: an
		// earlier attempt got through and we lost its answer (crash, timeout
		// after the DMP committed). Counting it as sent is safe because the
		// uniqueId is the CDA's own id, never reused for other content, and
		// the registry answers XDSNonIdenticalHash (a refusal) if the content
		// differed.
		return domain.DMPOutcome{Status: domain.DMPSent, At: now}
	case ref != nil:
		return domain.DMPOutcome{Status: domain.DMPRefused, Reason: capitalise(ref.Error()) + ".", At: now}
	}
	next := now.Add(domain.DMPBackoff(it.Attempts))
	return domain.DMPOutcome{Status: domain.DMPWaiting, At: now, NextTryAt: next,
		Reason: fmt.Sprintf("Échec temporaire (%s) : nouvel essai prévu.", retryReason(err))}
}

func retryReason(err error) string {
	var un *xds.UnavailableError
	if errors.As(err, &un) && un.Status != 0 {
		return fmt.Sprintf("DMP injoignable, HTTP %d", un.Status)
	}
	return "DMP injoignable"
}

func capitalise(s string) string {
	if s == "" {
		return s
	}
	r := []rune(s)
	if r[0] >= 'a' && r[0] <= 'z' {
		r[0] -= 'a' - 'A'
	}
	return string(r)
}

func (w *Worker) mark(ctx context.Context, org uuid.UUID, it domain.DMPOutboxItem, o domain.DMPOutcome) error {
	return w.store.InTenant(ctx, org, func(tx domain.Tx) error {
		ok, err := tx.MarkDMP(it.ID, it.Attempts, o)
		if err != nil || !ok {
			// !ok: another worker claimed the row again after our lease
			// expired; its outcome wins.
			return err
		}
		var detail string
		switch o.Status {
		case domain.DMPSent:
			detail = fmt.Sprintf("DMP : document « %s » envoyé", it.Title)
			if it.Kind == domain.DMPWithdraw {
				detail = fmt.Sprintf("DMP : document « %s » retiré", it.Title)
			}
		case domain.DMPRefused:
			detail = fmt.Sprintf("DMP : document « %s » refusé : %s", it.Title, o.Reason)
		default:
			detail = fmt.Sprintf("DMP : document « %s » non transmis, nouvel essai le %s UTC", it.Title, o.NextTryAt.UTC().Format("02/01/2006 15:04"))
		}
		return trail(tx, it, detail)
	})
}
