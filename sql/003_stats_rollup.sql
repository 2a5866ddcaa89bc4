-- The statistics of GET /api/stats kept as running counts, so that reading them costs the
-- same at ten million drawings as at ten.
--
-- The server's statements that store predictions or apply feedback also append what they
-- changed to stats_changes, in the same statement (server/repository.cpp): a crash keeps
-- the rows and their counts together, and appending never waits on another writer. The
-- server folds the appended changes into stats_cells and stats_days in the background; a
-- reader adds the changes not folded yet, so the figures equal a full recount. Edits made
-- by hand are not counted: the server compares the counts with a recount at start and
-- every hour and rebuilds them when they differ (digits_stats_rebuilds_total).

CREATE TABLE stats_changes (
    day             date     NOT NULL,   -- the UTC day the prediction was stored
    engine          text     NOT NULL,
    predicted_digit smallint NOT NULL,
    true_digit      smallint NOT NULL,   -- -1: no feedback
    bucket          smallint NOT NULL,   -- confidence tenth, 0..9
    count           bigint   NOT NULL,   -- +n added, -n removed
    latency_us      bigint   NOT NULL    -- the sum of their latency_ms, in whole microseconds
);

-- Everything but the day: the totals, the confusion matrix, confidence and engines.
CREATE TABLE stats_cells (
    engine          text     NOT NULL,
    predicted_digit smallint NOT NULL,
    true_digit      smallint NOT NULL,
    bucket          smallint NOT NULL,
    count           bigint   NOT NULL,
    latency_us      bigint   NOT NULL,
    PRIMARY KEY (engine, predicted_digit, true_digit, bucket)
);

CREATE TABLE stats_days (
    day         date   PRIMARY KEY,
    predictions bigint NOT NULL,
    labelled    bigint NOT NULL,
    correct     bigint NOT NULL
);

-- How one prediction counts: its UTC day, its confidence tenth, its latency in whole
-- microseconds. The writes, the view below and so the recount share these definitions.
CREATE FUNCTION stats_day(stored timestamptz) RETURNS date
  LANGUAGE sql IMMUTABLE PARALLEL SAFE RETURN (stored AT TIME ZONE 'UTC')::date;
CREATE FUNCTION stats_bucket(confidence real) RETURNS smallint
  LANGUAGE sql IMMUTABLE PARALLEL SAFE RETURN (least(width_bucket(confidence, 0, 1, 10), 10) - 1)::smallint;
CREATE FUNCTION stats_latency_us(latency_ms real) RETURNS bigint
  LANGUAGE sql IMMUTABLE PARALLEL SAFE RETURN round(latency_ms::numeric * 1000)::bigint;

CREATE VIEW prediction_counts AS
SELECT stats_day("timestamp") AS day, engine, predicted_digit, coalesce(true_digit, -1)::smallint AS true_digit,
       stats_bucket(confidence) AS bucket, stats_latency_us(latency_ms) AS latency_us
FROM predictions;

-- TRUNCATE empties the counts with the rows. DELETE, not TRUNCATE: readers of the counts
-- hold them shared while they wait for the truncated table, and must not deadlock.
CREATE FUNCTION count_truncated_predictions() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM stats_changes;
  DELETE FROM stats_cells;
  DELETE FROM stats_days;
  RETURN NULL;
END $$;
CREATE TRIGGER predictions_counted_on_truncate AFTER TRUNCATE ON predictions
  FOR EACH STATEMENT EXECUTE FUNCTION count_truncated_predictions();

-- The rows already there.
INSERT INTO stats_cells
SELECT engine, predicted_digit, true_digit, bucket, count(*), sum(latency_us) FROM prediction_counts GROUP BY 1, 2, 3, 4;
INSERT INTO stats_days
SELECT day, count(*), count(*) FILTER (WHERE true_digit >= 0), count(*) FILTER (WHERE true_digit = predicted_digit)
FROM prediction_counts GROUP BY day;

GRANT SELECT, INSERT, DELETE ON stats_changes TO digits_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON stats_cells, stats_days TO digits_app;
GRANT SELECT ON prediction_counts TO digits_app;
