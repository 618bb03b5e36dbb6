/**
 * Whole reads and writes on a file descriptor: readSync and writeSync may move fewer bytes than
 * asked, and every caller wants all of them.
 */
import { readSync, writeSync } from "node:fs";

/** Writes all of `bytes` at the file's current offset. */
export function writeFully(fd: number, bytes: Uint8Array): void {
  let done = 0;
  while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done);
}

/** Reads into `into` from byte `position` until it is full or the file ends; returns the bytes read. */
export function readFully(fd: number, into: Uint8Array, position: number): number {
  let done = 0;
  while (done < into.length) {
    const n = readSync(fd, into, done, into.length - done, position + done);
    if (n === 0) break;
    done += n;
  }
  return done;
}
