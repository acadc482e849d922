import { pino } from 'pino';
import type { Logger } from '../../src/platform/log/logger.js';

/** A pino logger writing into an array, to check what reaches the log (no redaction of its own). */
export function captureLogs(level = 'info'): { logger: Logger; lines: string[]; records: () => any[] } {
  const lines: string[] = [];
  const logger = pino({ level }, { write: (line: string) => void lines.push(line) });
  return { logger, lines, records: () => lines.map((l) => JSON.parse(l)) };
}
