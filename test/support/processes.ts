import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { TEST_AUDIT_SIGNING_KEY, TEST_SESSION_SECRET } from './harness';

const root = path.resolve(__dirname, '../..');

/** The built service, as `npm start` runs it (`npm run build` must have run). */
export const MAIN_JS = path.join(root, 'dist/src/main.js');

/** The built command-line tool. */
export const CLI_JS = path.join(root, 'dist/src/cli.js');

/** What a finished process wrote, and how it ended. */
export interface ProcessOutput {
  /** The exit code; null when a signal ended the process. */
  code: number | null;
  stdout: string;
  stderr: string;
}

/** How `runNode` runs a script. */
export interface RunNodeOptions {
  /** The child's whole environment. */
  env: NodeJS.ProcessEnv;
  /**
   * SIGKILL the child if it is still running after this long (for a process that might start serving instead of
   * exiting); by default it may run as long as the test does.
   */
  killAfterMs?: number;
}

/** Runs `node script ...args` to its end and collects its output. */
export async function runNode(
  script: string,
  args: string[],
  { env, killAfterMs }: RunNodeOptions,
): Promise<ProcessOutput> {
  const child = spawn(process.execPath, [script, ...args], { env });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const guard = killAfterMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), killAfterMs);
  const code = await new Promise<number | null>((resolve) => child.on('close', (exit) => resolve(exit)));
  clearTimeout(guard);
  return { code, stdout, stderr };
}

/** A running `node dist/src/main.js` child process. */
export interface ChildService {
  process: ChildProcess;
  /** Base URL, e.g. http://127.0.0.1:51234 */
  url: string;
  /** Resolves with the exit code once the process has exited. */
  exited: Promise<number | null>;
}

/**
 * The environment of a service child on the test database: this process's environment, `DATABASE_URL`, port 0,
 * the test session secret and audit signing key and `LOG_LEVEL=warn`, then `overrides`.
 */
export function serviceEnv(databaseUrl: string, overrides: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    DATABASE_URL: databaseUrl,
    PORT: '0',
    SESSION_SECRET: TEST_SESSION_SECRET,
    AUDIT_SIGNING_KEY: TEST_AUDIT_SIGNING_KEY,
    LOG_LEVEL: 'warn',
    ...overrides,
  };
}

/** Every service process this test file started; `stopServices` ends those still running. */
const started: Pick<ChildService, 'process' | 'exited'>[] = [];

/**
 * Starts `node dist/src/main.js` with exactly `env` and resolves once it prints `listening on <url>/graphql`;
 * rejects with its output if it exits first. Stop it in `afterAll` with `stopServices()`.
 */
export async function startService(env: NodeJS.ProcessEnv): Promise<ChildService> {
  const child = spawn(process.execPath, [MAIN_JS], { env });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  started.push({ process: child, exited });
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (http:\/\/[^/\s]+)\/graphql/.exec(output);
      if (match) resolve(match[1]!);
    });
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    void exited.then((code) => reject(new Error(`service exited with ${code}: ${output}`)));
  });
  return { process: child, url, exited };
}

/** SIGKILLs every service this test file started that is still running, and waits until they have exited. */
export async function stopServices(): Promise<void> {
  const services = started.splice(0);
  for (const { process: child } of services) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  await Promise.all(services.map((service) => service.exited));
}
