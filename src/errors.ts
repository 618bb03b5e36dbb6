/**
 * One base error with a stable code; subclasses are classed by blast radius.
 * Only src/cli.ts turns these into exit codes.
 */
export class GammaError extends Error {
  readonly code: string;
  readonly exitCode: number;
  constructor(code: string, message: string, opts: { cause?: unknown; exitCode?: number } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = new.target.name;
    this.code = code;
    this.exitCode = opts.exitCode ?? 1;
  }
}

/** The user asked for something impossible: bad flag, bad YAML, missing file. Exit 2. */
export class ConfigError extends GammaError {
  constructor(message: string, opts: { cause?: unknown; code?: string } = {}) {
    super(opts.code ?? "config", message, { cause: opts.cause, exitCode: 2 });
  }
}

/** An input file cannot be read as a whole (corrupt archive, pervasive NUL). Exit 1; nothing partial is left. */
export class InputError extends GammaError {
  constructor(message: string, opts: { cause?: unknown; code?: string } = {}) {
    super(opts.code ?? "input", message, { cause: opts.cause, exitCode: 1 });
  }
}

/** A single record is bad; fatal only under --strict (otherwise it is counted and written to rejects). */
export class RecordError extends GammaError {
  readonly reason: string;
  constructor(reason: string, message: string, opts: { cause?: unknown } = {}) {
    super("record", message, { cause: opts.cause, exitCode: 1 });
    this.reason = reason;
  }
}

/** The WebGPU device could not be used as asked (forced --device gpu with no adapter). Exit 2. */
export class DeviceError extends GammaError {
  constructor(message: string, opts: { cause?: unknown } = {}) {
    super("device", message, { cause: opts.cause, exitCode: 2 });
  }
}

/** Rebuilds an error that crossed a worker boundary as the class it was thrown as. */
export function reviveError(e: { name: string; message: string; code?: string; exitCode?: number; reason?: string }): Error {
  switch (e.name) {
    case "ConfigError":
      return new ConfigError(e.message, { code: e.code });
    case "InputError":
      return new InputError(e.message, { code: e.code });
    case "RecordError":
      return new RecordError(e.reason ?? "record", e.message);
    case "DeviceError":
      return new DeviceError(e.message);
    default:
      return e.code !== undefined ? new GammaError(e.code, e.message, { exitCode: e.exitCode }) : new Error(e.message);
  }
}
