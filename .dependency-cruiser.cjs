/**
 * The layers of DESIGN.md, kept by `npm test` (`npm run check:layers`). Floors from the top down;
 * a file imports only its own floor or the floors below it, and no files import each other in a loop.
 * Type-only imports count: a type names a concept, and a concept lives on one floor.
 */
const floors = [
  { name: "cli", path: "^src/(cli\\.ts|commands/)" },
  // distributed/: a queue's enqueue and worker drive the same graph as run.ts, with a queue for source and sink.
  { name: "run", path: "^src/((index|run|run-evaluation|run-estimate)\\.ts$|distributed/)" },
  { name: "pipelines", path: "^src/pipelines/" },
  { name: "operators", path: "^src/operators/" },
  // models, reliability, cost, metrics, tasks, scorers, store, io, render, errors, events.ts and their peers
  { name: "modules", path: "^src/(?!(cli\\.ts|commands/|index\\.ts|run\\.ts|run-evaluation\\.ts|run-estimate\\.ts|distributed/|pipelines/|operators/|work/|types\\.ts|clock\\.ts|python/|zod\\.ts$))" },
  { name: "work", path: "^src/(work/|types\\.ts$|clock\\.ts$)" },
  { name: "python", path: "^src/python/" },
  // zod.ts: zod's API as the package imports it (trimmed in dist/ by scripts/bundle-zod.mjs); every floor validates with it.
  { name: "zod", path: "^src/zod\\.ts$" },
];

const upward = floors.slice(1).map((floor, i) => ({
  name: `${floor.name}-imports-down`,
  comment: `${floor.name} may not import a floor above it (${floors.slice(0, i + 1).map((f) => f.name).join(", ")})`,
  severity: "error",
  from: { path: floor.path },
  to: { path: floors.slice(0, i + 1).map((f) => f.path) },
}));

// Folders of the modules floor that once imported each other (or the wrong way): `from` never imports `to`.
const apart = [
  ["observe", "summary", "the summary holds observe's figures; observe reads scores through metrics/ and latency through stats/"],
  ["continuous", "summary", "windows and the summary both fold lines with metrics/ and stats/; neither reads the other"],
  ["summary", "continuous", "windows and the summary both fold lines with metrics/ and stats/; neither reads the other"],
  ["cost", "observe", "the process meter reports cost's MachineUsage; cost never reads the meter"],
  ["errors", "reliability", "errors/ classifies a failure (its Retry-After included); reliability/ acts on the classification"],
];
const apartRules = apart.map(([from, to, why]) => ({
  name: `${from}-not-${to}`,
  comment: why,
  severity: "error",
  from: { path: `^src/${from}/` },
  to: { path: `^src/${to}/` },
}));

module.exports = {
  forbidden: [
    {
      name: "no-circular",
      comment: "files that import each other in a loop",
      severity: "error",
      from: { path: "^src/" },
      to: { circular: true },
    },
    {
      name: "operators-not-pipelines",
      comment: "pipelines compose operators; an operator never reaches back into a pipeline",
      severity: "error",
      from: { path: "^src/operators/" },
      to: { path: "^src/pipelines/" },
    },
    {
      name: "no-folder-circles",
      comment: "folders that import each other, directly or round a loop (a type-only import counts)",
      severity: "error",
      scope: "folder",
      from: { path: "^src/" },
      to: { circular: true },
    },
    {
      name: "events-on-the-work-floor",
      comment: "every folder emits or folds events: events.ts names its data from the work floor only",
      severity: "error",
      from: { path: "^src/events\\.ts$" },
      to: { path: "^src/", pathNot: "^src/(work/|types\\.ts$|clock\\.ts$)" },
    },
    ...apartRules,
    ...upward,
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: { exportsFields: ["exports"], conditionNames: ["import", "require", "node", "default"], extensions: [".ts", ".js"] },
  },
};
