import { expect } from "chai";
import fc from "fast-check";
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { createJsEngine, useKeccakEngine } from "../../src/crypto";
import {
  MAX_TREE_UNITS,
  processProof,
  serialLeafHash,
  SerialTree,
  UnitStatus,
  verifySerialProof,
  type SerialLeaf,
} from "../../src/provenance";
import { crc32Js } from "../../src/provenance/serial-file";
import { serialHash } from "../../src/provenance/serial-store";
import { distributedFixture } from "./fixture";

/** The oracle: the library's tree of `[position, serial]` leaves in position order, as the SDK used to build. */
function oracle(serials: readonly string[]): StandardMerkleTree<SerialLeaf> {
  return StandardMerkleTree.of(
    serials.map((s, i): SerialLeaf => [i.toString(), s]),
    ["uint256", "string"],
    { sortLeaves: false },
  );
}

/** Distinct GS1 AI 21 serials (1 to 20 characters of the AI 82 set). */
const serialList = (maxLength: number) =>
  fc.uniqueArray(fc.stringMatching(/^[!"%&'()*+,\-./0-9:;<=>?A-Z_a-z]{1,20}$/), { minLength: 1, maxLength });

function* numbered(count: number, prefix = "SN"): Generator<string> {
  for (let i = 0; i < count; i++) yield `${prefix}${(46_656 + i * 7_919).toString(36).toUpperCase()}`;
}

/** Rewrites the CRC of a saved tree after a deliberate edit (what an attacker would do). */
function recrc(file: Uint8Array): void {
  const view = Buffer.from(file.buffer, file.byteOffset, file.length);
  view.writeUInt32LE(crc32Js(view.subarray(24), crc32Js(view.subarray(0, 20))), 20);
}

describe("SerialTree (flat buffers)", function () {
  context("against @openzeppelin/merkle-tree, the oracle (fast-check)", function () {
    it("has the library's root, every proof and the same dump for any list of distinct serials", function () {
      fc.assert(
        fc.property(serialList(300), (serials) => {
          const tree = SerialTree.build(serials);
          const reference = oracle(serials);
          expect(tree.root).to.equal(reference.root);
          expect(tree.unitCount).to.equal(serials.length);
          for (let p = 0; p < serials.length; p++) {
            const unit = tree.unit(p);
            expect(unit).to.deep.equal({ position: BigInt(p), serial: serials[p], proof: reference.getProof(p) });
            expect(tree.unit(serials[p])).to.deep.equal(unit);
            expect(tree.positionOf(serials[p])).to.equal(p);
            expect(tree.serialAt(p)).to.equal(serials[p]);
          }
          expect(tree.dump()).to.deep.equal(reference.dump());
        }),
        { numRuns: 150 },
      );
    });

    it("hashes leaves as the library and folds proofs as OpenZeppelin's MerkleProof, for any position and string", function () {
      const reference = oracle(["A"]);
      fc.assert(
        fc.property(
          fc.bigInt({ min: 0n, max: 2n ** 256n - 1n }),
          fc.string({ unit: "grapheme", maxLength: 200 }),
          fc.array(fc.uint8Array({ minLength: 32, maxLength: 32 }), { maxLength: 8 }),
          (position, serial, siblings) => {
            const leaf = serialLeafHash(position, serial);
            expect(leaf).to.equal(reference.leafHash([position.toString(), serial]));
            const proof = siblings.map((s) => `0x${Buffer.from(s).toString("hex")}`);
            const root = processProof(leaf, proof);
            expect(
              StandardMerkleTree.verify(root, ["uint256", "string"], [position.toString(), serial], proof),
            ).to.equal(true);
            expect(verifySerialProof(root, { position, serial, proof: proof as `0x${string}`[] })).to.equal(true);
          },
        ),
        { numRuns: 200 },
      );
      expect(serialLeafHash(7n, "é".repeat(9_000))).to.equal(reference.leafHash(["7", "é".repeat(9_000)]));
      expect(() => serialLeafHash(-1n, "A")).to.throw("A leaf position is a uint256 (a bigint from 0); got -1");
      expect(() => processProof("0x12", [])).to.throw(/A proof's starting node must be 32 bytes/);
      expect(() => processProof(reference.root, ["0x12"])).to.throw(/Proof element 0 must be 32 bytes/);
    });

    it("anchors subtrees whose node is the fold of the proof's first levels, for any position and height", function () {
      fc.assert(
        fc.property(serialList(200), fc.nat(), fc.nat(25), (serials, pick, height) => {
          const tree = SerialTree.build(serials);
          const position = pick % serials.length;
          const full = tree.unit(position);
          const anchor = tree.anchorFor(serials[position], height);
          const levels = Math.min(height, full.proof.length);
          expect(anchor.height).to.equal(levels);
          expect(anchor.node).to.equal(
            processProof(serialLeafHash(full.position, full.serial), full.proof.slice(0, levels)),
          );
          expect(processProof(anchor.node, anchor.proof)).to.equal(tree.root);
          const short = tree.unit(position, anchor);
          expect(short.proof).to.deep.equal(full.proof.slice(0, levels));
          expect(verifySerialProof(tree.root, short, new Set([anchor.node]))).to.equal(true);
        }),
        { numRuns: 150 },
      );
    });
  });

  context("input", function () {
    it("builds the same tree from an array, a generator and an async stream", async function () {
      const serials = [...numbered(5_000)];
      const fromArray = SerialTree.build(serials);
      const fromGenerator = SerialTree.build(numbered(5_000));
      async function* stream(): AsyncGenerator<string> {
        for (const s of numbered(5_000)) yield s;
      }
      const fromStream = await SerialTree.buildAsync(stream());
      expect(fromArray.root).to.equal(oracle(serials).root);
      expect(fromGenerator.root).to.equal(fromArray.root);
      expect(fromStream.root).to.equal(fromArray.root);
      expect(fromStream.unit(4_321)).to.deep.equal(fromArray.unit(4_321));
    });

    it("yields to the event loop while it hashes a large batch asynchronously", async function () {
      let ticks = 0;
      let running = true;
      const tick = (): void => {
        ticks++;
        if (running) setImmediate(tick);
      };
      setImmediate(tick);
      const tree = await SerialTree.buildAsync(numbered(200_000));
      running = false;
      expect(tree.unitCount).to.equal(200_000);
      expect(ticks).to.be.greaterThan(3);
    });

    it("refuses bad input with a message that says what is wrong and how to fix it", function () {
      expect(() => SerialTree.build(["A1", "B2", "bad serial"])).to.throw(
        'Serial "bad serial" must be 1 to 20 GS1 alphanumeric characters (AI 21), e.g. "7A3KX9Q2"',
      );
      expect(() => SerialTree.build(["A1", "é"])).to.throw(/Serial "é" must be 1 to 20 GS1/);
      expect(() => SerialTree.build(["A1", "X".repeat(21)])).to.throw(/must be 1 to 20 GS1/);
      expect(() => SerialTree.build(["A1", 7 as unknown as string])).to.throw(/Serial 7 must be 1 to 20/);
      expect(() => SerialTree.build(["A1", "B2", "C3", "B2"])).to.throw(
        'Serial "B2" appears twice (positions 1 and 3): serials must be unique in a batch',
      );
      expect(() => SerialTree.build(numbered(0))).to.throw("A batch needs at least one serial");
      expect(() => SerialTree.build(new Array<string>(MAX_TREE_UNITS + 1))).to.throw(
        "A SerialTree holds at most 67,108,864 units (its nodes fill one 4 GiB buffer): commission a larger batch as several lots",
      );
      const tree = SerialTree.build(["A", "B", "C"]);
      expect(() => tree.serialAt(3)).to.throw("Position 3 is outside the batch (0 .. 2)");
      expect(() => tree.unit(1.5)).to.throw(/Position 1.5 is outside the batch/);
      expect(() => tree.positionOf("é")).to.throw('Serial "é" is not in this batch');
      expect(() => tree.positionOf("")).to.throw(/not in this batch/);
      expect(() => tree.anchorFor("A", 1.5)).to.throw("height 1.5 must be a whole number >= 0");
      const anchor = { ...tree.anchorFor("A", 1), height: -1 };
      expect(() => tree.unit("A", anchor)).to.throw(
        "anchor.height -1 must be a whole number >= 0 (use the anchor from anchorFor)",
      );
    });

    it("finds every serial of a large batch through its index, and no other", function () {
      const serials = [...numbered(50_000)];
      const tree = SerialTree.build(serials);
      for (let p = 0; p < serials.length; p += 997) expect(tree.positionOf(serials[p])).to.equal(p);
      for (const other of numbered(200, "ZZ")) expect(() => tree.positionOf(other)).to.throw(/not in this batch/);
      expect([...tree.units(49_998)].map((u) => u.serial)).to.deep.equal(serials.slice(49_998));
    });

    it("keeps apart distinct serials whose 32-bit index hashes collide", function () {
      const seen = new Map<number, string>();
      const pairs: [string, string][] = [];
      for (const serial of numbered(100_000, "C")) {
        const other = seen.get(serialHash(serial));
        if (other !== undefined) pairs.push([other, serial]);
        seen.set(serialHash(serial), serial);
      }
      expect(pairs.length).to.equal(3); // these 100,000 serials (fixed) hold 3 collisions of the 32-bit hash
      const serials = [...pairs.flat(), ...numbered(1_000)];
      const tree = SerialTree.build(serials);
      serials.forEach((s, p) => expect(tree.positionOf(s)).to.equal(p));
      const loaded = SerialTree.fromBytes(tree.toBytes());
      serials.forEach((s, p) => expect(loaded.positionOf(s)).to.equal(p));
      expect(() => SerialTree.build([...serials, pairs[0][1]])).to.throw(
        `Serial "${pairs[0][1]}" appears twice (positions 1 and ${serials.length})`,
      );
    });

    it("builds the same tree with the pure-JS fallback engine", function () {
      const serials = [...numbered(2_000)];
      const withWasm = SerialTree.build(serials);
      const previous = useKeccakEngine(createJsEngine());
      try {
        const withJs = SerialTree.build(serials);
        expect(withJs.root).to.equal(withWasm.root);
        expect(withJs.unit(1_234)).to.deep.equal(withWasm.unit(1_234));
        expect(SerialTree.fromBytes(withWasm.toBytes(), { check: "rebuild" }).root).to.equal(withWasm.root);
      } finally {
        useKeccakEngine(previous);
      }
    });
  });

  context("save and load", function () {
    let dir: string;
    beforeEach(async function () {
      dir = await mkdtemp(path.join(os.tmpdir(), "serial-tree-"));
    });
    afterEach(async function () {
      await rm(dir, { recursive: true, force: true });
    });

    it("round-trips through bytes for any batch: same root, serials, positions and proofs, without rebuilding", function () {
      fc.assert(
        fc.property(serialList(120), (serials) => {
          const tree = SerialTree.build(serials);
          const bytes = tree.toBytes();
          const serialBytes = serials.reduce((n, s) => n + s.length, 0);
          expect(bytes.length).to.equal(
            Math.ceil((64 + serials.length + serialBytes) / 32) * 32 + (2 * serials.length - 1) * 32,
          );
          for (const check of ["checksum", "rebuild"] as const) {
            const loaded = SerialTree.fromBytes(bytes, {
              check,
              expectedRoot: tree.root.toUpperCase().replace("0X", "0x"),
            });
            expect(loaded.root).to.equal(tree.root);
            expect([...loaded.units()]).to.deep.equal([...tree.units()]);
            for (let p = 0; p < serials.length; p++) expect(loaded.positionOf(serials[p])).to.equal(p);
          }
        }),
        { numRuns: 60 },
      );
    });

    it("saves to a file atomically and opens it again (also from an unaligned copy of its bytes)", async function () {
      const serials = [...numbered(10_000)];
      const tree = SerialTree.build(serials);
      const file = path.join(dir, "batch.tree");
      await tree.save(file);
      expect(await readdir(dir)).to.deep.equal(["batch.tree"]);
      expect((await stat(file)).size).to.equal(tree.toBytes().length);
      const opened = await SerialTree.open(file, { expectedRoot: tree.root });
      expect(opened.root).to.equal(tree.root);
      expect(opened.unit(serials[9_999])).to.deep.equal(tree.unit(9_999));
      const unaligned = new Uint8Array(tree.toBytes().length + 1).subarray(1);
      unaligned.set(await readFile(file));
      expect(SerialTree.fromBytes(unaligned).unit(77)).to.deep.equal(tree.unit(77));
      await tree.save(file); // replaces the file
      expect(await readdir(dir)).to.deep.equal(["batch.tree"]);
    });

    it("detects any corrupted byte, a truncation, trailing bytes and a foreign file", async function () {
      const tree = SerialTree.build([...numbered(40)]);
      const bytes = tree.toBytes();
      fc.assert(
        fc.property(fc.nat(bytes.length - 1), fc.integer({ min: 1, max: 255 }), (at, flip) => {
          const damaged = bytes.slice();
          damaged[at] ^= flip;
          expect(() => SerialTree.fromBytes(damaged)).to.throw(/is corrupt|not a serial tree file|format version/);
        }),
        { numRuns: 400 },
      );
      expect(() => SerialTree.fromBytes(bytes.subarray(0, bytes.length - 32))).to.throw(
        /is corrupt: \d+ bytes where its header announces \d+ \(truncated\? copy it again\)/,
      );
      expect(() => SerialTree.fromBytes(new Uint8Array([...bytes, 0]))).to.throw(/header announces/);
      expect(() => SerialTree.fromBytes(bytes.subarray(0, 10))).to.throw(/not a serial tree file/);
      const file = path.join(dir, "notes.txt");
      await writeFile(file, "serials: A, B, C".repeat(10));
      await expect(SerialTree.open(file)).to.be.rejectedWith(
        `${file} is not a serial tree file (it does not start with "HLSERIAL"): save one with tree.save()`,
      );
      const future = bytes.slice();
      future[8] = 2;
      expect(() => SerialTree.fromBytes(future)).to.throw(
        "the serial tree bytes is format version 2; this SDK reads version 1 (re-save the tree)",
      );
    });

    it("passes a deliberate edit with a recomputed CRC under the checksum, and catches it by rebuild or by root", function () {
      const tree = SerialTree.build([...numbered(40)]);
      const bytes = tree.toBytes();
      const nodesAt = bytes.length - (2 * 40 - 1) * 32;
      const forged = bytes.slice();
      forged[nodesAt + 50 * 32] ^= 1; // a leaf's hash
      recrc(forged);
      expect(SerialTree.fromBytes(forged).root).to.equal(tree.root); // documented: the checksum is not a MAC
      expect(() => SerialTree.fromBytes(forged, { check: "rebuild" })).to.throw(
        "the serial tree bytes is corrupt: node 50 is not the hash of its serials (rebuild the tree)",
      );
      const reRooted = bytes.slice();
      reRooted[32] ^= 1;
      reRooted[nodesAt] ^= 1;
      recrc(reRooted);
      expect(() => SerialTree.fromBytes(reRooted, { expectedRoot: tree.root })).to.throw(
        /holds the tree of root 0x[0-9a-f]{64}, not the expected 0x/,
      );
      const [first, second] = numbered(2);
      expect(first.length).to.equal(second.length);
      const duplicated = bytes.slice();
      duplicated.copyWithin(104 + first.length, 104, 104 + first.length); // serial 1 := serial 0 (serials start at 104)
      recrc(duplicated);
      expect(() => SerialTree.fromBytes(duplicated)).to.throw(
        /is corrupt: Serial "SN\w+" appears twice \(positions 0 and 1\)/,
      );
      const badChar = bytes.slice();
      badChar[64 + 40] = 0x20;
      recrc(badChar);
      expect(() => SerialTree.fromBytes(badChar)).to.throw(/byte 104 is not a GS1 AI 82 serial character/);
      const badLength = bytes.slice();
      badLength[64] = 21;
      recrc(badLength);
      expect(() => SerialTree.fromBytes(badLength)).to.throw(
        "the serial tree bytes is corrupt: serial 0 has length 21 (1 to 20)",
      );
    });

    it("loads the library's JSON dump (rebuilding it) and refuses a sorted or tampered one", function () {
      const serials = [...numbered(300)];
      const dump = JSON.parse(JSON.stringify(oracle(serials).dump()));
      expect(SerialTree.load(dump).root).to.equal(oracle(serials).root);
      const sorted = StandardMerkleTree.of(
        serials.map((s, i): SerialLeaf => [i.toString(), s]),
        ["uint256", "string"],
      );
      expect(() => SerialTree.load(sorted.dump())).to.throw(
        /a SerialTree keeps leaves in position order \(sortLeaves: false\)/,
      );
      const tampered = JSON.parse(JSON.stringify(dump));
      tampered.tree[3] = `0x${"00".repeat(32)}`;
      expect(() => SerialTree.load(tampered)).to.throw(
        "Node 3 of the dump does not match its values: the dump is corrupt (rebuild it)",
      );
      expect(() => SerialTree.load({ ...dump, leafEncoding: ["string"] })).to.throw(
        /leafEncoding \["uint256","string"\]/,
      );
      expect(() => SerialTree.load({ ...dump, format: "other" } as never)).to.throw(
        /StandardMerkleTree.dump\(\) output/,
      );
      expect(() => SerialTree.load({ ...dump, tree: dump.tree.slice(1) })).to.throw(
        /The dump has 598 nodes where 300 leaves make 599/,
      );
    });
  });

  context("on chain", function () {
    it("gives proofs, from a saved and reopened tree, that verify, anchor and dispense in DrugProvenance", async function () {
      const { provenance, pharmacy, stranger, batchId, tree } = await loadFixture(distributedFixture);
      const dir = await mkdtemp(path.join(os.tmpdir(), "serial-tree-"));
      try {
        await tree.save(path.join(dir, "batch.tree"));
        const reopened = await SerialTree.open(path.join(dir, "batch.tree"), { expectedRoot: tree.root });
        for (const p of [0, 1, 255, 256, 511, 599]) {
          const u = reopened.unit(p);
          expect(await provenance.verifyUnit(batchId, u.position, u.serial, u.proof)).to.equal(
            BigInt(UnitStatus.Authentic),
          );
          const wrong = { ...u, position: (u.position + 1n) % 600n };
          expect(await provenance.verifyUnit(batchId, wrong.position, wrong.serial, wrong.proof)).to.equal(
            BigInt(UnitStatus.Unknown),
          );
        }
        const anchor = reopened.anchorFor(300, 5);
        await provenance.connect(stranger).anchorSubtree(batchId, anchor.node, anchor.proof);
        const short = reopened.unit(301, anchor);
        expect(short.proof).to.have.length(5);
        await provenance.connect(pharmacy).dispense(batchId, short.position, short.serial, short.proof);
        const full = reopened.unit(301);
        expect(await provenance.verifyUnit(batchId, full.position, full.serial, full.proof)).to.equal(
          BigInt(UnitStatus.Dispensed),
        );
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  });
});
