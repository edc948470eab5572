// How the optional native backend stands, in words (browser-safe: only text; `dl doctor` and the tour say it).
/** How the optional native backend (@tensorflow/tfjs-node) stands, in words a new user can act on. */
export interface NativeStatus {
  status: "installed" | "not-installed" | "failed";
  /** One line: what is the case and what to do. */
  text: string;
}

const PACKAGE = "@tensorflow/tfjs-node";

/**
 * Words for a tfjs-node load `reason`. Only a missing `@tensorflow/tfjs-node` itself is "not installed":
 * a package that is there but whose addon (tfjs_binding.node, libtensorflow) does not load is a
 * failure worth reading, even when Node reports that as a missing module too.
 */
export function describeNative(reason: string | undefined, tfjsVersion: string): NativeStatus {
  if (reason === undefined) return { status: "installed", text: "installed" };
  const first = reason.split("\n")[0] ?? reason;
  const missingPackage = new RegExp(`Cannot find (package|module) '${PACKAGE}'`).test(first);
  if (missingPackage) {
    return {
      status: "not-installed",
      text: `not installed (optional; wasm runs instead). To use it: npm install ${PACKAGE}@${tfjsVersion} in the project that uses dl-lab (its install script downloads libtensorflow; see the README, Backends)`,
    };
  }
  const detail = first.replace(/^tfjs-node (not installed|failed to load its native addon): /, "");
  return {
    status: "failed",
    text: `installed but its native addon failed to load: ${detail} — rebuild it (npm rebuild ${PACKAGE}) or uninstall it; wasm runs meanwhile`,
  };
}
