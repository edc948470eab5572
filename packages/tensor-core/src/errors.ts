/** Every failure a dl-lab package reports on purpose. Extend the union when a new kind appears. */
export type DlErrorCode =
  | "INVALID_ARGUMENT"
  | "SHAPE_MISMATCH"
  | "NON_FINITE"
  | "UNKNOWN_BACKEND"
  | "BACKEND_UNAVAILABLE"
  | "UNKNOWN_DATASET"
  | "DATASET_NOT_INSTALLED"
  | "MALFORMED_FILE"
  | "UNSUPPORTED_FORMAT"
  | "FILE_NOT_FOUND"
  | "MODEL_NOT_FOUND"
  | "UNKNOWN_LAYER"
  | "NO_GRADIENT_PATH"
  | "NOT_POSITIVE_DEFINITE"
  | "UNKNOWN_NAME"
  | "IO_ERROR"
  | "ABORTED"
  | "NOT_SUPPORTED";

export interface DlErrorOptions {
  cause?: unknown;
  /** Structured details for programmatic handling (valid options, offending index, …). */
  details?: Readonly<Record<string, unknown>>;
}

/**
 * The one error base class of dl-lab. Messages say what was wrong, what was expected and how to
 * fix it; `code` lets callers branch without parsing text.
 */
export class DlError extends Error {
  override readonly name: string = "DlError";
  readonly code: DlErrorCode;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: DlErrorCode, message: string, options: DlErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: normalizeCause(options.cause) });
    this.code = code;
    this.details = options.details ?? {};
  }
}

function normalizeCause(cause: unknown): Error {
  if (cause instanceof Error) return cause;
  return new Error(typeof cause === "string" ? cause : JSON.stringify(cause));
}

export function isDlError(value: unknown, code?: DlErrorCode): value is DlError {
  return value instanceof DlError && (code === undefined || value.code === code);
}

/** Throws INVALID_ARGUMENT unless `condition` holds. */
export function assertArgument(condition: boolean, message: string | (() => string)): asserts condition {
  if (!condition) throw new DlError("INVALID_ARGUMENT", typeof message === "string" ? message : message());
}

/** Throws ABORTED if the signal has fired; call between chunks of long work. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) {
    throw new DlError("ABORTED", "The operation was cancelled through its AbortSignal.", { cause: signal.reason });
  }
}

/** Lists valid names in an error message: `a, b or c`. */
export function listNames(names: readonly string[]): string {
  if (names.length <= 1) return names.join("");
  return `${names.slice(0, -1).join(", ")} or ${names[names.length - 1] ?? ""}`;
}
