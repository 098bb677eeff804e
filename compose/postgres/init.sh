#!/bin/sh
# Runs once, when the database volume is new (the postgres image runs it as the superuser).
# The audit store's roles, as audit-sink/README.md "PostgreSQL roles" describes them:
#   tollgate_audit_owner  owns schema audit; only the one-shot migration step logs in as it
#   tollgate_audit_writer NOLOGIN group; the migration grants it SELECT, INSERT on audit_record
#                         and the row locks of audit_chain_lock
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
#                         so its password cannot add, change or remove a record; at most 4
#                         sessions at once, so it cannot take every connection the server has
# and the executors' completion record: tollgate_executor owns schema executor. PUBLIC loses
# CREATE on schema public and TEMPORARY on the database: no login makes tables of its own.
#
# The passwords are read by psql itself from the mounted secret files (\set name `cat file`,
# in the quoted heredoc, so the shell expands nothing): they never appear on a command line
# (any process in the container can read /proc/PID/cmdline) or in an environment, and nothing
# here prints them. The session also keeps them out of the server's log (no statement logging;
# a failed statement is not logged with its text).
set -eu
for secret in audit_owner_password audit_sink_password audit_reader_password executor_password; do
  if [ ! -s "/run/secrets/$secret" ]; then
    echo "init.sh: /run/secrets/$secret is missing or empty" >&2
    exit 1
  fi
done
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" <<'SQL'
SET log_statement = 'none';
SET log_min_duration_statement = -1;
SET log_min_error_statement = 'panic';
\set owner_password `cat /run/secrets/audit_owner_password`
\set sink_password `cat /run/secrets/audit_sink_password`
\set reader_password `cat /run/secrets/audit_reader_password`
\set executor_password `cat /run/secrets/executor_password`
CREATE ROLE tollgate_audit_owner LOGIN PASSWORD :'owner_password';
CREATE SCHEMA audit AUTHORIZATION tollgate_audit_owner;
CREATE ROLE tollgate_audit_writer NOLOGIN;
CREATE ROLE tollgate_audit_sink LOGIN PASSWORD :'sink_password' IN ROLE tollgate_audit_writer;
CREATE ROLE tollgate_audit_pruner NOLOGIN;
CREATE ROLE tollgate_audit_readers NOLOGIN;
CREATE ROLE tollgate_audit_reader LOGIN CONNECTION LIMIT 4 PASSWORD :'reader_password' IN ROLE tollgate_audit_readers;
CREATE ROLE tollgate_executor LOGIN PASSWORD :'executor_password';
CREATE SCHEMA executor AUTHORIZATION tollgate_executor;
\unset owner_password
\unset sink_password
\unset reader_password
\unset executor_password
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
REVOKE TEMPORARY ON DATABASE :"DBNAME" FROM PUBLIC;
SQL
