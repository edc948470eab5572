import { DlError } from "@dl/tensor-core";

/** Checks a `--queue` URL: redis:// or rediss:// (TLS), optionally with user:password@. */
export function parseQueueUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new DlError("INVALID_ARGUMENT", `--queue "${url}" is not a URL; give redis://HOST:PORT (or rediss://[:PASSWORD@]HOST:PORT for TLS).`);
  }
  if (parsed.protocol !== "redis:" && parsed.protocol !== "rediss:") {
    throw new DlError("INVALID_ARGUMENT", `--queue "${url}" has scheme ${parsed.protocol.replace(":", "")}; use redis:// or rediss:// (TLS).`);
  }
  return parsed;
}

/** Where the queue lives, without the password (for messages). */
export function describeQueue(url: string): string {
  const u = parseQueueUrl(url);
  return `${u.protocol}//${u.host}`;
}
