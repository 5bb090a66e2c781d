// Failures of a PostgreSQL connection rather than of a statement: the server cut it (restart,
// pg_terminate_backend, failover) or could not be reached. Another try on a new connection may pass.

/** SQLSTATE class 08 (connection exception), and 57P01–57P03 (admin or crash shutdown, cannot connect now). */
const connectionStates = /^(08...|57P0[123])$/;

const socketCodes = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND']);

export const isConnectionFailure = (error: unknown): boolean => {
  if (!(error instanceof Error)) return false;
  const code = 'code' in error && typeof error.code === 'string' ? error.code : '';
  return connectionStates.test(code) || socketCodes.has(code) || /^Connection terminated/.test(error.message);
};
