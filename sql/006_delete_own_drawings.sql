-- A person may delete every drawing their browser sent (DELETE /api/history). The server's
-- role still cannot delete rows: it may only call this function, which deletes one client's
-- predictions and feedback and takes the predictions out of the running counts in the same
-- transaction, so the statistics stay equal to a recount.
CREATE FUNCTION delete_client_drawings(client text, OUT predictions_deleted bigint, OUT feedback_deleted bigint)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
  -- Rows locked in id order first, as the feedback apply and the retention lock them, so
  -- that none of them can deadlock with this.
  PERFORM FROM predictions WHERE client_id = client ORDER BY id FOR UPDATE;
  WITH gone AS (
    DELETE FROM predictions WHERE client_id = client
    RETURNING "timestamp", engine, predicted_digit, true_digit, confidence, latency_ms),
  counted AS (
    INSERT INTO stats_changes
    SELECT stats_day("timestamp"), engine, predicted_digit, coalesce(true_digit, -1), stats_bucket(confidence),
           -count(*), -sum(stats_latency_us(latency_ms))
    FROM gone GROUP BY 1, 2, 3, 4, 5)
  SELECT count(*) INTO predictions_deleted FROM gone;
  DELETE FROM feedback WHERE client_id = client;
  GET DIAGNOSTICS feedback_deleted = ROW_COUNT;
END
$$;

REVOKE ALL ON FUNCTION delete_client_drawings(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION delete_client_drawings(text) TO digits_app;
