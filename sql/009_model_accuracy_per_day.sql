-- The model's own accuracy for each day beside the app's (008 did it for the cells): of
-- the answered drawings whose model digit the app sent, how many there were and how
-- many the model read right.
--
-- The days already counted get their figures from a recount less the changes not folded
-- yet, which the next fold adds; one statement, so both come from one snapshot. The fold
-- lock (server/stats_repository.cpp, kFoldLock) keeps a fold from moving changes meanwhile.
SELECT pg_advisory_xact_lock(7235427978970333186);

ALTER TABLE stats_days ADD COLUMN model_labelled bigint NOT NULL DEFAULT 0,
                       ADD COLUMN model_correct bigint NOT NULL DEFAULT 0;

UPDATE stats_days d SET model_labelled = f.labelled, model_correct = f.correct
FROM (SELECT day, sum(labelled) AS labelled, sum(correct) AS correct FROM (
        SELECT day, count(*) FILTER (WHERE true_digit >= 0 AND model_digit >= 0) AS labelled,
               count(*) FILTER (WHERE true_digit >= 0 AND true_digit = model_digit) AS correct
        FROM prediction_counts GROUP BY day
        UNION ALL
        SELECT day, -coalesce(sum(count) FILTER (WHERE true_digit >= 0 AND model_digit >= 0), 0),
               -coalesce(sum(count) FILTER (WHERE true_digit >= 0 AND true_digit = model_digit), 0)
        FROM stats_changes GROUP BY day) both_ways
      GROUP BY day) f
WHERE f.day = d.day;
