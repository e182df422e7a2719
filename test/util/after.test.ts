import { expect } from "chai";
import { SharedAfterCall } from "../../src/util/after";

describe("SharedAfterCall", function () {
  it("answers each caller from a launch begun after its call, one launch for the callers that arrive together", async function () {
    let launches = 0;
    const releases: (() => void)[] = [];
    const shared = new SharedAfterCall<number>(() => {
      const n = ++launches;
      return new Promise((resolve) => releases.push(() => resolve(n)));
    });
    const first = shared.get(); // launch 1 starts
    const [second, third] = [shared.get(), shared.get()]; // both wait for launch 2
    expect(launches).to.equal(1);
    releases[0]();
    expect(await first).to.equal(1);
    await new Promise((r) => setImmediate(r));
    expect(launches).to.equal(2);
    releases[1]();
    expect(await second).to.equal(2);
    expect(await third).to.equal(2);
    const later = shared.get(); // nothing in flight: launches at once
    expect(launches).to.equal(3);
    releases[2]();
    expect(await later).to.equal(3);
  });

  it("launches again after a failure, and the waiting callers get the next answer", async function () {
    let launches = 0;
    const shared = new SharedAfterCall<string>(async () => {
      launches++;
      if (launches === 1) throw new Error("node away");
      return "ok";
    });
    const failing = shared.get();
    const next = shared.get();
    await expect(failing).to.be.rejectedWith("node away");
    expect(await next).to.equal("ok");
    await shared.idle();
    expect(launches).to.equal(2);
  });
});
