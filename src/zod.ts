/**
 * zod's classic API (`z`), as every module of the package imports it. In `dist/`, `npm run build` replaces this
 * file with a bundle of only the members the package's JavaScript uses (scripts/bundle-zod.mjs): each of zod's
 * entries (classic, mini, core) imports all of its locales, about 1.2 MB of live heap in every program that
 * imports the package, of which the classic API uses English alone (docs/benchmarks.md, "What the package holds").
 */
export * as z from "zod";
