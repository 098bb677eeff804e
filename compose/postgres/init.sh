#!/bin/sh
# Runs once, when the database volume is new. Two login roles, each owning its own schema:
# tollgate_audit (the audit sink migrates and writes schema audit) and tollgate_executor
# (the executors' completion record, schema executor). Passwords come from the mounted secrets.
set -eu
audit_password=$(cat /run/secrets/audit_password)
executor_password=$(cat /run/secrets/executor_password)
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v audit_password="$audit_password" -v executor_password="$executor_password" <<'SQL'
CREATE ROLE tollgate_audit LOGIN PASSWORD :'audit_password';
CREATE ROLE tollgate_audit_writer NOLOGIN;
CREATE SCHEMA audit AUTHORIZATION tollgate_audit;
CREATE ROLE tollgate_executor LOGIN PASSWORD :'executor_password';
CREATE SCHEMA executor AUTHORIZATION tollgate_executor;
SQL
