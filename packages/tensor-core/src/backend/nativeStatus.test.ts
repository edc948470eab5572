import { describe, expect, it } from "vitest";

import { describeNative } from "./nativeStatus.js";

describe("describeNative", () => {
  it("says installed, not installed (with the matching install line) or failed with the loader's first line", () => {
    expect(describeNative(undefined, "4.22.0")).toEqual({ status: "installed", text: "installed" });
    const missing = describeNative("tfjs-node not installed: Cannot find package '@tensorflow/tfjs-node' imported from /x.js\nstack", "4.22.0");
    expect(missing.status).toBe("not-installed");
    expect(missing.text).toContain("npm install @tensorflow/tfjs-node@4.22.0 ");
    expect(missing.text).not.toContain("Cannot find");
    const broken = describeNative("tfjs-node failed to load its native addon: libtensorflow.so.2: cannot open shared object file\nmore", "4.22.0");
    expect(broken.status).toBe("failed");
    expect(broken.text).toBe("installed but its native addon failed to load: libtensorflow.so.2: cannot open shared object file — rebuild it (npm rebuild @tensorflow/tfjs-node) or uninstall it; wasm runs meanwhile");
  });
});
