/** The stage runtime: context, flag groups, outputs committed together, manifests, tasks. */
export { makeContext, type RunContext } from "./context.ts";
export { gammaEnv, readEnv, type GammaEnv } from "./env.ts";
export { addTaskFlags, intFlag, readContext, readTask, withFlags, type FlagGroup } from "./flags.ts";
export { checkCounts, manifestHeader, stageManifest } from "./manifest.ts";
export { Outputs, removeStaleTemps, TempFile, type PendingOutput } from "./outputs.ts";
export {
  allMarkers,
  checkTask,
  markerPath,
  readMarker,
  shareOf,
  shareRange,
  SINGLE_TASK,
  taskName,
  writeMarker,
  type Task,
} from "./tasks.ts";
