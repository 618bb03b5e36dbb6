import { describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { extname } from "node:path";
import { detectLanguage, languageFromField, languagesOfExtension, shebangInterpreter, slugOf } from "../../src/code/language.ts";
import { missing, NODE_MODULES, pythonLibs, sampleFiles } from "./machine-code.ts";

const py = pythonLibs()[0];
const machine = [
  ...(py ? sampleFiles(py, "**/*.py", { every: 3, limit: 400 }) : []),
  ...sampleFiles(NODE_MODULES, "**/*.{js,mjs,cjs}", { every: 5, limit: 400, maxBytes: 2_000_000 }),
  ...sampleFiles("/usr/include", "**/*.{hpp,c,cc}", { limit: 200 }),
  ...sampleFiles("/usr/share", "**/*.sh", { limit: 200 }),
];
if (machine.length < 300) missing("Python, JavaScript, C and shell sources");

describe("language detection", () => {
  test.skipIf(machine.length < 300)("agrees with an unambiguous extension on at least 99 % of real files", () => {
    let checked = 0;
    let agree = 0;
    const wrong: string[] = [];
    for (const f of machine) {
      const claims = languagesOfExtension(extname(f));
      if (claims.length !== 1) continue;
      checked++;
      const got = detectLanguage(f, readFileSync(f, "utf8")).language;
      if (got === claims[0]) agree++;
      else wrong.push(`${f}: ${got}, extension says ${claims[0]}`);
    }
    console.log(`language: ${agree}/${checked} agree with the extension`, wrong.slice(0, 5));
    expect(checked).toBeGreaterThan(300);
    expect(agree / checked).toBeGreaterThanOrEqual(0.99);
  });

  test.skipIf(!existsSync("/usr/bin"))("reads the language of extension-less scripts in /usr/bin from their shebang", () => {
    const expected: Record<string, string> = { sh: "shell", bash: "shell", dash: "shell", python: "python", perl: "perl" };
    let checked = 0;
    let agree = 0;
    for (const f of sampleFiles("/usr/bin", "*", { maxBytes: 1_000_000 })) {
      if (extname(f) !== "") continue;
      const head = readFileSync(f).subarray(0, 4096).toString("utf8");
      const interp = shebangInterpreter(head);
      const want = interp === null ? undefined : expected[interp.replace(/\d+(\.\d+)*$/, "")];
      if (!want) continue;
      checked++;
      if (detectLanguage(f, head).language === want) agree++;
    }
    if (checked === 0) missing("scripts with a shebang in /usr/bin");
    expect(agree).toBe(checked);
  });

  test("tells C, C++ and Objective-C headers apart by their content", () => {
    expect(detectLanguage("a/x.h", "#include <stdio.h>\nint f(void);\n").language).toBe("c");
    expect(detectLanguage("a/x.h", "#include <vector>\nnamespace a { class B {}; }\n").language).toBe("cpp");
    expect(detectLanguage("a/x.h", "#import <Foundation/Foundation.h>\n@interface A : NSObject\n@end\n").language).toBe("objective-c");
    expect(detectLanguage("x.m", "function y = f(x)\n  y = x;\nend\n").language).toBe("matlab");
    expect(detectLanguage("x.pl", "use strict;\nmy $x = 1;\n").language).toBe("perl");
    expect(detectLanguage("x.pl", "parent(a, b).\nanc(X, Y) :- parent(X, Y).\n").language).toBe("prolog");
    expect(detectLanguage("x.pl", "").language).toBe("unknown");
  });

  test.skipIf(!existsSync("/usr/include/stdio.h"))("reads the real stdio.h as C", () => {
    expect(detectLanguage("/usr/include/stdio.h", readFileSync("/usr/include/stdio.h", "utf8")).language).toBe("c");
  });

  test("uses file names, shebangs with env and versions, and gives unknown when nothing tells", () => {
    expect(detectLanguage("src/Makefile", "all:\n").language).toBe("makefile");
    expect(detectLanguage("Dockerfile", "FROM x\n").language).toBe("dockerfile");
    expect(detectLanguage("bin/tool", "#!/usr/bin/env -S python3.11 -u\nprint(1)\n").language).toBe("python");
    expect(detectLanguage("bin/tool", "#!/usr/bin/perl5.36-x86_64-linux-gnu\n").language).toBe("perl");
    expect(detectLanguage("NOTES", "just words\n").language).toBe("unknown");
    expect(detectLanguage("types.d.ts", "export declare const x: number;\n").language).toBe("typescript");
  });

  test("maps input language names to the same slugs, whatever their spelling", () => {
    expect(["Python", "python", "py"].map(languageFromField)).toEqual(["python", "python", "python"]);
    expect(["C++", "c++", "cpp"].map(languageFromField)).toEqual(["cpp", "cpp", "cpp"]);
    expect(["C#", "c-sharp"].map(languageFromField)).toEqual(["csharp", "csharp"]);
    expect(["Shell", "bash", "sh"].map(languageFromField)).toEqual(["shell", "shell", "shell"]);
    expect(languageFromField("Some New Lang")).toBe("some-new-lang");
    expect(["Objective-C++", "Emacs Lisp", "TSX"].map(slugOf)).toEqual(["objective-cpp", "emacs-lisp", "tsx"]);
  });
});
