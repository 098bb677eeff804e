-- The audit store: append-only, one hash chain per Kafka source topic-partition.
-- The chain format is described in audit-sink/README.md; every column but stored_at is hashed.

CREATE TABLE audit_record (
    chain_id          text        NOT NULL,
    sequence          bigint      NOT NULL CHECK (sequence >= 1),
    event_id          text        NOT NULL,
    event_type        text        NOT NULL,
    source_topic      text        NOT NULL,
    source_partition  integer     NOT NULL,
    source_offset     bigint      NOT NULL,
    source_timestamp  timestamptz,
    occurred_at       timestamptz NOT NULL,
    producer          text,
    request_id        text,
    agent_id          text,
    environment       text,
    action            text,
    resource          text,
    repository        text,
    decision          text,
    reason            text,
    policy_version    text,
    outcome           text,
    error_class       text,
    context           text        NOT NULL,
    previous_hash     char(64)    NOT NULL,
    hash              char(64)    NOT NULL,
    -- when this row was written; informational, not part of the hash
    stored_at         timestamptz NOT NULL DEFAULT clock_timestamp(),
    CONSTRAINT audit_record_chain_sequence PRIMARY KEY (chain_id, sequence),
    CONSTRAINT audit_record_event_once UNIQUE (event_id)
);

CREATE INDEX audit_record_occurred ON audit_record (occurred_at, chain_id, sequence);
CREATE INDEX audit_record_request ON audit_record (request_id);

-- Nobody changes the record, not even the owner or a superuser running a careless script.
CREATE FUNCTION audit_record_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_record is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege',
              HINT = 'Audit records are never updated or deleted; to correct something, append a new event.';
END
$$;

CREATE TRIGGER audit_record_no_update_or_delete
    BEFORE UPDATE OR DELETE ON audit_record
    FOR EACH ROW EXECUTE FUNCTION audit_record_refuse_change();

CREATE TRIGGER audit_record_no_truncate
    BEFORE TRUNCATE ON audit_record
    FOR EACH STATEMENT EXECUTE FUNCTION audit_record_refuse_change();

-- ALWAYS: the triggers also fire under session_replication_role = replica.
ALTER TABLE audit_record ENABLE ALWAYS TRIGGER audit_record_no_update_or_delete;
ALTER TABLE audit_record ENABLE ALWAYS TRIGGER audit_record_no_truncate;

REVOKE ALL ON audit_record FROM PUBLIC;
