-- Retention (audit-sink/README.md, "Retention"): a record past its class's retention may become a
-- tombstone. It keeps its place and identity (chain, sequence, event ID and type, source position,
-- occurred_at, previous_hash and its original hash) and loses every column that carries data. Only
-- members of the group role ${prunerRole} may do that, and only that: the trigger still refuses
-- every other UPDATE, every DELETE and TRUNCATE, for everyone, the owner and superusers included
-- (membership is read from pg_auth_members, so superuser status alone does not make a pruner).
ALTER TABLE audit_record
    ADD COLUMN erased_at        timestamptz,
    ADD COLUMN erased_class     text,
    ADD COLUMN erased_retention text;

CREATE OR REPLACE FUNCTION audit_record_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    is_pruner boolean;
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF NEW.erased_at IS NOT NULL OR NEW.erased_class IS NOT NULL
                OR NEW.erased_retention IS NOT NULL THEN
            RAISE EXCEPTION 'audit_record: a record is appended intact, never as a tombstone'
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        RETURN NEW;
    END IF;
    is_pruner := TG_OP = 'UPDATE' AND EXISTS (
        WITH RECURSIVE member_of(roleid) AS (
            SELECT oid FROM pg_roles WHERE rolname = current_user
            UNION
            SELECT m.roleid FROM pg_auth_members m JOIN member_of ON m.member = member_of.roleid)
        SELECT 1 FROM member_of JOIN pg_roles r ON r.oid = member_of.roleid
        WHERE r.rolname = '${prunerRole}');
    IF NOT is_pruner THEN
        RAISE EXCEPTION 'audit_record is append-only: % refused', TG_OP
            USING ERRCODE = 'insufficient_privilege',
                  HINT = 'Audit records are never updated or deleted; to correct something, append a new event. Only the pruner role turns a record past its retention into a tombstone (audit prune).';
    END IF;
    IF OLD.erased_at IS NOT NULL THEN
        RAISE EXCEPTION 'audit_record %#% is a tombstone already: it stays one, unchanged',
            OLD.chain_id, OLD.sequence USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NEW.chain_id IS DISTINCT FROM OLD.chain_id OR NEW.sequence IS DISTINCT FROM OLD.sequence
            OR NEW.event_id IS DISTINCT FROM OLD.event_id
            OR NEW.event_type IS DISTINCT FROM OLD.event_type
            OR NEW.source_topic IS DISTINCT FROM OLD.source_topic
            OR NEW.source_partition IS DISTINCT FROM OLD.source_partition
            OR NEW.source_offset IS DISTINCT FROM OLD.source_offset
            OR NEW.source_timestamp IS DISTINCT FROM OLD.source_timestamp
            OR NEW.source_cluster IS DISTINCT FROM OLD.source_cluster
            OR NEW.occurred_at IS DISTINCT FROM OLD.occurred_at
            OR NEW.previous_hash IS DISTINCT FROM OLD.previous_hash
            OR NEW.hash IS DISTINCT FROM OLD.hash
            OR NEW.stored_at IS DISTINCT FROM OLD.stored_at THEN
        RAISE EXCEPTION 'audit_record %#%: a tombstone keeps its place, identity, time and hashes unchanged',
            OLD.chain_id, OLD.sequence USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NEW.erased_at IS NULL OR NEW.erased_class IS NULL OR NEW.erased_retention IS NULL THEN
        RAISE EXCEPTION 'audit_record %#%: the pruner only turns records into tombstones (erased_at, erased_class, erased_retention)',
            OLD.chain_id, OLD.sequence USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF num_nonnulls(NEW.producer, NEW.request_id, NEW.agent_id, NEW.environment, NEW.action,
            NEW.resource, NEW.repository, NEW.decision, NEW.reason, NEW.policy_version,
            NEW.outcome, NEW.error_class) > 0 OR NEW.context <> '' THEN
        RAISE EXCEPTION 'audit_record %#%: a tombstone carries no content', OLD.chain_id,
            OLD.sequence USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF OLD.event_type = 'SourceReset' THEN
        RAISE EXCEPTION 'audit_record %#%: a source reset is never erased', OLD.chain_id,
            OLD.sequence USING ERRCODE = 'insufficient_privilege';
    END IF;
    -- The database's clock, not the pruner's, says when.
    NEW.erased_at := clock_timestamp();
    IF NEW.erased_at - greatest(OLD.occurred_at, coalesce(OLD.source_timestamp, OLD.occurred_at))
            < NEW.erased_retention::interval THEN
        RAISE EXCEPTION 'audit_record %#% is younger than the retention it would be erased under (%)',
            OLD.chain_id, OLD.sequence, NEW.erased_retention USING ERRCODE = 'insufficient_privilege';
    END IF;
    -- A tombstone's previous hash cannot be checked any more: one right after a kept record could
    -- hide an edit of it. Erasure takes a chain's oldest records first (source resets aside).
    IF EXISTS (SELECT 1 FROM audit_record p WHERE p.chain_id = OLD.chain_id
            AND p.sequence = OLD.sequence - 1 AND p.erased_at IS NULL
            AND p.event_type <> 'SourceReset') THEN
        RAISE EXCEPTION 'audit_record %#%: the record before it is kept, and erasure takes a chain''s oldest records first',
            OLD.chain_id, OLD.sequence USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END
$$;

-- A record is born intact: no INSERT writes a tombstone.
CREATE TRIGGER audit_record_born_intact
    BEFORE INSERT ON audit_record
    FOR EACH ROW EXECUTE FUNCTION audit_record_refuse_change();
ALTER TABLE audit_record ENABLE ALWAYS TRIGGER audit_record_born_intact;

-- The pruner group: it reads, and may update exactly the columns a tombstone empties or sets.
-- Created here when the migrating role has CREATEROLE; otherwise an operator creates it first.
-- The sink's writer role gets nothing of this.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${prunerRole}') THEN
        BEGIN
            CREATE ROLE ${prunerRole} NOLOGIN;
        EXCEPTION
            WHEN duplicate_object THEN NULL;
            WHEN insufficient_privilege THEN
                RAISE WARNING 'cannot create role ${prunerRole}: create it as an operator and re-grant (audit-sink/README.md)';
        END;
    END IF;
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${prunerRole}') THEN
        EXECUTE format('GRANT USAGE ON SCHEMA %I TO ${prunerRole}', current_schema());
        EXECUTE format('GRANT SELECT ON TABLE %I.audit_record TO ${prunerRole}', current_schema());
        EXECUTE format('GRANT UPDATE (producer, request_id, agent_id, environment, action, resource,'
            || ' repository, decision, reason, policy_version, outcome, error_class, context,'
            || ' erased_at, erased_class, erased_retention) ON TABLE %I.audit_record TO ${prunerRole}',
            current_schema());
    END IF;
END
$$;
