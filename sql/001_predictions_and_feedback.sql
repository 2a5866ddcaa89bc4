-- Every prediction the app makes, and every piece of feedback people give on one.

CREATE TABLE predictions (
    id                bigserial   PRIMARY KEY,
    record_id         uuid        NOT NULL UNIQUE,           -- the client's id: the idempotency key
    client_id         text        NOT NULL CHECK (length(client_id) BETWEEN 1 AND 64),
    "timestamp"       timestamptz NOT NULL DEFAULT now(),    -- when the server stored it
    client_created_at timestamptz NOT NULL,                  -- when the browser made it
    predicted_digit   smallint    NOT NULL CHECK (predicted_digit BETWEEN 0 AND 9),
    confidence        real        NOT NULL CHECK (confidence BETWEEN 0 AND 1),
    probabilities     real[]      NOT NULL CHECK (
                          array_ndims(probabilities) = 1 AND array_length(probabilities, 1) = 10
                          AND 0 <= ALL (probabilities) AND 1 >= ALL (probabilities)),
    true_digit        smallint    CHECK (true_digit BETWEEN 0 AND 9),  -- null until feedback
    feedback_id       bigint,                                -- the feedback row true_digit came from
    feedback_at       timestamptz,
    image_data        bytea       NOT NULL CHECK (length(image_data) = 784),  -- the 28x28 image the model saw
    engine            text        NOT NULL CHECK (engine IN ('native', 'ort')),
    model_version     text        NOT NULL CHECK (length(model_version) BETWEEN 1 AND 64),
    latency_ms        real        NOT NULL CHECK (latency_ms >= 0),
    strokes           jsonb       CHECK (strokes IS NULL OR octet_length(strokes::text) <= 65536)
);

-- GET /api/history: one client's recent predictions.
CREATE INDEX predictions_by_client ON predictions (client_id, client_created_at DESC);
-- GET /api/stats per day, and retention by time.
CREATE INDEX predictions_by_time ON predictions ("timestamp");
-- Accuracy, the confusion matrix and the retraining export read only labelled rows.
CREATE INDEX predictions_labelled ON predictions (true_digit, predicted_digit) WHERE true_digit IS NOT NULL;

-- Feedback may arrive before its prediction (an offline browser sends in any order),
-- so prediction_id is not a foreign key: it is matched when the prediction arrives.
CREATE TABLE feedback (
    id                bigserial   PRIMARY KEY,
    record_id         uuid        NOT NULL UNIQUE,
    prediction_id     uuid        NOT NULL,
    client_id         text        NOT NULL CHECK (length(client_id) BETWEEN 1 AND 64),
    true_digit        smallint    NOT NULL CHECK (true_digit BETWEEN 0 AND 9),
    client_created_at timestamptz NOT NULL,
    received_at       timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX feedback_by_prediction ON feedback (prediction_id, client_created_at DESC, id DESC);
