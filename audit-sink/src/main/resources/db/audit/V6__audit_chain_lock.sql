-- One row per chain that appenders lock (SELECT ... FOR UPDATE) to serialize their appends to it
-- (audit-sink/README.md, "PostgreSQL roles"). It replaces a transaction-scoped advisory lock:
-- PostgreSQL lets every login take any advisory lock (EXECUTE on pg_advisory_xact_lock is
-- granted to PUBLIC, and only a superuser may take it back), so the readers' login, the
-- executors' or any other could hold a chain's lock in a session it keeps open and stop that
-- chain's appends. A row lock needs UPDATE privilege on the table, and only the writer group has
-- it: no other login can take, or wait out, this lock. The rows carry no data (a chain's name is
-- in every one of its records) and are never changed or removed, by anyone: the trigger refuses
-- UPDATE, DELETE and TRUNCATE, also to the owner and superusers (SELECT ... FOR UPDATE fires no
-- trigger). A chain's row is created by its first append; existing chains get theirs here.
CREATE TABLE audit_chain_lock (
    chain_id text PRIMARY KEY
);

CREATE FUNCTION audit_chain_lock_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_chain_lock only grows: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege',
              HINT = 'Appenders lock a chain''s row (SELECT ... FOR UPDATE); nobody changes or removes one.';
END
$$;

CREATE TRIGGER audit_chain_lock_no_update_or_delete
    BEFORE UPDATE OR DELETE ON audit_chain_lock
    FOR EACH ROW EXECUTE FUNCTION audit_chain_lock_refuse_change();
CREATE TRIGGER audit_chain_lock_no_truncate
    BEFORE TRUNCATE ON audit_chain_lock
    FOR EACH STATEMENT EXECUTE FUNCTION audit_chain_lock_refuse_change();
ALTER TABLE audit_chain_lock ENABLE ALWAYS TRIGGER audit_chain_lock_no_update_or_delete;
ALTER TABLE audit_chain_lock ENABLE ALWAYS TRIGGER audit_chain_lock_no_truncate;

INSERT INTO audit_chain_lock (chain_id) SELECT DISTINCT chain_id FROM audit_record;

-- Nobody but the writer group: no SELECT either (a reader learns nothing it could not read in
-- audit_record, but needs nothing here). The writer group gets SELECT, INSERT (a new chain's row)
-- and UPDATE of the one column (which FOR UPDATE needs; the trigger refuses every real UPDATE).
-- Column UPDATE, not table UPDATE: LOCK TABLE in a mode that would stop inserts (SHARE and
-- stronger) needs table-level UPDATE, DELETE or TRUNCATE, so not even a writer can lock out the
-- whole table. Granted here and again by the afterMigrate callback (afterMigrate__audit_grants.sql)
-- after every `audit migrate`.
REVOKE ALL ON audit_chain_lock FROM PUBLIC;
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${writerRole}') THEN
        EXECUTE format('GRANT SELECT, INSERT, UPDATE (chain_id) ON TABLE %I.audit_chain_lock TO ${writerRole}', current_schema());
    END IF;
END
$$;
