/**
 * One member of a .7z archive as a byte stream, through the system `7z`
 * (Debian package p7zip-full) writing to stdout: nothing is unpacked to
 * disk. 7z's exit status is checked when the stream ends.
 */
import { InputError } from "../errors.ts";

const NAMES = ["7z", "7zz", "7za"];

/** The 7-Zip binary on PATH, or an InputError that names the package to install. */
export function findSevenZip(pathEnv: string | undefined = process.env.PATH): string {
  for (const n of NAMES) {
    const p = Bun.which(n, { PATH: pathEnv ?? "" });
    if (p) return p;
  }
  throw new InputError(
    "reading .7z archives needs the 7z program, which is not on PATH: install it (Debian/Ubuntu: apt-get install p7zip-full), or extract Posts.xml yourself and pass that file",
    { code: "sevenzip_missing" },
  );
}

/** Streams `member` out of `archive`; throws InputError if 7z fails or the member is absent. */
export async function* sevenZipMember(archive: string, member: string, opts: { binary?: string } = {}): AsyncGenerator<Uint8Array> {
  const bin = opts.binary ?? findSevenZip();
  const proc = Bun.spawn([bin, "e", "-so", "-bd", "-y", archive, member], { stdout: "pipe", stderr: "pipe", stdin: "ignore" });
  const errText = new Response(proc.stderr).text(); // drained alongside stdout so 7z never blocks on it
  let bytes = 0;
  let finished = false;
  try {
    for await (const chunk of proc.stdout as unknown as AsyncIterable<Uint8Array>) {
      bytes += chunk.length;
      yield chunk;
    }
    finished = true;
  } finally {
    if (!finished) proc.kill();
  }
  const code = await proc.exited;
  const err = (await errText).trim().split("\n").slice(-5).join(" | ");
  if (code !== 0)
    throw new InputError(`7z could not extract ${member} from ${archive} (exit ${code}: ${err})`, { code: "sevenzip_failed" });
  if (bytes === 0) throw new InputError(`${archive} holds no ${member} (or it is empty)`, { code: "sevenzip_member_missing" });
}
