-- Images and strokes may be cleared after RETENTION_DAYS (server/retention.h) while the
-- prediction, its feedback and every statistic stay: image_data may now be NULL.
ALTER TABLE predictions ALTER COLUMN image_data DROP NOT NULL;
