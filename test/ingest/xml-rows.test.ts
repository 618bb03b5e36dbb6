import { describe, expect, test } from "bun:test";
import { decodeXmlEntities, parseAttributes, xmlRows, type BrokenRow, type XmlRow } from "../../src/ingest/xml-rows.ts";

async function rowsOf(xml: string, chunkSize = 1 << 16) {
  const bytes = new TextEncoder().encode(xml);
  async function* chunks() {
    for (let i = 0; i < bytes.length; i += chunkSize) yield bytes.subarray(i, i + chunkSize);
  }
  const broken: BrokenRow[] = [];
  const rows: XmlRow[] = [];
  for await (const r of xmlRows(chunks(), { onBroken: (b) => broken.push(b) })) rows.push(r);
  return { rows, broken };
}

const DOC = [
  '<?xml version="1.0" encoding="utf-8"?>',
  "<posts>",
  '  <row Id="1" PostTypeId="1" Title="Caf&#xE9; &amp; &quot;tea&quot;" Body="&lt;p&gt;Line one&#xA;line two&lt;/p&gt;" />',
  '  <!-- a comment with <row Id="99"/> inside -->',
  "  <row Id='2' PostTypeId='2' ParentId=\"1\" Body=\"it&apos;s &#128512;\"/>",
  '  <row Id="3" Body="no end',
  '  <row Id="4" Body="ok" />',
  '  <row Id="5" Body="a & b" />',
  '  <row Id="6" Body="&nbsp;" />',
  '  <row Id="7" Id="8" />',
  "  <row Id=9 />",
  '  <row Id="10" Body="last" />',
  "</posts>",
].join("\n");

describe("xmlRows", () => {
  test("yields well-formed rows with decoded attributes and their lines", async () => {
    const { rows } = await rowsOf(DOC);
    expect(rows.map((r) => [r.attrs.Id, r.line])).toEqual([
      ["1", 3],
      ["2", 5],
      ["4", 7],
      ["10", 12],
    ]);
    expect(rows[0].attrs.Title).toBe('Café & "tea"');
    expect(rows[0].attrs.Body).toBe("<p>Line one\nline two</p>");
    expect(rows[1].attrs.Body).toBe("it's 😀");
  });

  test("reports each broken row with its line and resumes at the next row", async () => {
    const { broken } = await rowsOf(DOC);
    expect(broken.map((b) => b.line)).toEqual([6, 8, 9, 10, 11]);
    expect(broken[0].message).toContain("not terminated");
    expect(broken[1].message).toContain('"&" not starting an entity');
    expect(broken[2].message).toContain("unknown entity &nbsp;");
    expect(broken[3].message).toContain("given twice");
    expect(broken[4].message).toContain("bad attribute syntax");
    expect(broken[0].excerpt).toContain('<row Id="3"');
  });

  test("gives the same rows whatever the chunk boundaries", async () => {
    const whole = await rowsOf(DOC);
    for (const size of [1, 2, 3, 7, 64]) {
      const split = await rowsOf(DOC, size);
      expect(split.rows).toEqual(whole.rows);
      expect(split.broken.map((b) => b.line)).toEqual(whole.broken.map((b) => b.line));
    }
  });

  test("a row cut off by the end of the file is broken", async () => {
    const { rows, broken } = await rowsOf('<posts>\n<row Id="1" />\n<row Id="2" Body="x');
    expect(rows.map((r) => r.attrs.Id)).toEqual(["1"]);
    expect(broken.map((b) => [b.line, b.message])).toEqual([[3, "row not terminated before the end of the file"]]);
  });

  test("decodes entities and refuses invalid character references", () => {
    expect(decodeXmlEntities("&lt;&gt;&amp;&quot;&apos;&#65;&#x42;")).toBe("<>&\"'AB");
    expect(() => decodeXmlEntities("&#0;")).toThrow(/not a valid character/);
    expect(() => decodeXmlEntities("&#xD800;")).toThrow(/not a valid character/);
    expect(parseAttributes(" a=\"1\"\tb = 'two' ")).toEqual({ a: "1", b: "two" });
    expect(parseAttributes(' a="x\ny"')).toEqual({ a: "x y" });
  });
});
