import type { Hex32 } from "./commitment";
import { type EntryKind, type RecordBackend, VerifiedRecordStore } from "./store";

/** Entries in a Map: for tests, the demo and short-lived tools. Nothing survives the process. */
export class MemoryRecordBackend implements RecordBackend {
  readonly location = "memory";
  private readonly entries = new Map<string, string>();

  async read(commitment: Hex32, kind: EntryKind): Promise<string | undefined> {
    return this.entries.get(key(commitment, kind));
  }

  async write(commitment: Hex32, kind: EntryKind, text: string): Promise<void> {
    this.entries.set(key(commitment, kind), text);
  }

  async delete(commitment: Hex32, kind: EntryKind): Promise<void> {
    this.entries.delete(key(commitment, kind));
  }

  async list(kind: EntryKind): Promise<Hex32[]> {
    const suffix = `:${kind}`;
    return [...this.entries.keys()].filter((k) => k.endsWith(suffix)).map((k) => k.slice(0, -suffix.length) as Hex32);
  }
}

function key(commitment: Hex32, kind: EntryKind): string {
  return `${commitment}:${kind}`;
}

/** A record store in memory, with the same integrity checks and erasure as the folder store. */
export class MemoryRecordStore extends VerifiedRecordStore {
  declare readonly backend: MemoryRecordBackend;

  constructor(options: { now?: () => Date } = {}) {
    super(new MemoryRecordBackend(), options.now);
  }
}
