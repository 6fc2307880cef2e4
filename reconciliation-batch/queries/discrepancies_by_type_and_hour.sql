-- Credit discrepancies by type and hour (UTC hour of the open, as settlement partitions its logs):
-- how many, how much was credited, and how much left sponsors' accounts beyond the generated amounts.
SELECT type,
       hour,
       COUNT(*)        AS discrepancies,
       SUM(amount_fen) AS amount_fen,
       SUM(excess_fen) AS excess_fen
FROM credit_discrepancies
GROUP BY type, hour
ORDER BY type, hour;
