-- The group role the sink's login role belongs to: it may read and append, nothing else.
-- Created here when the migrating role has CREATEROLE; otherwise an operator creates it first
-- (see audit-sink/README.md, "PostgreSQL roles"). Granted on this schema only.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${writerRole}') THEN
        BEGIN
            CREATE ROLE ${writerRole} NOLOGIN;
        EXCEPTION
            WHEN duplicate_object THEN NULL;
            WHEN insufficient_privilege THEN
                RAISE WARNING 'cannot create role ${writerRole}: create it as an operator and re-grant (audit-sink/README.md)';
        END;
    END IF;
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${writerRole}') THEN
        EXECUTE format('GRANT USAGE ON SCHEMA %I TO ${writerRole}', current_schema());
        EXECUTE format('GRANT SELECT, INSERT ON TABLE %I.audit_record TO ${writerRole}', current_schema());
        EXECUTE format('REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON TABLE %I.audit_record FROM ${writerRole}', current_schema());
    END IF;
END
$$;
