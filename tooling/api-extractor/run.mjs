#!/usr/bin/env node
// One API report per public entry point: `.` → etc/<name>.api.md, `./host` → etc/<name>-host.api.md, and so
// on for every subpath in the package's `exports` that has types. A subpath such as `@dl/gan/checkpoint` is a
// surface users import as such, so a change to it must show in review like a change to the main entry.
//
// Run from a package folder: `node ../../tooling/api-extractor/run.mjs` checks (fails when a report is out of
// date); `--local` rewrites the reports. Settings come from the package's api-extractor.json (which extends
// base.json); only the entry file and the report's name differ per entry.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";

const packageFolder = process.cwd();
const packageJsonPath = join(packageFolder, "package.json");
const configPath = join(packageFolder, "api-extractor.json");
const localBuild = process.argv.includes("--local");

// api-extractor is each package's own dev dependency; resolve it from the package, not from tooling/.
const requireFromPackage = createRequire(packageJsonPath);
const { Extractor, ExtractorConfig } = requireFromPackage("@microsoft/api-extractor");

const packageJson = JSON.parse(readFileSync(packageJsonPath, "utf8"));
const unscopedName = packageJson.name.replace(/^@[^/]+\//, "");

/** The declaration file a TypeScript user in Node gets for an export condition map. */
function typesOf(target) {
  if (typeof target !== "object" || target === null) return undefined;
  return target.node?.types ?? target.types;
}

const entries = Object.entries(packageJson.exports ?? {})
  .map(([subpath, target]) => ({ subpath, types: typesOf(target) }))
  .filter((entry) => entry.types !== undefined);
if (entries.length === 0) {
  console.error(`${packageJson.name}: package.json "exports" names no entry with "types"; nothing to report.`);
  process.exit(1);
}

let failed = 0;
for (const { subpath, types } of entries) {
  const suffix = subpath === "." ? "" : `-${subpath.replace(/^\.\//, "").replaceAll("/", "-")}`;
  const configObject = ExtractorConfig.loadFile(configPath);
  configObject.mainEntryPointFilePath = join(packageFolder, types);
  configObject.apiReport = { ...configObject.apiReport, reportFileName: `${unscopedName}${suffix}` };
  const config = ExtractorConfig.prepare({ configObject, configObjectFullPath: configPath, packageJsonFullPath: packageJsonPath });
  const result = Extractor.invoke(config, { localBuild, showVerboseMessages: false });
  const label = subpath === "." ? packageJson.name : `${packageJson.name}/${subpath.slice(2)}`;
  if (result.succeeded) {
    console.log(`${label}: API report ${localBuild && result.apiReportChanged ? "updated" : "up to date"} (etc/${unscopedName}${suffix}.api.md)`);
  } else {
    failed += 1;
    console.error(
      `${label}: API report etc/${unscopedName}${suffix}.api.md is out of date or has errors — run \`pnpm api:update\` and commit the report beside a changeset.`,
    );
  }
}
process.exit(failed === 0 ? 0 : 1);
