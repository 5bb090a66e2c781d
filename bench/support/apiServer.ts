import * as E from 'fp-ts/lib/Either.js';
import { loadConfig } from '../../src/infrastructure/config/config.ts';
import { createLogger } from '../../src/infrastructure/logging/logger.ts';
import { startService } from '../../src/infrastructure/service.ts';

// An API process for the side-by-side of bench/limitAndSessionCost.ts: the service as `fastflix serve`
// starts it (configured from the environment, JWT_SECRET given), and with
// `--without-limit-and-session-check` the same service without the general rate limit and the check of
// ended sessions. Both sides start here, so that nothing but that switch tells them apart.

const config = loadConfig(process.env);
if (E.isLeft(config)) throw new Error(config.left);
const log = createLogger(config.right.logLevel, 'fastflix-bench-api', process.stderr);
const without = process.argv.includes('--without-limit-and-session-check');
const service = await startService(config.right, log, without ? { withoutLimitAndSessionCheck: true } : {});
process.once('SIGTERM', () => void service.stop().then(() => process.exit(0)));
