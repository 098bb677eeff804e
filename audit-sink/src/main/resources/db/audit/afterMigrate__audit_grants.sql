-- Flyway's afterMigrate callback: runs at the end of every `audit migrate`, also when no migration
-- was pending. A migration runs once, and V2, V4, V5 and V6 grant only to the groups that exist
-- when they run; this (re)applies to whichever of the three groups exist now exactly what each
-- may do on this schema, and takes back anything else granted on the audit tables (by hand, or
-- before a group's purpose changed). So creating a group after its migration ran and running
-- `audit migrate` again is all it takes (audit-sink/README.md, "PostgreSQL roles"). Idempotent:
-- it ends in the same grants however often it runs. Creates no role. Run by the owner (who may
-- grant and revoke on its own tables); grants on this schema only. A group named here that owns
-- the audit tables (a misconfiguration: one login for everything) is left as it is, with a
-- warning: taking back "anything else" from the owner would take its own table from it.
DO $$
DECLARE
    s text := current_schema();
    lock_table boolean := to_regclass(format('%I.audit_chain_lock', current_schema())) IS NOT NULL;
    owner name;
BEGIN
    IF to_regclass(format('%I.audit_record', s)) IS NULL THEN
        RETURN;
    END IF;
    SELECT r.rolname INTO owner FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner
        WHERE c.oid = to_regclass(format('%I.audit_record', s));
    IF owner IN ('${writerRole}', '${prunerRole}', '${readerRole}') THEN
        RAISE WARNING 'the audit tables'' owner % is also named as the writer, pruner or reader'
            ' role: its privileges are left as they are; give each group a role of its own'
            ' (audit-sink/README.md, "PostgreSQL roles")', owner;
    END IF;
    EXECUTE format('REVOKE ALL ON TABLE %I.audit_record FROM PUBLIC', s);
    IF lock_table THEN
        EXECUTE format('REVOKE ALL ON TABLE %I.audit_chain_lock FROM PUBLIC', s);
    END IF;
    -- the sink's group: reads and appends the record, and locks a chain's row while appending
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${writerRole}')
            AND owner <> '${writerRole}' THEN
        EXECUTE format('GRANT USAGE ON SCHEMA %I TO ${writerRole}', s);
        EXECUTE format('REVOKE ALL ON TABLE %I.audit_record FROM ${writerRole}', s);
        EXECUTE format('GRANT SELECT, INSERT ON TABLE %I.audit_record TO ${writerRole}', s);
        IF lock_table THEN
            EXECUTE format('REVOKE ALL ON TABLE %I.audit_chain_lock FROM ${writerRole}', s);
            EXECUTE format('GRANT SELECT, INSERT, UPDATE (chain_id) ON TABLE %I.audit_chain_lock TO ${writerRole}', s);
        END IF;
    END IF;
    -- the pruner's group: reads, and updates only the columns a tombstone empties or sets
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${prunerRole}')
            AND owner <> '${prunerRole}'
            AND EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass(format(
                '%I.audit_record', s)) AND attname = 'erased_retention' AND NOT attisdropped) THEN
        EXECUTE format('GRANT USAGE ON SCHEMA %I TO ${prunerRole}', s);
        EXECUTE format('REVOKE ALL ON TABLE %I.audit_record FROM ${prunerRole}', s);
        EXECUTE format('GRANT SELECT ON TABLE %I.audit_record TO ${prunerRole}', s);
        EXECUTE format('GRANT UPDATE (producer, request_id, agent_id, environment, action, resource,'
            || ' repository, decision, reason, policy_version, outcome, error_class, context,'
            || ' erased_at, erased_class, erased_retention) ON TABLE %I.audit_record TO ${prunerRole}', s);
        IF lock_table THEN
            EXECUTE format('REVOKE ALL ON TABLE %I.audit_chain_lock FROM ${prunerRole}', s);
        END IF;
    END IF;
    -- the readers' group: reads the record, nothing else
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${readerRole}')
            AND owner <> '${readerRole}' THEN
        EXECUTE format('GRANT USAGE ON SCHEMA %I TO ${readerRole}', s);
        EXECUTE format('REVOKE ALL ON TABLE %I.audit_record FROM ${readerRole}', s);
        EXECUTE format('GRANT SELECT ON TABLE %I.audit_record TO ${readerRole}', s);
        IF lock_table THEN
            EXECUTE format('REVOKE ALL ON TABLE %I.audit_chain_lock FROM ${readerRole}', s);
        END IF;
    END IF;
END
$$;
