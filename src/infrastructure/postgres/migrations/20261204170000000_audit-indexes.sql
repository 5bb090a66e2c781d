-- Up Migration

-- What auditors look events up by, other than stream and position: who caused them (`audit actor`),
-- the request they stem from (`audit trace`), and the event that caused them (the trace's next step).
-- The ids live in the metadata JSON; these are expression indexes on exactly the expressions the audit
-- queries use (src/audit/log.ts), each with the position so that a page is one ordered index range.
-- Every index is paid for on every append (see 20261126070000000_event-store.sql): system events carry
-- no actor and almost nothing carries a causation id yet, so those two are partial and cost such
-- appends only the evaluation of their predicate.
CREATE INDEX events_by_actor ON events ((metadata ->> 'actorId'), position) WHERE (metadata ->> 'actorId') IS NOT NULL;
CREATE INDEX events_by_correlation ON events ((metadata ->> 'correlationId'), position);
CREATE INDEX events_by_causation ON events ((metadata ->> 'causationId'), position) WHERE (metadata ->> 'causationId') IS NOT NULL;

-- Down Migration
DROP INDEX events_by_causation;
DROP INDEX events_by_correlation;
DROP INDEX events_by_actor;
