import { describe, expect, it } from "vitest";
import { parseDelimited } from "../index.js";

const rows = (text: string, opts = {}) => [...parseDelimited(text, opts)];

describe("parseDelimited (RFC 4180)", () => {
  it("splits plain records on CRLF, LF and CR and keeps line numbers", () => {
    expect(rows("a,b\r\n1,2\n3,4\r5,6")).toEqual([
      { line: 1, fields: ["a", "b"] },
      { line: 2, fields: ["1", "2"] },
      { line: 3, fields: ["3", "4"] },
      { line: 4, fields: ["5", "6"] },
    ]);
  });

  it("reads quoted fields with delimiters, doubled quotes and line breaks; counts lines inside them", () => {
    const text = 'id,text\n1,"a, ""quoted""\nsecond line"\n2,plain\n';
    expect(rows(text)).toEqual([
      { line: 1, fields: ["id", "text"] },
      { line: 2, fields: ["1", 'a, "quoted"\nsecond line'] },
      { line: 4, fields: ["2", "plain"] },
    ]);
  });

  it("keeps empty fields, skips blank lines and a byte-order mark, takes a mid-field quote literally", () => {
    expect(rows('\ufeffa,,c\n\n,"",\nsay "hi",x')).toEqual([
      { line: 1, fields: ["a", "", "c"] },
      { line: 3, fields: ["", "", ""] },
      { line: 4, fields: ['say "hi"', "x"] },
    ]);
  });

  it("uses another delimiter and can turn quoting off (TSV)", () => {
    expect(rows('a\t"b"\n', { delimiter: "\t" })).toEqual([{ line: 1, fields: ["a", "b"] }]);
    expect(rows('a\t"b\n', { delimiter: "\t", quote: null })).toEqual([{ line: 1, fields: ["a", '"b'] }]);
  });

  it("reports text after a closing quote with its line and resumes at the next line", () => {
    const out = rows('h1,h2\n"x"y,2\nok,3\n');
    expect(out[1]).toMatchObject({ line: 2 });
    expect(out[1]?.error).toMatch(/unexpected "y" after a closing quote at line 2, column 4/);
    expect(out[2]).toEqual({ line: 3, fields: ["ok", "3"] });
  });

  it("reports an unterminated quote at the line it opened and resumes on the following line", () => {
    const out = rows('h1,h2\n1,"open\n2,b\n');
    expect(out[1]?.error).toMatch(/unterminated quoted field \(opened at line 2, column 3\)/);
    expect(out[2]).toEqual({ line: 3, fields: ["2", "b"] });
    expect(out).toHaveLength(3);
  });
});
