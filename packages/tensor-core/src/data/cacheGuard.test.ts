import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { readChecksummedRecord, recordChecksum, sha256, withCacheLock } from "./cacheGuard.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "dl-lock-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe("sha256 and recordChecksum", () => {
  it("match the published SHA-256 test vector and ignore only the checksum field", () => {
    // FIPS 180-2 example: SHA-256("abc").
    expect(sha256("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    expect(recordChecksum({ a: 1, checksum: "x" })).toBe(recordChecksum({ a: 1, checksum: "y" }));
    expect(recordChecksum({ a: 1 })).toBe(sha256('{"a":1}'));
    expect(recordChecksum({ a: 2 })).not.toBe(recordChecksum({ a: 1 }));
  });
});

describe("readChecksummedRecord", () => {
  it("returns a record whose checksum matches, and says why otherwise (nothing when the file is absent)", async () => {
    const own = await mkdtemp(join(tmpdir(), "dl-record-"));
    const path = join(own, "record.json");
    const unsigned = { key: "k", value: 3 };
    const signed = { ...unsigned, checksum: sha256(JSON.stringify(unsigned)) };
    expect(await readChecksummedRecord(join(own, "absent.json"))).toEqual({});
    await writeFile(path, JSON.stringify(signed));
    expect(await readChecksummedRecord(path)).toEqual({ record: signed });
    await writeFile(path, JSON.stringify({ ...signed, value: 4 }));
    expect(await readChecksummedRecord(path)).toEqual({ problem: "record.json fails its checksum" });
    for (const text of [JSON.stringify(unsigned), "null", "{}"]) {
      await writeFile(path, text);
      expect(await readChecksummedRecord(path)).toEqual({ problem: "record.json records no checksums (an older dl-lab wrote it)" });
    }
    await writeFile(path, "{ not json");
    expect(await readChecksummedRecord(path)).toEqual({ problem: "record.json is not valid JSON" });
    await rm(own, { recursive: true, force: true });
  });
});

describe("withCacheLock", () => {
  it("runs racing builders one at a time: the later ones find the entry built and do not build it again", async () => {
    const lock = join(dir, "entry.lock");
    let built = 0;
    let inside = 0;
    let maxInside = 0;
    const waits: number[] = [];
    const builder = (k: number): Promise<string> =>
      withCacheLock(lock, { pollMs: 20, onWait: () => waits.push(k) }, async () => {
        inside++;
        maxInside = Math.max(maxInside, inside);
        try {
          if (built === 0) {
            await new Promise((resolve) => setTimeout(resolve, 200));
            built++;
            return "built";
          }
          return "reused";
        } finally {
          inside--;
        }
      });
    const results = await Promise.all([0, 1, 2, 3].map(builder));
    expect(built).toBe(1);
    expect(maxInside).toBe(1);
    expect(results.filter((r) => r === "built")).toHaveLength(1);
    expect(waits.length).toBeGreaterThanOrEqual(3);
    expect(await readdir(dir)).toEqual([]);
  });

  it("releases the lock when the work throws, and stops waiting when aborted", async () => {
    const lock = join(dir, "throws.lock");
    await expect(withCacheLock(lock, {}, () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    expect(await readdir(dir)).toEqual([]);
    await writeFile(lock, JSON.stringify({ pid: process.pid, host: hostname(), started: Date.now() }));
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    await expect(withCacheLock(lock, { signal: controller.signal, pollMs: 20 }, () => Promise.resolve(1))).rejects.toMatchObject({ code: "ABORTED" });
    await rm(lock);
  });

  it("takes over a lock whose process is gone, or that never got its contents", async () => {
    const lock = join(dir, "stale.lock");
    await writeFile(lock, JSON.stringify({ pid: 2 ** 22 + 12_345, host: hostname(), started: 0 }));
    expect(await withCacheLock(lock, { pollMs: 20 }, () => Promise.resolve("ran"))).toBe("ran");
    await writeFile(lock, "");
    const { utimes } = await import("node:fs/promises");
    await utimes(lock, new Date(0), new Date(0));
    expect(await withCacheLock(lock, { pollMs: 20 }, () => Promise.resolve("ran again"))).toBe("ran again");
    expect(await readdir(dir)).toEqual([]);
  });
});
