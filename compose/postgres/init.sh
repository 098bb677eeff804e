#!/bin/sh
# Runs once, when the database volume is new (the postgres image runs it as the superuser).
# The audit store's roles, as audit-sink/README.md "PostgreSQL roles" describes them:
#   tollgate_audit_owner  owns schema audit; only the one-shot migration step logs in as it
#   tollgate_audit_writer NOLOGIN group; the migration grants it SELECT, INSERT on audit_record
#   tollgate_audit_sink   the sink's login: a member of the group, owner of nothing, so it can
#                         append and read but cannot switch the append-only trigger off
#   tollgate_audit_pruner NOLOGIN group, no members: the migration grants it the one update the
#                         trigger allows (turning a record past its retention into a tombstone);
#                         grant it to a login of its own to run `audit prune` (audit-sink README,
#                         "Retention"), never to the sink
#   tollgate_audit_readers NOLOGIN group; the migration grants it SELECT on audit_record and
#                         nothing else
#   tollgate_audit_reader the login that checks the record (`audit verify`, `audit export`:
#                         compose's audit-verify service): a member of the readers' group only,
#                         so its password cannot add, change or remove a record
# and the executors' completion record: tollgate_executor owns schema executor.
# Passwords come from the mounted secrets.
set -eu
owner_password=$(cat /run/secrets/audit_owner_password)
sink_password=$(cat /run/secrets/audit_sink_password)
reader_password=$(cat /run/secrets/audit_reader_password)
executor_password=$(cat /run/secrets/executor_password)
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v owner_password="$owner_password" -v sink_password="$sink_password" \
  -v reader_password="$reader_password" \
  -v executor_password="$executor_password" <<'SQL'
CREATE ROLE tollgate_audit_owner LOGIN PASSWORD :'owner_password';
CREATE SCHEMA audit AUTHORIZATION tollgate_audit_owner;
CREATE ROLE tollgate_audit_writer NOLOGIN;
CREATE ROLE tollgate_audit_sink LOGIN PASSWORD :'sink_password' IN ROLE tollgate_audit_writer;
CREATE ROLE tollgate_audit_pruner NOLOGIN;
CREATE ROLE tollgate_audit_readers NOLOGIN;
CREATE ROLE tollgate_audit_reader LOGIN PASSWORD :'reader_password' IN ROLE tollgate_audit_readers;
CREATE ROLE tollgate_executor LOGIN PASSWORD :'executor_password';
CREATE SCHEMA executor AUTHORIZATION tollgate_executor;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
SQL
