/**
 * An operation whose answer must postdate the call that asks for it (the chain's head, an fsync), shared by the
 * callers that arrive together: if one is in flight it may have started before the caller, so the caller waits for
 * the next launch, which every caller arriving meanwhile shares. At most one runs and one waits at any time.
 */
export class SharedAfterCall<T> {
  private current: Promise<T> | undefined;
  private waiting: Promise<T> | undefined;

  constructor(private readonly launchOne: () => Promise<T>) {}

  /** The answer of a launch that started after this call. */
  get(): Promise<T> {
    if (this.current === undefined) return this.launch();
    if (this.waiting === undefined) {
      this.waiting = this.current
        .then(
          () => undefined,
          () => undefined,
        )
        .then(() => {
          this.waiting = undefined;
          return this.launch();
        });
    }
    return this.waiting;
  }

  /** Settles once nothing is in flight or waiting. */
  async idle(): Promise<void> {
    await Promise.allSettled([this.current, this.waiting]);
  }

  private launch(): Promise<T> {
    const p: Promise<T> = this.launchOne().finally(() => {
      if (this.current === p) this.current = undefined;
    });
    this.current = p;
    return p;
  }
}
