-- PostgreSQL baseline of the reconciliation benchmark: tables the CSV exports are COPY-loaded into.
-- Same inputs as the Spark job: the raw 26-byte records (as bytea), the ticket keys, the Avro metadata, the logs.
CREATE EXTENSION IF NOT EXISTS pgcrypto;
CREATE UNLOGGED TABLE raw_records (file_name text, record_index bigint, rec bytea);
CREATE UNLOGGED TABLE ticket_keys (key_id int PRIMARY KEY, k bytea);
CREATE UNLOGGED TABLE budget (sponsor_id text, funded_fen bigint);
CREATE UNLOGGED TABLE plan_allocations (slot_id text, sponsor_id text, total_fen bigint, count bigint);
CREATE UNLOGGED TABLE batches (batch_id int PRIMARY KEY, slot_id text, sponsor_id text, count bigint, total_fen bigint,
                               min_fen bigint, max_fen bigint, first_envelope_id bigint);
CREATE UNLOGGED TABLE manifests (file_name text, record_count bigint, amount_fen bigint, checksum text);
CREATE UNLOGGED TABLE opens (event_id text, envelope_id bigint, amount_fen bigint, batch_id int, open_time_ms bigint, hour text);
CREATE UNLOGGED TABLE rejects (open_event_id text, envelope_id bigint);
CREATE UNLOGGED TABLE credits (credit_id text, envelope_id bigint, amount_fen bigint, batch_id int, sponsor_id text,
                               open_event_id text, credit_time_ms bigint, hour text);
