/**
 * The PostgreSQL URL the tests and benchmarks use: `HEALTH_LEDGER_PG_URL`, or on CI (where the machine runs
 * PostgreSQL at 127.0.0.1:5432 with trust auth) the local server. `undefined` means "no PostgreSQL here": such suites
 * say so and skip; `.ci/run` always runs them.
 */
export function testPostgresUrl(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.HEALTH_LEDGER_PG_URL) return env.HEALTH_LEDGER_PG_URL;
  if (env.CI === "true") return "postgres://postgres@127.0.0.1:5432/test";
  return undefined;
}

/** Why a PostgreSQL suite did not run, printed instead of its tests. */
export const NO_POSTGRES =
  "PostgreSQL suites skipped: set HEALTH_LEDGER_PG_URL=postgres://user@host:port/db to run them (CI always does)";
