-- The server's privileges: it reads, inserts and updates rows, and changes nothing else.
-- Deployments give the server's login role membership in digits_app; migrations run as
-- the schema's owner (digits-server migrate with MIGRATE_DATABASE_URL).
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'digits_app') THEN
    CREATE ROLE digits_app NOLOGIN;
  END IF;
END
$$;

REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO digits_app;
GRANT SELECT, INSERT, UPDATE ON predictions, feedback TO digits_app;
GRANT SELECT ON schema_migrations TO digits_app;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO digits_app;
