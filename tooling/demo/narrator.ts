/** Prints the demo as a readable story: chapters, steps, and facts read back from the chain. */
export class Narrator {
  private step = 0;
  constructor(private readonly out: (line: string) => void = console.log) {}

  chapter(title: string): void {
    this.step = 0;
    this.out("");
    this.out(`== ${title} ${"=".repeat(Math.max(0, 74 - title.length))}`);
  }

  say(text: string): void {
    this.step += 1;
    this.out(`${String(this.step).padStart(2)}. ${text}`);
  }

  fact(label: string, value: unknown): void {
    this.out(`      ${label}: ${String(value)}`);
  }
}
