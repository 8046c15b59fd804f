import type { OperatorFunction, SchedulerLike } from "rxjs";
import type { ResultLine } from "../types.js";
import { countWindows } from "./count-windows.js";
import { timeWindows } from "./time-windows.js";
import type { WindowReport } from "./window-report.js";
import type { WindowSpec } from "./window-spec.js";
import type { WindowScope } from "./window-stats.js";

/** `timeWindows` or `countWindows`, as `spec` (from `parseWindowSpec`) says. */
export function rollingWindows(spec: WindowSpec, scope: WindowScope, scheduler?: SchedulerLike): OperatorFunction<ResultLine, WindowReport> {
  return spec.kind === "time"
    ? timeWindows({ ...scope, sizeMs: spec.sizeMs, slideMs: spec.slideMs, scheduler })
    : countWindows({ ...scope, size: spec.size, slide: spec.slide, scheduler });
}
