-- The readers' group (audit-sink/README.md, "PostgreSQL roles"): whoever checks the record
-- (`audit verify`, `audit export`) logs in as a member of ${readerRole}, which may read the table
-- and nothing else. The sink's own login can append, so a verifier holding it could add records
-- that verify (a correctly hashed record at a chain's end is indistinguishable from a real one).
-- Created here when the migrating role has CREATEROLE; otherwise an operator creates it first
-- (compose/postgres/init.sh does). Granted on this schema only; any write privilege the group
-- was given by hand is taken back, so a member can only read. Idempotent: GRANT and REVOKE of
-- what is already so change nothing.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${readerRole}') THEN
        BEGIN
            CREATE ROLE ${readerRole} NOLOGIN;
        EXCEPTION
            WHEN duplicate_object OR unique_violation THEN NULL;
            WHEN insufficient_privilege THEN
                RAISE WARNING 'cannot create role ${readerRole}: create it as an operator and grant it USAGE on this schema and SELECT on audit_record (audit-sink/README.md, "PostgreSQL roles")';
        END;
    END IF;
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${readerRole}') THEN
        EXECUTE format('GRANT USAGE ON SCHEMA %I TO ${readerRole}', current_schema());
        EXECUTE format('GRANT SELECT ON TABLE %I.audit_record TO ${readerRole}', current_schema());
        EXECUTE format('REVOKE INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON TABLE %I.audit_record FROM ${readerRole}', current_schema());
    END IF;
END
$$;
