-- The reconciliation checks as plain PostgreSQL SQL (pgcrypto for AES), over the tables of postgres-schema.sql.
-- Every intermediate table is ANALYZEd right after it is created: without statistics the planner chose nested
-- loops (a first run spent > 5 min in envelope_status at 1e7).
-- Mirrors io.redpacket.reconciliation.spark.Checks (PostgreSQL's << and | share one precedence: parenthesize); differences: the record CRC32C is not recomputed (PostgreSQL has
-- no CRC32C; the ticket's 64 redundant bits are checked), and file checksums are sha256 over the records in order.
ANALYZE;

-- Decrypt every record: header key id bytes 1..2, header batch id bytes 3..5, sealed ticket bytes 10..25.
CREATE UNLOGGED TABLE decrypted AS
SELECT r.file_name, r.record_index,
       ((get_byte(r.rec, 1) << 8) | get_byte(r.rec, 2))                             AS header_key_id,
       ((get_byte(r.rec, 3) << 16) | (get_byte(r.rec, 4) << 8) | get_byte(r.rec, 5)) AS header_batch_id,
       CASE WHEN k.k IS NOT NULL THEN decrypt(substring(r.rec FROM 11 FOR 16), k.k, 'aes-ecb/pad:none') END AS p
FROM raw_records r
LEFT JOIN ticket_keys k ON k.key_id = ((get_byte(r.rec, 1) << 8) | get_byte(r.rec, 2));

ANALYZE decrypted;

CREATE UNLOGGED TABLE envelopes AS
SELECT file_name, record_index, header_key_id, header_batch_id,
       ((get_byte(p, 0)::bigint << 32) | (get_byte(p, 1)::bigint << 24) | (get_byte(p, 2)::bigint << 16)
          | (get_byte(p, 3)::bigint << 8) | get_byte(p, 4)::bigint)                 AS envelope_id,
       ((get_byte(p, 5) << 16) | (get_byte(p, 6) << 8) | get_byte(p, 7))::bigint     AS amount_fen,
       ((get_byte(p, 8) << 16) | (get_byte(p, 9) << 8) | get_byte(p, 10))           AS batch_id,
       ((get_byte(p, 11) << 8) | get_byte(p, 12))                                    AS key_id,
       ((get_byte(p, 13) << 16) | (get_byte(p, 14) << 8) | get_byte(p, 15))         AS tag
FROM decrypted WHERE p IS NOT NULL;

ANALYZE envelopes;

CREATE UNLOGGED TABLE decrypt_failures AS
SELECT d.file_name, d.record_index, CASE WHEN d.p IS NULL THEN 'UNKNOWN_KEY' ELSE 'TICKET_NOT_AUTHENTIC' END AS reason
FROM decrypted d LEFT JOIN envelopes e USING (file_name, record_index)
WHERE d.p IS NULL OR e.tag <> 15014599 OR e.batch_id <> e.header_batch_id OR e.key_id <> e.header_key_id OR e.amount_fen = 0;

ANALYZE decrypt_failures;

CREATE UNLOGGED TABLE valid_envelopes AS
SELECT file_name, record_index, envelope_id, amount_fen, batch_id, key_id FROM envelopes
WHERE tag = 15014599 AND batch_id = header_batch_id AND key_id = header_key_id AND amount_fen > 0;

ANALYZE valid_envelopes;

CREATE UNLOGGED TABLE budget_vs_script AS
SELECT coalesce(b.sponsor_id, s.sponsor_id, t.sponsor_id) AS sponsor_id, b.budget_fen, s.script_fen, t.batches_fen,
       coalesce(b.budget_fen = s.script_fen AND s.script_fen = t.batches_fen AND s.script_count = t.batches_count, false) AS ok
FROM (SELECT sponsor_id, sum(funded_fen) AS budget_fen FROM budget GROUP BY sponsor_id) b
FULL JOIN (SELECT sponsor_id, sum(total_fen) AS script_fen, sum(count) AS script_count FROM plan_allocations GROUP BY sponsor_id) s USING (sponsor_id)
FULL JOIN (SELECT sponsor_id, sum(total_fen) AS batches_fen, sum(count) AS batches_count FROM batches GROUP BY sponsor_id) t USING (sponsor_id);

ANALYZE budget_vs_script;

CREATE UNLOGGED TABLE file_batches AS
SELECT file_name, batch_id, count(*) AS count, sum(amount_fen) AS amount_fen FROM valid_envelopes GROUP BY file_name, batch_id;

ANALYZE file_batches;

CREATE UNLOGGED TABLE files_vs_script AS
SELECT coalesce(b.batch_id, f.batch_id) AS batch_id, b.count AS script_count, b.total_fen AS script_fen,
       f.decrypted_count, f.decrypted_fen,
       coalesce(b.count = f.decrypted_count AND b.total_fen = f.decrypted_fen, false) AS ok
FROM batches b FULL JOIN (SELECT batch_id, sum(count) AS decrypted_count, sum(amount_fen) AS decrypted_fen
                          FROM file_batches GROUP BY batch_id) f USING (batch_id);

ANALYZE files_vs_script;

CREATE UNLOGGED TABLE manifest_vs_files AS
SELECT coalesce(m.file_name, f.file_name) AS file_name, m.record_count AS manifest_record_count, f.record_count AS file_record_count,
       m.amount_fen AS manifest_fen, v.decrypted_fen, m.checksum AS manifest_checksum, f.checksum AS file_checksum,
       coalesce(m.record_count = f.record_count AND m.amount_fen = v.decrypted_fen AND m.checksum = f.checksum, false) AS ok
FROM manifests m
FULL JOIN (SELECT file_name, count(*) AS record_count,
                  'sha256:' || encode(sha256(string_agg(rec, ''::bytea ORDER BY record_index)), 'hex') AS checksum
           FROM raw_records GROUP BY file_name) f USING (file_name)
LEFT JOIN (SELECT file_name, sum(amount_fen) AS decrypted_fen FROM file_batches GROUP BY file_name) v
       ON v.file_name = coalesce(m.file_name, f.file_name);

ANALYZE manifest_vs_files;

CREATE UNLOGGED TABLE envelope_id_uniqueness AS
SELECT envelope_id, count(*) AS occurrences FROM valid_envelopes GROUP BY envelope_id HAVING count(*) > 1;

ANALYZE envelope_id_uniqueness;

CREATE UNLOGGED TABLE record_violations AS
SELECT e.file_name, e.record_index, e.envelope_id, e.amount_fen, e.batch_id,
       CASE WHEN b.batch_id IS NULL THEN 'UNKNOWN_BATCH'
            WHEN e.amount_fen NOT BETWEEN b.min_fen AND b.max_fen THEN 'AMOUNT_OUT_OF_BOUNDS'
            ELSE 'ENVELOPE_ID_OUT_OF_BATCH_RANGE' END AS reason
FROM valid_envelopes e LEFT JOIN batches b USING (batch_id)
WHERE b.batch_id IS NULL OR e.amount_fen NOT BETWEEN b.min_fen AND b.max_fen
   OR e.envelope_id < b.first_envelope_id OR e.envelope_id >= b.first_envelope_id + b.count;

ANALYZE record_violations;

CREATE UNLOGGED TABLE accepted_opens AS
SELECT o.* FROM opens o LEFT JOIN (SELECT DISTINCT open_event_id FROM rejects) r ON r.open_event_id = o.event_id
WHERE r.open_event_id IS NULL;

ANALYZE accepted_opens;

-- Written as joins, not OR-ed EXISTS: PostgreSQL cannot turn those into semi-joins (a first version ran > 7 min at 1e7).
CREATE UNLOGGED TABLE mentioned AS
SELECT envelope_id FROM opens WHERE envelope_id IS NOT NULL
UNION SELECT envelope_id FROM rejects WHERE envelope_id IS NOT NULL
UNION SELECT envelope_id FROM credits;

ANALYZE mentioned;

CREATE UNLOGGED TABLE envelope_status AS
SELECT g.envelope_id, g.batch_id, b.sponsor_id, g.amount_fen,
       CASE WHEN c.envelope_id IS NOT NULL THEN 'CREDITED' WHEN a.envelope_id IS NOT NULL THEN 'PENDING' ELSE 'REJECTED' END AS status
FROM (SELECT DISTINCT ON (envelope_id) envelope_id, amount_fen, batch_id
      FROM valid_envelopes e JOIN mentioned m USING (envelope_id)
      ORDER BY envelope_id, amount_fen, batch_id) g
LEFT JOIN batches b USING (batch_id)
LEFT JOIN (SELECT DISTINCT envelope_id FROM credits) c USING (envelope_id)
LEFT JOIN (SELECT DISTINCT envelope_id FROM accepted_opens WHERE envelope_id IS NOT NULL) a USING (envelope_id);

ANALYZE envelope_status;

CREATE UNLOGGED TABLE credit_discrepancies AS
WITH ranked AS (
  SELECT c.*, row_number() OVER (PARTITION BY c.envelope_id ORDER BY c.credit_time_ms, c.credit_id) AS credit_rank FROM credits c),
joined AS (
  SELECT r.*, s.amount_fen AS gen_amount, s.batch_id AS gen_batch, s.sponsor_id AS gen_sponsor, a.event_id AS accepted_event
  FROM ranked r LEFT JOIN envelope_status s USING (envelope_id)
  LEFT JOIN (SELECT DISTINCT event_id, envelope_id FROM accepted_opens) a
         ON a.event_id = r.open_event_id AND (a.envelope_id IS NULL OR a.envelope_id = r.envelope_id))
SELECT CASE WHEN gen_amount IS NULL THEN 'FORGED'
            WHEN amount_fen IS DISTINCT FROM gen_amount OR batch_id IS DISTINCT FROM gen_batch
              OR sponsor_id IS DISTINCT FROM gen_sponsor THEN 'TAMPERED'
            WHEN credit_rank > 1 THEN 'DUPLICATE_CREDIT'
            WHEN accepted_event IS NULL THEN 'CREDIT_WITHOUT_ACCEPTED_OPEN' END AS type,
       hour, envelope_id, credit_id, amount_fen,
       CASE WHEN gen_amount IS NULL OR credit_rank > 1 THEN amount_fen ELSE amount_fen - gen_amount END AS excess_fen
FROM joined
WHERE gen_amount IS NULL OR amount_fen IS DISTINCT FROM gen_amount OR batch_id IS DISTINCT FROM gen_batch
   OR sponsor_id IS DISTINCT FROM gen_sponsor OR credit_rank > 1 OR accepted_event IS NULL
UNION ALL
SELECT CASE WHEN s.envelope_id IS NULL THEN 'FORGED' ELSE 'ACCEPTED_NOT_CREDITED' END, a.hour, a.envelope_id, NULL,
       coalesce(s.amount_fen, a.amount_fen), 0
FROM (SELECT DISTINCT ON (envelope_id) * FROM accepted_opens a
      WHERE envelope_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM credits c WHERE c.envelope_id = a.envelope_id)
      ORDER BY envelope_id, open_time_ms, event_id) a
LEFT JOIN envelope_status s USING (envelope_id);

ANALYZE credit_discrepancies;

CREATE UNLOGGED TABLE refunds AS
WITH gen AS (SELECT b.sponsor_id, sum(f.count) AS n, sum(f.amount_fen) AS fen FROM file_batches f JOIN batches b USING (batch_id) GROUP BY b.sponsor_id),
st AS (SELECT sponsor_id,
              sum(CASE WHEN status = 'CREDITED' THEN amount_fen ELSE 0 END) AS credited_fen, count(*) FILTER (WHERE status = 'CREDITED') AS credited_n,
              sum(CASE WHEN status = 'PENDING' THEN amount_fen ELSE 0 END) AS pending_fen, count(*) FILTER (WHERE status = 'PENDING') AS pending_n,
              sum(CASE WHEN status = 'REJECTED' THEN amount_fen ELSE 0 END) AS rejected_fen, count(*) FILTER (WHERE status = 'REJECTED') AS rejected_n
       FROM envelope_status WHERE sponsor_id IS NOT NULL GROUP BY sponsor_id),
paid AS (SELECT sponsor_id, sum(funded_fen) AS budget_fen FROM budget GROUP BY sponsor_id),
base AS (SELECT coalesce(p.sponsor_id, g.sponsor_id) AS sponsor_id, coalesce(p.budget_fen, 0) AS budget_fen, coalesce(g.n, 0) AS gen_n,
                coalesce(g.fen, 0) AS gen_fen, coalesce(st.credited_fen, 0) AS credited_fen, coalesce(st.credited_n, 0) AS credited_n,
                coalesce(st.pending_fen, 0) AS pending_fen, coalesce(st.pending_n, 0) AS pending_n,
                coalesce(st.rejected_fen, 0) AS rejected_fen, coalesce(st.rejected_n, 0) AS rejected_n
         FROM paid p FULL JOIN gen g USING (sponsor_id) LEFT JOIN st ON st.sponsor_id = coalesce(p.sponsor_id, g.sponsor_id))
SELECT sponsor_id, 'UNALLOCATED_BUDGET' AS reason, 0::bigint AS envelopes, greatest(budget_fen - gen_fen, 0) AS amount_fen FROM base
UNION ALL SELECT sponsor_id, 'NEVER_OPENED', gen_n - credited_n - pending_n - rejected_n, gen_fen - credited_fen - pending_fen - rejected_fen FROM base
UNION ALL SELECT sponsor_id, 'REJECTED', rejected_n, rejected_fen FROM base;

ANALYZE refunds;

CREATE UNLOGGED TABLE money_equation AS
WITH s AS (
  SELECT sponsor_id, coalesce(b.budget_fen, 0) AS budget_fen, coalesce(c.credited_fen, 0) AS credited_fen,
         coalesce(r.refund_fen, 0) AS refund_fen, coalesce(p.pending_fen, 0) AS pending_fen
  FROM (SELECT sponsor_id, sum(funded_fen) AS budget_fen FROM budget GROUP BY sponsor_id) b
  FULL JOIN (SELECT sponsor_id, sum(amount_fen) AS credited_fen FROM credits GROUP BY sponsor_id) c USING (sponsor_id)
  FULL JOIN (SELECT sponsor_id, sum(amount_fen) AS refund_fen FROM refunds GROUP BY sponsor_id) r USING (sponsor_id)
  FULL JOIN (SELECT sponsor_id, sum(amount_fen) AS pending_fen FROM envelope_status WHERE status = 'PENDING' AND sponsor_id IS NOT NULL
             GROUP BY sponsor_id) p USING (sponsor_id))
SELECT 'SPONSOR' AS scope, sponsor_id, budget_fen, credited_fen, refund_fen, pending_fen,
       credited_fen + refund_fen + pending_fen - budget_fen AS difference_fen FROM s
UNION ALL
SELECT 'TOTAL', NULL, sum(budget_fen), sum(credited_fen), sum(refund_fen), sum(pending_fen),
       sum(credited_fen + refund_fen + pending_fen - budget_fen) FROM s;

ANALYZE money_equation;

SELECT type, count(*) AS n, sum(amount_fen) AS amount_fen, sum(excess_fen) AS excess_fen FROM credit_discrepancies GROUP BY type ORDER BY type;
SELECT * FROM money_equation WHERE scope = 'TOTAL';
