import type { Command } from "commander";

import { tcavReportSections, tcavSummary } from "@dl/interpretability";
import { reportFiles } from "@dl/tensor-core";

import { runAction } from "../action.js";
import type { OutputFile } from "../io.js";
import { findParts, mergeTcavParts } from "../jobs/merge.js";

interface MergeCliOptions {
  out: string;
  json?: boolean;
}

export function registerMergeCommand(program: Command): void {
  program
    .command("merge")
    .description("combine the part-*.json files of a `dl tcav --shard` run (one per array job) into its report and tcav.json")
    .argument("<dirs...>", "the shards' --out folders or part files")
    .requiredOption("--out <dir>", "folder that receives index.html, figures and tcav.json")
    .option("--json", "print one JSON document on stdout")
    .action((dirs: string[], opts: MergeCliOptions) =>
      runAction(
        "merge",
        opts,
        async () => {
          const files = await findParts(dirs);
          const { result, part } = await mergeTcavParts(files);
          const report = { title: `TCAV for class ${result.target}`, subtitle: `merged from ${files.length} part(s), dl-lab ${part.spec.version}`, sections: tcavReportSections(result, { targetName: String(result.target) }) };
          const json = tcavSummary(result, { mergedFrom: files, argv: part.spec.argv });
          const outputs: OutputFile[] = [...reportFiles(report).map((f): OutputFile => [f.path, f.contents]), ["tcav.json", `${JSON.stringify(json, null, 2)}\n`]];
          return { files: outputs, json, summary: `dl merge: ${files.length} part(s), ${result.rows.length} rows` };
        },
        { backend: false },
      ),
    );
}
