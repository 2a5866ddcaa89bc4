-- What the model itself read, before the person's memory of their handwriting (which the
-- page applies on top of the model) had its say; predicted_digit is the app's answer.
-- The model's own accuracy is where model_digit equals true_digit. Null for records from
-- clients that did not send it.
ALTER TABLE predictions ADD COLUMN model_digit digit;
