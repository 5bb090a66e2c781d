import type pg from 'pg';

// mail_deliveries: one row per mail handed over, keyed by the event that caused it.

/** The Message-ID of the mail an event causes: the same on every attempt, so a duplicate is recognisable. */
export const messageIdFor = (eventId: string): string => `<${eventId}@fastflix.local>`;

export const delivered = async (pool: pg.Pool, eventId: string): Promise<boolean> => {
  const { rows } = await pool.query<{ done: boolean }>('SELECT EXISTS (SELECT 1 FROM mail_deliveries WHERE event_id = $1) AS done', [
    eventId,
  ]);
  return rows[0]?.done === true;
};

export const recordDelivery = async (client: Pick<pg.ClientBase, 'query'>, eventId: string, kind: string): Promise<void> => {
  await client.query('INSERT INTO mail_deliveries (event_id, kind, message_id) VALUES ($1, $2, $3) ON CONFLICT (event_id) DO NOTHING', [
    eventId,
    kind,
    messageIdFor(eventId),
  ]);
};
