-- The money equation, per sponsor and in total: credited + refunds + pending - budget must be 0.
SELECT scope, sponsor_id, budget_fen, credited_fen, refund_fen, pending_fen, difference_fen, holds
FROM money_equation
ORDER BY scope DESC, sponsor_id;
