/**
 * The native codec behind a node:zlib stream, driven synchronously on the calling thread with
 * the calls Node's own zlib streams make on it (Bun's node:zlib has the same): the caller's
 * buffers in and out, nothing allocated per call, no thread pool. The reader decodes .zst input
 * this way and ZstdTextWriter encodes.
 */
import type { Transform } from "node:stream";

interface NativeHandle {
  writeSync(flush: number, input: Uint8Array, inOff: number, inLen: number, out: Uint8Array, outOff: number, outLen: number): void;
  onerror: (message: string, errno: number, code: string) => void;
}

export class ZlibHandle {
  /** Input bytes the last run() left unread. */
  left = 0;
  private error: string | null = null;

  private constructor(
    private readonly stream: Transform,
    private readonly handle: NativeHandle,
    /** [output bytes left, input bytes left] after each writeSync. */
    private readonly state: Uint32Array,
  ) {
    handle.onerror = (message, _errno, code) => {
      this.error = code ? `${message} (${code})` : message;
    };
  }

  /** The handle of `stream` (which it then owns), or null when this runtime's stream has none. */
  static of(stream: Transform): ZlibHandle | null {
    const inner = stream as unknown as { _handle?: Partial<NativeHandle>; _writeState?: unknown };
    const handle = inner._handle;
    const state = inner._writeState;
    if (typeof handle?.writeSync !== "function" || !(state instanceof Uint32Array) || state.length < 2) {
      stream.destroy();
      return null;
    }
    return new ZlibHandle(stream, handle as NativeHandle, state);
  }

  /**
   * Runs the codec on input[inOff, inOff + inLen) into out[outOff, outOff + room) with the
   * stream's flush or end directive; returns the bytes written (`left` says what input it did not
   * take). Throws the codec's error.
   */
  run(flush: number, input: Uint8Array, inOff: number, inLen: number, out: Uint8Array, outOff: number, room: number): number {
    this.handle.writeSync(flush, input, inOff, inLen, out, outOff, room);
    if (this.error !== null) throw new Error(this.error);
    this.left = this.state[1]!;
    return room - this.state[0]!;
  }

  close(): void {
    this.stream.destroy();
  }
}
