/**
 * An RFC 4180 reader for CSV and TSV text: quoted fields may hold delimiters, `""` escapes and line breaks;
 * records end at CRLF, LF or CR. Two deliberate leniencies, as in Python's `csv` module: a quote inside an
 * unquoted field is taken literally, and blank lines are skipped. A malformed record (an unterminated quoted
 * field, or text after a closing quote) is reported with its line and the reader resumes at the next line, so
 * that callers can skip bad records and count them.
 */

/** Options of {@link parseDelimited}. */
export interface DelimitedOptions {
  /** Field separator, one character. @default "," */
  delimiter?: string;
  /** Quote character, or `null` for formats without quoting (IANA TSV). @default '"' */
  quote?: string | null;
}

/** One parsed record, or the reason it could not be parsed. `line` is the 1-based line where it starts. */
export type DelimitedRow =
  | { readonly line: number; readonly fields: string[]; readonly error?: undefined }
  | { readonly line: number; readonly fields?: undefined; readonly error: string };

const LF = 10;
const CR = 13;

/** Parses delimited text into records, lazily. Never throws on malformed input; yields `{ line, error }`. */
export function* parseDelimited(text: string, options: DelimitedOptions = {}): Generator<DelimitedRow> {
  const delimiter = options.delimiter ?? ",";
  const quote = options.quote === undefined ? '"' : options.quote;
  if (delimiter.length !== 1) throw new RangeError(`delimiter must be one character, received ${delimiter}`);
  if (quote !== null && quote.length !== 1) throw new RangeError(`quote must be one character or null`);
  const d = delimiter.charCodeAt(0);
  const q = quote === null ? -1 : quote.charCodeAt(0);
  const n = text.length;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0; // byte-order mark
  let line = 1;

  /** Moves past the next line break at or after `from`; returns the new position. */
  const skipLine = (from: number): number => {
    let j = from;
    while (j < n) {
      const c = text.charCodeAt(j);
      if (c === LF) return j + 1;
      if (c === CR) return text.charCodeAt(j + 1) === LF ? j + 2 : j + 1;
      j++;
    }
    return n;
  };

  while (i < n) {
    const recordLine = line;
    const fields: string[] = [];
    let error: string | undefined;
    for (;;) {
      let value = "";
      if (text.charCodeAt(i) === q) {
        const quoteLine = line;
        const quotePos = i;
        i++;
        let closed = false;
        let start = i;
        while (i < n) {
          const c = text.charCodeAt(i);
          if (c === q) {
            if (text.charCodeAt(i + 1) === q) {
              value += `${text.slice(start, i)}${quote}`;
              i += 2;
              start = i;
              continue;
            }
            value += text.slice(start, i);
            i++;
            closed = true;
            break;
          }
          if (c === LF || (c === CR && text.charCodeAt(i + 1) !== LF)) line++;
          i++;
        }
        if (!closed) {
          error = `unterminated quoted field (opened at line ${quoteLine}, column ${columnOf(text, quotePos)})`;
          i = skipLine(quotePos);
          line = quoteLine + 1;
          break;
        }
        const next = i < n ? text.charCodeAt(i) : -1;
        if (next !== -1 && next !== d && next !== LF && next !== CR) {
          error = `unexpected ${JSON.stringify(text[i])} after a closing quote at line ${line}, column ${columnOf(text, i)} (a quote inside a quoted field is written "")`;
          i = skipLine(i);
          line++;
          break;
        }
      } else {
        const start = i;
        while (i < n) {
          const c = text.charCodeAt(i);
          if (c === d || c === LF || c === CR) break;
          i++;
        }
        value = text.slice(start, i);
      }
      fields.push(value);
      const c = i < n ? text.charCodeAt(i) : -1;
      if (c === d) {
        i++;
        continue;
      }
      if (c === CR) i += text.charCodeAt(i + 1) === LF ? 2 : 1;
      else if (c === LF) i++;
      if (c !== -1) line++;
      break;
    }
    if (error !== undefined) {
      yield { line: recordLine, error };
      continue;
    }
    if (fields.length === 1 && fields[0] === "") continue; // blank line
    yield { line: recordLine, fields };
  }
}

function columnOf(text: string, pos: number): number {
  let j = pos;
  while (j > 0 && text.charCodeAt(j - 1) !== LF && text.charCodeAt(j - 1) !== CR) j--;
  return pos - j + 1;
}
