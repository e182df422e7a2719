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

/**
 * For a suite's `before` hook: the PostgreSQL URL, or, when there is none, a line saying why and the suite skipped
 * (`this.skip()`, so no test is declared as skipped on a machine that has one).
 */
export function requirePostgres(hook: Mocha.Context): string {
  const url = testPostgresUrl();
  if (url === undefined) {
    console.log(`      ${NO_POSTGRES}`);
    hook.skip();
  }
  return url!;
}
