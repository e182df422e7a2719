import { randomBytes } from "node:crypto";
import { mkdir, open, readFile, readdir, rename, rm } from "node:fs/promises";
import path from "node:path";
import type { Hex32 } from "./commitment";
import { type EntryKind, type RecordBackend, VerifiedRecordStore } from "./store";

/** Where the embedded store keeps records unless told otherwise (relative to the working directory). */
export const DEFAULT_RECORDS_DIR = path.join(".health-ledger", "records");

/** Options of {@link FileRecordStore}. */
export interface FileRecordStoreOptions {
  /** Folder of the store; created on first write. Default: `.health-ledger/records` under the working directory. */
  directory?: string;
  /** Clock for tombstones (injectable for tests). */
  now?: () => Date;
}

const SUFFIX: Record<EntryKind, string> = { record: ".json", tombstone: ".erased.json" };
const ENTRY = /^([0-9a-f]{64})(\.json|\.erased\.json)$/;
const SHARD = /^[0-9a-f]{2}$/;

/**
 * Entries as files in a folder, sharded by the commitment's first byte like Git's objects:
 * `<dir>/ab/ab12…ef.json` (record) and `<dir>/ab/ab12…ef.erased.json` (tombstone).
 * Writes go to a temporary file in the same folder, are flushed to disk, then renamed over the target, so a crash
 * never leaves a half-written record. Files are readable by their owner only (0600, folders 0700): they hold
 * personal health data.
 */
export class FileRecordBackend implements RecordBackend {
  /** Absolute path of the store's folder. */
  readonly directory: string;

  constructor(directory: string = DEFAULT_RECORDS_DIR) {
    this.directory = path.resolve(directory);
  }

  get location(): string {
    return `folder ${this.directory}`;
  }

  /** The file that holds an entry. */
  pathOf(commitment: Hex32, kind: EntryKind): string {
    const hex = commitment.slice(2);
    return path.join(this.directory, hex.slice(0, 2), `${hex}${SUFFIX[kind]}`);
  }

  async read(commitment: Hex32, kind: EntryKind): Promise<string | undefined> {
    try {
      return await readFile(this.pathOf(commitment, kind), "utf8");
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  async write(commitment: Hex32, kind: EntryKind, text: string): Promise<void> {
    const target = this.pathOf(commitment, kind);
    const folder = path.dirname(target);
    await mkdir(folder, { recursive: true, mode: 0o700 });
    const temp = path.join(folder, `.${path.basename(target)}.${randomBytes(6).toString("hex")}.tmp`);
    const handle = await open(temp, "wx", 0o600);
    try {
      await handle.writeFile(text, "utf8");
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await rename(temp, target);
    } catch (e) {
      await rm(temp, { force: true });
      throw e;
    }
    await syncFolder(folder);
  }

  /** Deletes the entry and any temporary file a crashed write of it left behind (it may hold the same data). */
  async delete(commitment: Hex32, kind: EntryKind): Promise<void> {
    const target = this.pathOf(commitment, kind);
    const folder = path.dirname(target);
    const leftover = `.${path.basename(target)}.`;
    for (const name of await listFolder(folder)) {
      if (name.startsWith(leftover) && name.endsWith(".tmp")) await rm(path.join(folder, name), { force: true });
    }
    await rm(target, { force: true });
    await syncFolder(folder);
  }

  async list(kind: EntryKind): Promise<Hex32[]> {
    const found: Hex32[] = [];
    for (const shard of await listFolder(this.directory)) {
      if (!SHARD.test(shard)) continue;
      for (const name of await listFolder(path.join(this.directory, shard))) {
        const m = ENTRY.exec(name);
        if (m && m[2] === SUFFIX[kind] && m[1].startsWith(shard)) found.push(`0x${m[1]}`);
      }
    }
    return found;
  }
}

/** The embedded default record store: records as files in a folder (see {@link FileRecordBackend}). */
export class FileRecordStore extends VerifiedRecordStore {
  declare readonly backend: FileRecordBackend;

  constructor(options: FileRecordStoreOptions = {}) {
    super(new FileRecordBackend(options.directory), options.now);
  }

  /** Absolute path of the store's folder. */
  get directory(): string {
    return this.backend.directory;
  }
}

async function listFolder(folder: string): Promise<string[]> {
  try {
    return await readdir(folder);
  } catch (e) {
    if (isNotFound(e)) return [];
    throw e;
  }
}

/** Flushes a folder's entries (the rename or unlink) to disk; a no-op where folders cannot be opened (Windows). */
async function syncFolder(folder: string): Promise<void> {
  let handle;
  try {
    handle = await open(folder, "r");
  } catch {
    return;
  }
  try {
    await handle.sync();
  } catch {
    // Some filesystems refuse fsync on a folder; the data file itself was already flushed.
  } finally {
    await handle.close();
  }
}

function isNotFound(e: unknown): boolean {
  return (e as NodeJS.ErrnoException | undefined)?.code === "ENOENT";
}
