/**
 * Lines read a batch at a time. A source of lines (`openInputs`) may also give them in batches, one per chunk of
 * its input, under the `lineBatches` key: a reader that takes many lines at once (the run's source,
 * `pullSource`) then pays one async step per chunk instead of one per line. The lines are the same either way.
 */

/** The key under which a line source gives its lines in batches: `source[lineBatches]()`. */
export const lineBatches: unique symbol = Symbol("streameval.lineBatches");

/** Lines that can be read one at a time (`for await`) or a batch at a time (`[lineBatches]()`), from one reading. */
export interface BatchedLines<T> extends AsyncGenerator<T, void, undefined> {
  /** The same reading, a batch at a time (never an empty batch). Read one way or the other, not both. */
  [lineBatches](): AsyncGenerator<readonly T[], void, undefined>;
}

/** The batched reading of `source`, when it has one. */
export function batchesOf<T>(source: AsyncIterable<T>): AsyncGenerator<readonly T[], void, undefined> | undefined {
  const batches = (source as Partial<BatchedLines<T>>)[lineBatches];
  return typeof batches === "function" ? batches.call(source) : undefined;
}

/** Lines one at a time from `batches`, which stays readable a batch at a time under `lineBatches`. */
export function withBatches<T>(batches: AsyncGenerator<readonly T[], void, undefined>): BatchedLines<T> {
  async function* flat(): AsyncGenerator<T, void, undefined> {
    for await (const batch of batches) yield* batch;
  }
  return Object.assign(flat(), { [lineBatches]: () => batches });
}
