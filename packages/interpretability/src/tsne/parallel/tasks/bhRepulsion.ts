// Barnes–Hut repulsion phase (van der Maaten 2014): one tree walk per point group, per chunk of tree order.
import { SpaceTree } from "../../spaceTree.js";
import { listSumsOfThisThread } from "../../wasm/wasmKernels.js";
import { PARAM, POINT_CHUNK } from "./state.js";
import type { Task } from "./state.js";

/**
 * Barnes–Hut repulsion for the point groups (SpaceTree.groups) that start in a chunk of tree-order positions, one
 * walk per group. Each thread rebuilds its own copy of the tree once per iteration, in the same memory; the
 * chunks, like the groups, do not depend on the team size.
 */
export const barnesHutWalks: Task = (s, scratch, chunk) => {
  const n = s.params[PARAM.n] as number;
  const dims = s.params[PARAM.dims] as number;
  const theta = s.params[PARAM.theta] as number;
  const version = s.params[PARAM.treeVersion] as number;
  let tree = scratch.tree;
  if (tree?.dims !== dims || tree.order.length !== n) {
    tree = new SpaceTree(s.y, n, dims);
    scratch.tree = tree;
  } else if (scratch.treeVersion !== version) {
    tree.rebuild(s.y);
  }
  scratch.treeVersion = version;
  const from = tree.firstGroupFrom(chunk * POINT_CHUNK);
  const to = tree.firstGroupFrom((chunk + 1) * POINT_CHUNK);
  s.zPartials[chunk] = tree.groupRepulsion(from, to, theta, s.forces, s.params[PARAM.wasm] === 1 ? listSumsOfThisThread() : undefined);
};
