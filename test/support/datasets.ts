import { fileURLToPath } from "node:url";

/** The shared datasets folder beside the repository (../shared/datasets), as CI lays it out. */
export const datasetsDir = fileURLToPath(new URL("../../../shared/datasets/", import.meta.url));
export const datasetPath = (name: string): string => `${datasetsDir}${name}`;
