-- Refunds per sponsor: the money that goes back, by reason, and in total.
-- NEVER_OPENED: generated envelopes no settlement log mentions (never dispensed or never opened);
-- REJECTED: envelopes whose every open was rejected; UNALLOCATED_BUDGET: budget never turned into envelopes.
SELECT sponsor_id,
       sponsor_name,
       SUM(CASE WHEN reason = 'NEVER_OPENED' THEN amount_fen ELSE 0 END)       AS never_opened_fen,
       SUM(CASE WHEN reason = 'REJECTED' THEN amount_fen ELSE 0 END)           AS rejected_fen,
       SUM(CASE WHEN reason = 'UNALLOCATED_BUDGET' THEN amount_fen ELSE 0 END) AS unallocated_fen,
       SUM(amount_fen)                                                         AS refund_fen,
       SUM(envelopes)                                                          AS envelopes
FROM refunds
GROUP BY sponsor_id, sponsor_name
ORDER BY sponsor_id;
