import { createServer } from "node:net";

import { describe, expect, it } from "vitest";

import { queueRunner } from "./queue.js";
import { describeQueue, parseQueueUrl } from "./queueUrl.js";

/** A loopback port with nothing listening. */
function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const a = s.address();
      s.close(() => resolve(typeof a === "object" && a !== null ? a.port : 0));
    });
  });
}

describe("queue runner without Redis", () => {
  it("fails after its timeout naming the queue, never printing the password, and merges nothing", async () => {
    const port = await closedPort();
    const runner = queueRunner(`redis://:s3cret@127.0.0.1:${port}`, { redisTimeoutMs: 1500 });
    const started = Date.now();
    const error = await runner.run({ kind: "noop", argv: [], version: "0.0.0" }, [{ id: "noop:0", task: 0 }]).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error?.message).toMatch(new RegExp(`^Lost Redis at redis://127\\.0\\.0\\.1:${port} for 2 s .*no result was merged`));
    expect(error?.message).not.toContain("s3cret");
    expect(Date.now() - started).toBeGreaterThanOrEqual(1500);
  }, 30_000);

  it("accepts redis:// and rediss:// only and describes the queue without credentials", () => {
    expect(describeQueue("rediss://user:pw@h.example:6380/0")).toBe("rediss://h.example:6380");
    expect(() => parseQueueUrl("http://h:1")).toThrow(/scheme http; use redis:\/\/ or rediss:\/\//);
    expect(() => parseQueueUrl("h:1")).toThrow(/scheme h|not a URL/);
  });
});
