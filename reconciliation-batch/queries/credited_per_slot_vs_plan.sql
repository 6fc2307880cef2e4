-- Credited amount per slot vs the plan. Credits are attributed to the slot of the batch they name
-- (credit_discrepancies lists credits whose batch differs from the envelope's).
SELECT p.slot_id,
       p.planned_fen,
       COALESCE(c.credits, 0)      AS credits,
       COALESCE(c.credited_fen, 0) AS credited_fen,
       p.planned_fen - COALESCE(c.credited_fen, 0) AS not_credited_fen
FROM (SELECT slot_id, SUM(total_fen) AS planned_fen FROM plan_allocations GROUP BY slot_id) p
LEFT JOIN (SELECT b.slot_id, SUM(k.credits) AS credits, SUM(k.credited_fen) AS credited_fen
           FROM credits_by_batch k JOIN batches b ON k.batch_id = b.batch_id
           GROUP BY b.slot_id) c
  ON p.slot_id = c.slot_id
ORDER BY p.slot_id;
