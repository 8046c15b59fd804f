import { fileURLToPath } from "node:url";

/** Small cuts of the public datasets, inside the repository (test/fixtures/README.md says which lines). */
export const datasetsDir = fileURLToPath(new URL("../fixtures/datasets/", import.meta.url));
export const datasetPath = (name: string): string => `${datasetsDir}${name}`;
