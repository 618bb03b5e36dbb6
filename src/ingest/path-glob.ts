/**
 * The glob patterns of Hub dataset cards (`data_files: data/*\/train-*`):
 * `*` and `?` stay inside one path segment, `**` crosses segments, `[...]`
 * is a character class. Matching is on repository paths ("/"-separated).
 */

export function globToRegExp(pattern: string): RegExp {
  let re = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === "*") {
      if (pattern[i + 1] === "*") {
        i++;
        if (pattern[i + 1] === "/") {
          i++;
          re += "(?:.*/)?";
        } else re += ".*";
      } else re += "[^/]*";
    } else if (c === "?") re += "[^/]";
    else if (c === "[") {
      const close = pattern.indexOf("]", i + 2);
      if (close < 0) re += "\\[";
      else {
        let body = pattern.slice(i + 1, close).replace(/\\/g, "\\\\");
        if (body.startsWith("!")) body = `^${body.slice(1)}`;
        re += `[${body}]`;
        i = close;
      }
    } else re += c.replace(/[.+^${}()|\\\]]/g, "\\$&");
  }
  return new RegExp(`^${re}$`);
}

/** The directory to list for a pattern: its leading segments that hold no glob characters. */
export function globBase(pattern: string): string {
  const segs = pattern.split("/");
  const base: string[] = [];
  for (const s of segs.slice(0, -1)) {
    if (/[*?[]/.test(s)) break;
    base.push(s);
  }
  return base.join("/");
}

export function hasGlob(pattern: string): boolean {
  return /[*?[]/.test(pattern);
}
