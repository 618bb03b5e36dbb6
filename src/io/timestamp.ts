/** The timestamp written into outputs: SOURCE_DATE_EPOCH when set, else now. */
import { gammaEnv } from "../runtime/env.ts";

export function createdAt(): string {
  const epoch = gammaEnv().sourceDateEpoch;
  return new Date(epoch === null ? Date.now() : epoch * 1000).toISOString();
}
