-- The Kafka cluster a record was read from (format version 2, hashed like every other column).
-- NULL for records written before it was recorded: they are version 1 and verify as before.
-- The sink compares it, and the offsets, with the chain's last record to notice a source that
-- was reset (audit-sink/README.md, "Source resets"). Adding a column fires no row trigger, and
-- the writer role's table-wide INSERT and SELECT cover it.
ALTER TABLE audit_record ADD COLUMN source_cluster text;
