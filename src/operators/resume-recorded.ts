import { Observable, type OperatorFunction } from "rxjs";
import type { ResultFold, ResultLine, Sample, SourceItem } from "../types.js";
import { workKeyHead, workKeyTail } from "../types.js";
import { effectiveRepeats, type Task } from "../work/task.js";
import { checkSample, confirmSample, sampleText } from "./parse.js";
import { legacySource, recordSource } from "./record-source.js";

/** A stored record as `lookupRecords` gives it: what it was made from, its line's JSON text, and the JSON of its `ResultFold` when known. */
export interface StoredRecordText {
  readonly source?: string;
  readonly json: string;
  readonly fold?: string;
  readonly seq?: number;
  /** Optional: the text `json` was cut from, `json` being `{` and then `text.slice(at)` (passed on to the lines). */
  readonly text?: string;
  readonly at?: number;
}

/** Where a stored line's JSON lies in the text the store gave (`StoredRecordText.text`): its output is written from there. */
export interface StoredAt {
  readonly text?: string;
  readonly at?: number;
}

/** What resumeRecorded reads: the stored records of some keys, undefined where none (RunStore fits). */
export interface RecordLookup {
  lookupRecords(keys: readonly string[]): Promise<readonly (StoredRecordText | undefined)[]>;
}

/**
 * A stored line reused: its JSON as stored (written out as it is) and what a summary reads of it (`fold`).
 * `line`, the whole line decoded, only for a record that does not say where its fold lies (written before
 * `record_fold`): then `fold` is that line.
 */
export interface ResumedLine extends StoredAt {
  readonly json: string;
  readonly fold: ResultFold;
  readonly line?: ResultLine;
  /** The sequence number it is stored under (store layout 2). */
  readonly seq?: number;
}

/**
 * A stored line reused whose fold a summary snapshot may cover (`deferFoldsUpTo`): the record as the store gave it,
 * whatever its form, its fold's JSON not read.
 */
export interface DeferredLine {
  readonly deferred: StoredRecordText;
  readonly seq: number;
}

export interface ResumeRecordedOptions {
  readonly store: RecordLookup;
  /** The task a sample goes to (undefined: the sample passes on, and the stage after it rejects it). */
  readonly taskOf: (sample: Sample) => Task | undefined;
  /** The run's models: a sample is evaluated on each. */
  readonly models: readonly string[];
  /** Overrides every task's `repeats`. */
  readonly repeats?: number;
  /** Receives each sample found done, with every one of its stored lines (model by model, repeat by repeat). */
  readonly onResumed: (sample: Sample, lines: readonly (ResumedLine | DeferredLine)[]) => void;
  /**
   * Records stored under a sequence number up to this one are handed on with their fold's JSON not decoded
   * (`DeferredLine`): a summary snapshot covers records up to it (summary-snapshot.ts). Default: none.
   */
  readonly deferFoldsUpTo?: number;
  /** Told after each lookup how many of its keys were done and reusable (the run reads further ahead while all are). */
  readonly onLookup?: (done: number, keys: number) => void;
  /** Most keys in one lookup (default 512); a sample's keys are never split. */
  readonly maxKeys?: number;
}

interface Plan {
  readonly sample: Sample;
  readonly task: Task;
  /** Where its keys start in the lookup, and how many. */
  readonly at: number;
  readonly keys: number;
}

/** An item as it goes on: a sample whose line was left unchecked (parse's `checkLater`) checked, a reject if bad. */
const passable = (item: SourceItem): SourceItem => (item.kind === "sample" ? checkSample(item) : item);

/**
 * Resume before rendering: for each sample whose task has a render digest and whose line has a text hash,
 * looks up its records (every model × repeat) and, when every one is stored with the source this run would
 * make it from (`recordSource`: the task's files and options, the generation settings, the model, the line's
 * text), hands them to `onResumed` and drops the sample — it is never rendered, expanded or fingerprinted.
 * Of each stored line only its fold (what a summary reads) is decoded, where the record says where it lies.
 * Every other item passes on unchanged, in order: rejects, samples of other tasks, and samples with a record
 * missing, made from another source, or stored without one (older stores), which skipCompleted then looks up
 * and compares by fingerprint as before. So it reuses a record only where the fingerprint would.
 *
 * Items of one turn of the event loop are looked up together, in batches of up to `maxKeys` keys; lookups run
 * at once but are answered in order. A lookup that finds records, none with a source, marks an older store:
 * from then on items pass straight on (skipCompleted looks them up). Completes after the source completes and
 * the last answer; a failed lookup errors the stream.
 */
export function resumeRecorded(options: ResumeRecordedOptions): OperatorFunction<SourceItem, SourceItem> {
  if (typeof options?.store?.lookupRecords !== "function") throw new TypeError("Expected `store` to have a lookupRecords(keys) method");
  if (typeof options.onResumed !== "function") throw new TypeError("Expected `onResumed` to be a function");
  const maxKeys = options.maxKeys ?? 512;
  if (!Number.isInteger(maxKeys) || maxKeys < 1) throw new RangeError(`Expected \`maxKeys\` to be an integer >= 1, got ${maxKeys}`);
  const { store, taskOf, models, onResumed } = options;
  const deferUpTo = options.deferFoldsUpTo ?? 0;
  // The store's keys of a task's samples: the parts other than the id made once per task (workKeyHead/Tail).
  const keyParts = new Map<Task, { readonly head: string; readonly tails: readonly string[] }>();
  const partsOf = (task: Task) => {
    let parts = keyParts.get(task);
    if (parts === undefined) {
      const repeats = effectiveRepeats(task, options.repeats);
      const tails = models.flatMap((model) => Array.from({ length: repeats }, (_, r) => workKeyTail(model, r)));
      keyParts.set(task, (parts = { head: workKeyHead(task.name), tails }));
    }
    return parts;
  };

  return (source) =>
    new Observable<SourceItem>((subscriber) => {
      let buffer: SourceItem[] = [];
      let scheduled = false;
      let sourceDone = false;
      let inFlight = 0;
      // Set once a lookup finds records and none has a source: the store predates sources, so the rest of
      // the input passes straight on to skipCompleted instead of being looked up twice.
      let legacy = false;
      // Answers are handled in the order their lookups were made.
      let turn: Promise<void> = Promise.resolve();
      const maybeComplete = () => {
        if (sourceDone && inFlight === 0 && !scheduled && buffer.length === 0) subscriber.complete();
      };

      const answer = (items: readonly SourceItem[], plans: readonly (Plan | undefined)[], keys: number, found: readonly (StoredRecordText | undefined)[]) => {
        let done = 0;
        let stored = 0;
        let sourced = 0;
        for (const record of found) {
          if (record === undefined) continue;
          stored++;
          if (record.source !== undefined) sourced++;
        }
        // Records of a bad line's sample (parse's `checkLater`) do not count: its line would not have been looked up.
        if (stored > 0 && sourced === 0 && plans.some((plan) => plan && found.slice(plan.at, plan.at + plan.keys).some((r) => r !== undefined) && checkSample({ kind: "sample", sample: plan.sample }).kind === "sample")) legacy = true;
        for (let i = 0; i < items.length && !subscriber.closed; i++) {
          const plan = plans[i];
          const lines = plan && reusable(plan, found);
          if (lines) {
            done += lines.length;
            // Records made from this very line (their source holds its text's hash) prove it was checked then.
            confirmSample(plan.sample);
            onResumed(plan.sample, lines);
            continue;
          }
          const item = passable(items[i] as SourceItem);
          if (plan && item.kind === "reject") keys -= plan.keys;
          subscriber.next(item);
        }
        options.onLookup?.(done, keys);
      };

      /** The sample's stored lines when every one is there and made from this run's source; else undefined. */
      const reusable = (plan: Plan, found: readonly (StoredRecordText | undefined)[]): (ResumedLine | DeferredLine)[] | undefined => {
        const repeats = effectiveRepeats(plan.task, options.repeats);
        const lines: (ResumedLine | DeferredLine)[] = [];
        let k = plan.at;
        const expected = recordSource(plan.task, plan.sample);
        // A record an older version wrote holds another hash of the line (record-source.ts): made once a sample.
        let older: string | undefined;
        for (let m = 0; m < models.length; m++) {
          for (let r = 0; r < repeats; r++, k++) {
            const record = found[k];
            if (record === undefined || record.source === undefined) return undefined;
            if (record.source !== expected && record.source !== (older ??= legacySource(record.source, plan.task, plan.sample, sampleText(plan.sample)))) return undefined;
            const seq = record.seq;
            if (seq !== undefined && seq <= deferUpTo) {
              lines.push({ deferred: record, seq });
              continue;
            }
            const { json, fold, text, at } = record;
            if (fold !== undefined) lines.push({ json, fold: JSON.parse(fold) as ResultFold, seq, text, at });
            else {
              const line = JSON.parse(json) as ResultLine;
              lines.push({ json, fold: line, line, seq, text, at });
            }
          }
        }
        return lines;
      };

      const lookUp = () => {
        scheduled = false;
        let i = 0;
        while (i < buffer.length) {
          const items: SourceItem[] = [];
          const plans: (Plan | undefined)[] = [];
          const keys: string[] = [];
          for (; i < buffer.length && keys.length < maxKeys; i++) {
            const item = buffer[i] as SourceItem;
            items.push(item);
            const task = !legacy && item.kind === "sample" && item.sample.textHash !== undefined ? taskOf(item.sample) : undefined;
            if (item.kind !== "sample" || task?.renderDigest === undefined) {
              plans.push(undefined);
              continue;
            }
            const { head, tails } = partsOf(task);
            plans.push({ sample: item.sample, task, at: keys.length, keys: tails.length });
            const id = JSON.stringify(item.sample.id);
            for (const tail of tails) keys.push(`${head}${id}${tail}`);
          }
          if (keys.length === 0 && inFlight === 0) {
            // Nothing to look up and no answer to wait for: pass the items on now, in order.
            try {
              for (const item of items) if (!subscriber.closed) subscriber.next(passable(item));
            } catch (error) {
              subscriber.error(error);
              return;
            }
            continue;
          }
          inFlight++;
          const found = keys.length === 0 ? Promise.resolve([]) : store.lookupRecords(keys);
          turn = turn.then(() =>
            found.then(
              (records) => {
                inFlight--;
                if (subscriber.closed) return;
                try {
                  answer(items, plans, keys.length, records);
                } catch (error) {
                  subscriber.error(error);
                  return;
                }
                maybeComplete();
              },
              (error: unknown) => {
                inFlight--;
                subscriber.error(error);
              },
            ),
          );
        }
        buffer = [];
        maybeComplete();
      };

      const subscription = source.subscribe({
        next: (item) => {
          buffer.push(item);
          if (!scheduled) {
            scheduled = true;
            // After this turn's promise callbacks (the source's next lines), not before them.
            setImmediate(lookUp);
          }
        },
        error: (error: unknown) => subscriber.error(error),
        complete: () => {
          sourceDone = true;
          maybeComplete();
        },
      });
      return () => subscription.unsubscribe();
    });
}
