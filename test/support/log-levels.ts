import { Logger } from '@nestjs/common';

/*
 * Every test file starts with Nest's static logger at log, warn and error: a manager outside Nest would
 * otherwise print the router's per-call debug line (issue 14) for every call a test makes. A test that
 * wants debug output gives its app a logger of its own (test/telemetry/call-log.spec.ts).
 */
Logger.overrideLogger(['fatal', 'error', 'warn', 'log']);
