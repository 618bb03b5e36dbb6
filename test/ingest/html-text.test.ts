import { describe, expect, test } from "bun:test";
import { decodeHtmlEntities, htmlToText } from "../../src/ingest/html-text.ts";

describe("htmlToText", () => {
  test("keeps a code block byte for byte, with its language", () => {
    const code = 'def f(x):\n    if x &lt; 3 and y &gt; 1:\n        return "a &amp; b"\n\n    return  None';
    const html = `<p>Try this:</p>\n\n<pre class="lang-py prettyprint-override"><code>${code}\n</code></pre>\n\n<p>It works.</p>`;
    expect(htmlToText(html)).toBe(
      'Try this:\n\n```py\ndef f(x):\n    if x < 3 and y > 1:\n        return "a & b"\n\n    return  None\n```\n\nIt works.',
    );
  });

  test("turns paragraphs, inline code, links and line breaks into text; no-break spaces become spaces", () => {
    const html =
      '<p>Use <code>git  rebase -i</code> as in <a href="https://git-scm.com">the   docs</a>.<br>Then push.</p><p>Second&nbsp;para &hellip;</p>';
    expect(htmlToText(html)).toBe("Use `git  rebase -i` as in the docs.\nThen push.\n\nSecond para …");
  });

  test("writes lists, nested lists, headings, rules and blockquotes", () => {
    const html =
      "<h2>Steps</h2><ol><li>Boil water</li><li>Add tea<ul><li>green</li><li>black</li></ul></li></ol><hr><blockquote><p>Tea is <em>great</em>.</p><p>Really.</p></blockquote><p>End</p>";
    expect(htmlToText(html)).toBe(
      "## Steps\n\n1. Boil water\n2. Add tea\n  - green\n  - black\n\n---\n\n> Tea is great.\n>\n> Really.\n\nEnd",
    );
  });

  test("drops images and unknown tags but keeps their text", () => {
    expect(htmlToText('<p><img src="x.png" alt="diagram"><span class="x">kept</span> <strike>old</strike></p>')).toBe("kept old");
  });

  test("decodes numeric and named entities and leaves unknown ones", () => {
    expect(decodeHtmlEntities("&#233;&#xE9;&eacute2;&mdash;&bogus;")).toBe("éé&eacute2;—&bogus;");
  });
});
