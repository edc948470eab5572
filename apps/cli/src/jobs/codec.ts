// Task payloads and results cross process and Redis boundaries as JSON; JSON has no NaN, ±Infinity or
// −0, and a merge must see exactly the numbers the worker computed.
const SPECIAL = "$num";

function replacer(_key: string, value: unknown): unknown {
  if (typeof value === "number" && (!Number.isFinite(value) || Object.is(value, -0))) return { [SPECIAL]: Object.is(value, -0) ? "-0" : String(value) };
  return value;
}

function reviver(_key: string, value: unknown): unknown {
  if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    const keys = Object.keys(value);
    if (keys.length === 1 && keys[0] === SPECIAL) {
      const text = (value as Record<string, string>)[SPECIAL];
      return text === "-0" ? -0 : Number(text);
    }
  }
  return value;
}

/** JSON that round-trips every double bit for bit. */
export function encode(value: unknown): string {
  return JSON.stringify(value, replacer);
}

export function decode(text: string): unknown {
  return JSON.parse(text, reviver);
}
