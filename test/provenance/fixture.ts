import hre, { ethers } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import type { Signer } from "ethers";
import { batchIdOf, encodeLot, SerialTree, shipUnits } from "../../src/provenance";
import { deployTestSystem } from "../../tooling/system";

export const GTIN = "09506000134352";
export const LOT = "LOT-2026-A";
export const SERIALS = Array.from({ length: 600 }, (_, i) => `SN${(1000 + i).toString(36).toUpperCase()}X${i}`);
export const YEAR = 365n * 24n * 3600n;

/** A bytes32 commitment stand-in for tests (any non-zero value works on chain). */
export function c(label: string): string {
  return ethers.id(label);
}

/** The whole system as operators deploy it, one account per role, and a commissioned 600-unit batch. */
export async function deployFixture() {
  const [admin, manufacturer, distributor, pharmacy, regulator, stranger, manufacturer2, pharmacy2] =
    await ethers.getSigners();
  const system = await deployTestSystem(hre, {
    grants: [
      { role: "MANUFACTURER", account: manufacturer.address },
      { role: "MANUFACTURER", account: manufacturer2.address },
      { role: "DISTRIBUTOR", account: distributor.address },
      { role: "DISPENSER", account: pharmacy.address },
      { role: "DISPENSER", account: pharmacy2.address },
      { role: "REGULATOR", account: regulator.address },
    ],
  });
  const { authority, forwarder, drugProvenance: provenance } = system;
  const tree = SerialTree.build(SERIALS);
  const expiresAt = BigInt(await time.latest()) + YEAR;
  const gtin = BigInt(GTIN);
  const lot = encodeLot(LOT);
  await provenance.connect(manufacturer).commission(gtin, lot, expiresAt, tree.unitCount, tree.root, c("medication"));
  const batchId = batchIdOf(GTIN, LOT);
  return {
    authority,
    forwarder,
    provenance,
    admin,
    manufacturer,
    distributor,
    pharmacy,
    regulator,
    stranger,
    manufacturer2,
    pharmacy2,
    tree,
    batchId,
    gtin,
    lot,
    expiresAt,
  };
}

type Fixture = Awaited<ReturnType<typeof deployFixture>>;

/** Fixture where the distributor holds 400 units and the pharmacy 100 (manufacturer keeps 100). */
export async function distributedFixture() {
  const f = await deployFixture();
  const { provenance, manufacturer, distributor, pharmacy, batchId } = f;
  const toDistributor = await shipUnits(
    provenance.connect(manufacturer),
    batchId,
    distributor.address,
    500,
    c("asn-1"),
  );
  await provenance.connect(distributor).accept(toDistributor.shipment);
  const toPharmacy = await shipUnits(provenance.connect(distributor), batchId, pharmacy.address, 100, c("asn-2"));
  await provenance.connect(pharmacy).accept(toPharmacy.shipment);
  return { ...f, toDistributor, toPharmacy };
}

/** Sends a shipment and returns it (not accepted). */
export async function send(f: Fixture, from: Signer, to: string, quantity: number, docs: string) {
  return shipUnits(f.provenance.connect(from), f.batchId, to, quantity, c(docs));
}
