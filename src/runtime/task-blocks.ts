/**
 * Tasks that share one stream of items (every document of a stage's inputs, in input order) in
 * blocks: block k (items k*B .. k*B+B-1) belongs to task k mod N. Every task reads the whole
 * stream but does the costly work (encoding) on its own blocks only; the merge reads the tasks'
 * results back block by block in the same order, which is the stream's order. Blocks, unlike
 * whole files, spread the work when there are fewer input files than tasks.
 */
import type { Task } from "./tasks.ts";

/** Items per block when a stage does not say. */
export const TASK_BLOCK = 1024;

/** The items of `batches` that task `t` owns, in order, in batches of at most one block. */
export async function* ownedBatches<T>(batches: AsyncIterable<T[]>, t: Task, block: number): AsyncGenerator<T[]> {
  let i = 0;
  let mine: T[] = [];
  for await (const b of batches) {
    for (const item of b) {
      if (Math.floor(i / block) % t.count === t.index) mine.push(item);
      i++;
      if (i % block === 0 && mine.length > 0) {
        yield mine;
        mine = [];
      }
    }
  }
  if (mine.length > 0) yield mine;
}

/**
 * The items of all tasks in stream order: block k from task k mod N. The stream ends where the
 * task that owns the next item has none left; every other task must then be done too.
 */
export async function* interleaveBlocks<T>(streams: AsyncIterator<T>[], block: number): AsyncGenerator<T> {
  for (let i = 0; ; i++) {
    const owner = Math.floor(i / block) % streams.length;
    const next = await streams[owner]!.next();
    if (next.done) {
      for (const [k, s] of streams.entries()) {
        if (k !== owner && !(await s.next()).done)
          throw new Error(`task ${k}'s results go on past the end of the stream: the tasks were made for other inputs`);
      }
      return;
    }
    yield next.value;
  }
}
