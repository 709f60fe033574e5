import pino, { type DestinationStream, type Logger } from 'pino';

/** Paths whose values never reach a log line. */
export const REDACTED_PATHS = [
  'authorization',
  '*.authorization',
  'headers.authorization',
  '*.headers.authorization',
  'secret',
  '*.secret',
  'token',
  '*.token',
  'password',
  '*.password',
  'variables',
  '*.variables',
  'connectionParams',
  '*.connectionParams',
];

/**
 * JSON logs on stdout (or `destination`), secrets redacted. Stdout is written
 * asynchronously: lines logged while a write is under way go out together in
 * the next one (one write per request was a syscall on every request's path),
 * and what is pending is written synchronously when the process exits.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    { level, base: { service: 'keyledger' }, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } },
    destination ?? pino.destination({ dest: 1, sync: false }),
  );
}
