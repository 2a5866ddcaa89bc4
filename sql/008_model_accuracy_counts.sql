-- The model's own accuracy beside the app's (model_digit, 007): the running counts keep
-- the model's digit as one more dimension of a cell, -1 where it is not known. The rows
-- stored before have none, so their cells stay as they are.
ALTER TABLE stats_changes ADD COLUMN model_digit smallint NOT NULL DEFAULT -1;
ALTER TABLE stats_cells ADD COLUMN model_digit smallint NOT NULL DEFAULT -1;
ALTER TABLE stats_cells DROP CONSTRAINT stats_cells_pkey,
  ADD PRIMARY KEY (engine, predicted_digit, true_digit, bucket, model_digit);

CREATE OR REPLACE VIEW prediction_counts AS
SELECT stats_day("timestamp") AS day, engine, predicted_digit, coalesce(true_digit, -1)::smallint AS true_digit,
       stats_bucket(confidence) AS bucket, stats_latency_us(latency_ms) AS latency_us,
       coalesce(model_digit, -1)::smallint AS model_digit
FROM predictions;

-- As in 006, the deleted predictions leave their cells, now by their model digit too.
CREATE OR REPLACE FUNCTION delete_client_drawings(client text, OUT predictions_deleted bigint,
                                                  OUT feedback_deleted bigint)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
  PERFORM FROM predictions WHERE client_id = client ORDER BY id FOR UPDATE;
  WITH gone AS (
    DELETE FROM predictions WHERE client_id = client
    RETURNING "timestamp", engine, predicted_digit, true_digit, confidence, latency_ms, model_digit),
  counted AS (
    INSERT INTO stats_changes (day, engine, predicted_digit, true_digit, bucket, count, latency_us, model_digit)
    SELECT stats_day("timestamp"), engine, predicted_digit, coalesce(true_digit, -1), stats_bucket(confidence),
           -count(*), -sum(stats_latency_us(latency_ms)), coalesce(model_digit, -1)
    FROM gone GROUP BY 1, 2, 3, 4, 5, 8)
  SELECT count(*) INTO predictions_deleted FROM gone;
  DELETE FROM feedback WHERE client_id = client;
  GET DIAGNOSTICS feedback_deleted = ROW_COUNT;
END
$$;
