-- A person may delete one drawing too (DELETE /api/history?client_id=...&id=...): the
-- prediction with that record id if it is the client's, with the answers the client gave
-- on it, taken out of the running counts in the same transaction as when all of them go.
-- One function for both, so the two cannot drift apart: without a record, every drawing
-- of the client; with one, that drawing. (A function's arguments cannot change in place:
-- it is dropped and made again, with its grant.)
DROP FUNCTION delete_client_drawings(text);

CREATE FUNCTION delete_client_drawings(client text, record uuid DEFAULT NULL, OUT predictions_deleted bigint,
                                       OUT feedback_deleted bigint)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
  -- Rows locked in id order first, as the feedback apply and the retention lock them, so
  -- that none of them can deadlock with this.
  PERFORM FROM predictions WHERE client_id = client AND (record IS NULL OR record_id = record)
    ORDER BY id FOR UPDATE;
  WITH gone AS (
    DELETE FROM predictions WHERE client_id = client AND (record IS NULL OR record_id = record)
    RETURNING "timestamp", engine, predicted_digit, true_digit, confidence, latency_ms, model_digit, model_confidence),
  counted AS (
    INSERT INTO stats_changes (day, engine, predicted_digit, true_digit, bucket, count, latency_us, model_digit,
                               model_bucket)
    SELECT stats_day("timestamp"), engine, predicted_digit, coalesce(true_digit, -1), stats_bucket(confidence),
           -count(*), -sum(stats_latency_us(latency_ms)), coalesce(model_digit, -1),
           stats_model_bucket(model_confidence)
    FROM gone GROUP BY 1, 2, 3, 4, 5, 8, 9)
  SELECT count(*) INTO predictions_deleted FROM gone;
  -- Its answers go even when the drawing itself never arrived (an answer can come first).
  DELETE FROM feedback WHERE client_id = client AND (record IS NULL OR prediction_id = record);
  GET DIAGNOSTICS feedback_deleted = ROW_COUNT;
END
$$;

REVOKE ALL ON FUNCTION delete_client_drawings(text, uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION delete_client_drawings(text, uuid) TO digits_app;
