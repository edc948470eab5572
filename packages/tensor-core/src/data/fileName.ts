/**
 * A file name made from text a user or a model supplied (a layer name, a concept name): letters, digits,
 * `.`, `_` and `-` kept, every other run of characters one `_`, no leading dot, at most 120 characters.
 */
export function safeFileName(name: string): string {
  const cleaned = name.replace(/[^A-Za-z0-9._-]+/g, "_").replace(/^[._]+/, "").slice(0, 120);
  return cleaned === "" ? "_" : cleaned;
}

