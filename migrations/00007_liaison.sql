-- Liaison notes (cahier de liaison): a note about a usager (or about the
-- establishment in general) addressed to users and/or roles of one
-- establishment, with its replies (one level) and who read it when.

-- +goose Up
CREATE TABLE liaison_notes (
  id                uuid PRIMARY KEY,
  org_id            uuid NOT NULL,
  establishment_id  uuid NOT NULL,
  usager_id         uuid,
  section           text NOT NULL CHECK (section IN ('admin','social','educational','care','medical')),
  priority          text NOT NULL CHECK (priority IN ('normale','importante','urgente')),
  body              text NOT NULL CHECK (body <> ''),
  author_id         uuid NOT NULL,
  author_name       text NOT NULL,
  parent_id         uuid REFERENCES liaison_notes (id),
  created_at        timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (org_id, establishment_id) REFERENCES establishments (org_id, id),
  FOREIGN KEY (org_id, usager_id) REFERENCES usagers (org_id, id)
);
-- The usager's notes on the dossier; the thread of a note.
CREATE INDEX liaison_notes_usager ON liaison_notes (usager_id, created_at DESC) WHERE parent_id IS NULL AND usager_id IS NOT NULL;
CREATE INDEX liaison_notes_thread ON liaison_notes (parent_id, created_at) WHERE parent_id IS NOT NULL;

-- Recipients: one row per user or per role of the note's establishment. The
-- establishment and the date are copied so the inbox walks one index.
CREATE TABLE liaison_recipients (
  org_id            uuid NOT NULL,
  note_id           uuid NOT NULL REFERENCES liaison_notes (id),
  establishment_id  uuid NOT NULL,
  user_id           uuid,
  role              text CHECK (role ~ '^[a-z_]{2,40}$'),
  created_at        timestamptz NOT NULL,
  CHECK ((user_id IS NULL) <> (role IS NULL)),
  FOREIGN KEY (org_id, user_id) REFERENCES users (org_id, id)
);
CREATE UNIQUE INDEX liaison_recipients_user ON liaison_recipients (user_id, created_at DESC, note_id) WHERE user_id IS NOT NULL;
CREATE UNIQUE INDEX liaison_recipients_role ON liaison_recipients (establishment_id, role, created_at DESC, note_id) WHERE role IS NOT NULL;
CREATE INDEX liaison_recipients_note ON liaison_recipients (note_id);

-- Read receipts: the first opening only.
CREATE TABLE liaison_reads (
  org_id   uuid NOT NULL,
  note_id  uuid NOT NULL REFERENCES liaison_notes (id),
  user_id  uuid NOT NULL,
  read_at  timestamptz NOT NULL,
  PRIMARY KEY (note_id, user_id),
  FOREIGN KEY (org_id, user_id) REFERENCES users (org_id, id)
);

-- The nav badge's source: one row per recipient user (explicit, or holding a
-- recipient role when the note was written) until they open the note, so the
-- count costs the same whatever the history.
CREATE TABLE liaison_unread (
  org_id      uuid NOT NULL,
  user_id     uuid NOT NULL,
  note_id     uuid NOT NULL REFERENCES liaison_notes (id),
  created_at  timestamptz NOT NULL,
  PRIMARY KEY (user_id, note_id),
  FOREIGN KEY (org_id, user_id) REFERENCES users (org_id, id)
);

-- +goose StatementBegin
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['liaison_notes','liaison_recipients','liaison_reads','liaison_unread'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant ON %I USING (org_id = relais_tenant()) WITH CHECK (org_id = relais_tenant())', t);
  END LOOP;
END
$$;
-- +goose StatementEnd

-- A note is never rewritten; a merge moves it to the kept record.
GRANT SELECT, INSERT ON liaison_notes, liaison_recipients, liaison_reads, liaison_unread TO relais_app;
GRANT UPDATE (usager_id) ON liaison_notes TO relais_app;
GRANT DELETE ON liaison_unread TO relais_app;

-- +goose Down
DROP TABLE liaison_unread, liaison_reads, liaison_recipients, liaison_notes;
