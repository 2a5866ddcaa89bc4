-- The model's own confidence beside the app's: model_confidence is the model's probability
-- of model_digit, before the person's memory had its say (which moves the probabilities the
-- app shows even where it leaves the digit). With it the statistics follow how often the
-- model is right by how sure it was, as they do for the app. Null for records from clients
-- that did not send it; their cells keep model_bucket -1, so nothing stored needs a recount.
ALTER TABLE predictions ADD COLUMN model_confidence probability;

-- Its tenth as stats_bucket counts the app's, or -1 where it was not sent (stats_bucket
-- itself would count a null as the top tenth: least() passes over nulls).
CREATE FUNCTION stats_model_bucket(model_confidence real) RETURNS smallint
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN CASE WHEN model_confidence IS NULL THEN -1 ELSE stats_bucket(model_confidence) END;

ALTER TABLE stats_changes ADD COLUMN model_bucket smallint NOT NULL DEFAULT -1;
ALTER TABLE stats_cells ADD COLUMN model_bucket smallint NOT NULL DEFAULT -1;
ALTER TABLE stats_cells DROP CONSTRAINT stats_cells_pkey,
  ADD PRIMARY KEY (engine, predicted_digit, true_digit, bucket, model_digit, model_bucket);

CREATE OR REPLACE VIEW prediction_counts AS
SELECT stats_day("timestamp") AS day, engine, predicted_digit, coalesce(true_digit, -1)::smallint AS true_digit,
       stats_bucket(confidence) AS bucket, stats_latency_us(latency_ms) AS latency_us,
       coalesce(model_digit, -1)::smallint AS model_digit,
       stats_model_bucket(model_confidence) AS model_bucket
FROM predictions;

-- As in 008, the deleted predictions leave their cells, now by the model's bucket too.
CREATE OR REPLACE FUNCTION delete_client_drawings(client text, OUT predictions_deleted bigint,
                                                  OUT feedback_deleted bigint)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
  PERFORM FROM predictions WHERE client_id = client ORDER BY id FOR UPDATE;
  WITH gone AS (
    DELETE FROM predictions WHERE client_id = client
    RETURNING "timestamp", engine, predicted_digit, true_digit, confidence, latency_ms, model_digit, model_confidence),
  counted AS (
    INSERT INTO stats_changes (day, engine, predicted_digit, true_digit, bucket, count, latency_us, model_digit,
                               model_bucket)
    SELECT stats_day("timestamp"), engine, predicted_digit, coalesce(true_digit, -1), stats_bucket(confidence),
           -count(*), -sum(stats_latency_us(latency_ms)), coalesce(model_digit, -1),
           stats_model_bucket(model_confidence)
    FROM gone GROUP BY 1, 2, 3, 4, 5, 8, 9)
  SELECT count(*) INTO predictions_deleted FROM gone;
  DELETE FROM feedback WHERE client_id = client;
  GET DIAGNOSTICS feedback_deleted = ROW_COUNT;
END
$$;
