// A throwaway redis-server for the queue tests: loopback only, a free port, no persistence.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer } from "node:net";

export const REDIS_SERVER = "/usr/bin/redis-server";

export interface TestRedis {
  port: number;
  url: string;
  /** Stops the server (SIGTERM) and starts a fresh, empty one on the same port. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function launch(port: number): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(REDIS_SERVER, ["--port", String(port), "--bind", "127.0.0.1", "--protected-mode", "yes", "--save", "", "--appendonly", "no"], { stdio: ["ignore", "pipe", "pipe"] });
    let log = "";
    const timer = setTimeout(() => reject(new Error(`redis-server did not start on port ${port}: ${log}`)), 20_000);
    child.stdout.on("data", (chunk: Buffer) => {
      log += chunk.toString();
      if (log.includes("Ready to accept connections")) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited with ${code ?? "?"}: ${log}`));
    });
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      resolve();
      return;
    }
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
  });
}

/** Starts redis-server; fails (never skips) with how to install it when it is missing. */
export async function startRedis(): Promise<TestRedis> {
  if (!existsSync(REDIS_SERVER)) {
    throw new Error(`${REDIS_SERVER} is missing: the queue tests need Debian's redis-server (tooling/setup.sh --browser installs it, or apt-get install redis-server).`);
  }
  const port = await freePort();
  let child = await launch(port);
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    async restart() {
      await stopChild(child);
      child = await launch(port);
    },
    stop: () => stopChild(child),
  };
}
