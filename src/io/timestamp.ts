/** The timestamp written into outputs: SOURCE_DATE_EPOCH when set, else now. */
export function createdAt(): string {
  const epoch = process.env.SOURCE_DATE_EPOCH;
  if (epoch !== undefined && epoch !== "") {
    const s = Number(epoch);
    if (Number.isFinite(s)) return new Date(s * 1000).toISOString();
  }
  return new Date().toISOString();
}
