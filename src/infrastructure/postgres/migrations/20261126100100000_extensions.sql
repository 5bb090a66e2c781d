-- Up Migration

-- Trigram matching for typo-tolerant title search (rm_catalogue.movies). Extensions are per
-- database; the catalogue's schema is rebuilt at will, so the extension lives in public.
CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public;

-- Down Migration
DROP EXTENSION IF EXISTS pg_trgm;
