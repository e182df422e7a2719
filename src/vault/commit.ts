/**
 * Group commit: the vault's writes (a record, a used nonce, a log entry) queue here and are committed together, one
 * transaction per batch with a savepoint per job. A job that throws rolls back to its savepoint and fails alone; the
 * others commit. Each job's promise settles only after its batch is durable, so an acknowledged write survives a
 * crash, and one fsync serves every job of the batch (a read is a write: its nonce and its AuditEvent).
 */
import type { SqlDatabase, SqlExecutor } from "../storage/sql";

interface Job {
  work: (tx: SqlExecutor) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/** Most jobs in one transaction. */
export const MAX_BATCH_JOBS = 256;

/** Commits queued jobs in batches. */
export class GroupCommitter {
  private queue: Job[] = [];
  private running: Promise<void> | undefined;

  constructor(private readonly db: SqlDatabase) {}

  /** Runs `work` in the next batch's transaction; resolves once that transaction committed. */
  run<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, resolve: resolve as (v: unknown) => void, reject });
      if (this.running === undefined) this.running = this.loop();
    });
  }

  /** Waits until every queued job is settled. */
  async drain(): Promise<void> {
    while (this.running !== undefined) await this.running;
  }

  private async loop(): Promise<void> {
    await new Promise((r) => setImmediate(r)); // let the jobs of this turn join the batch
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, MAX_BATCH_JOBS);
      const outcomes: { ok: boolean; value: unknown }[] = [];
      try {
        await this.db.transaction(async (tx) => {
          for (const job of batch) {
            await tx.run("SAVEPOINT vault_job");
            try {
              const value = await job.work(tx);
              await tx.run("RELEASE SAVEPOINT vault_job");
              outcomes.push({ ok: true, value });
            } catch (error) {
              await tx.run("ROLLBACK TO SAVEPOINT vault_job");
              await tx.run("RELEASE SAVEPOINT vault_job");
              outcomes.push({ ok: false, value: error });
            }
          }
        });
      } catch (error) {
        for (const job of batch) job.reject(error);
        continue;
      }
      batch.forEach((job, i) => (outcomes[i].ok ? job.resolve(outcomes[i].value) : job.reject(outcomes[i].value)));
    }
    this.running = undefined;
  }
}
