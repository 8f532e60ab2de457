/**
 * Splits a migration file into statements, as the mysql client would with its default `;` delimiter: a `;` ends a
 * statement unless it is inside a quoted string ('...', "..."), a quoted identifier (`...`) or a comment (`-- `,
 * `#`, `/* ... *\/`). Strings take backslash escapes and doubled quotes (the default sql_mode; NO_BACKSLASH_ESCAPES
 * is not assumed); identifiers take only doubled backticks. `--` starts a comment only when whitespace follows, as in
 * MySQL 8.4 manual 11.7 "Comments".
 *
 * DELIMITER is a command of the mysql client, not SQL: files that need it (stored programs with BEGIN ... END) are
 * refused with a message, since the server would receive their bodies cut at every `;`.
 */

export type TokenType = "word" | "ident" | "string" | "number" | "punct";

export interface Token {
  type: TokenType;
  /** The source text; for a word, as written (compare with upper()). */
  text: string;
  line: number;
  start: number;
  end: number;
  /** Parenthesis depth at the token (0 at the top of the statement). */
  depth: number;
}

export interface Comment {
  kind: "dash" | "hash" | "block";
  /** The comment's text without its markers (`-- `, `#`, `/*`, `*\/`). */
  body: string;
  line: number;
  /** Nothing but whitespace precedes it on its line. */
  ownLine: boolean;
}

export interface RawStatement {
  /** From the first token to the last (comments inside kept, comments around dropped), without the `;`. */
  text: string;
  line: number;
  tokens: Token[];
  /** Comments between the previous statement's `;` and this statement's first token. */
  leading: Comment[];
  /** Comments between the first and the last token. */
  inner: Comment[];
}

export interface SplitResult {
  statements: RawStatement[];
  /** Comments after the last statement. */
  trailing: Comment[];
  /** Problems, each "line N: ...". */
  problems: string[];
}

export const upper = (t: Token | undefined): string => (t?.type === "word" ? t.text.toUpperCase() : "");

const isSpace = (c: string | undefined) => c === " " || c === "\t" || c === "\n" || c === "\r" || c === "\f";
const WORD = /[A-Za-z0-9_$\u0080-\uffff]/;

/** Splits `text`; never throws (problems are returned with their line). */
export function splitStatements(text: string): SplitResult {
  const statements: RawStatement[] = [];
  const problems: string[] = [];
  let tokens: Token[] = [];
  let comments: Comment[] = [];
  let line = 1;
  let lineStart = 0;
  let depth = 0;

  const flush = () => {
    if (tokens.length > 0) {
      const first = tokens[0]!;
      const last = tokens[tokens.length - 1]!;
      statements.push({
        text: text.slice(first.start, last.end),
        line: first.line,
        tokens,
        leading: comments.filter((c) => c.line < first.line || (c.line === first.line && isBefore(c, first))),
        inner: comments.filter((c) => !(c.line < first.line || (c.line === first.line && isBefore(c, first)))),
      });
      comments = [];
    }
    tokens = [];
    depth = 0;
  };
  // Comments are kept with their start offset so leading and inner can be told apart.
  const commentStarts = new Map<Comment, number>();
  const isBefore = (c: Comment, t: Token) => (commentStarts.get(c) ?? 0) < t.start;

  let i = 0;
  const n = text.length;
  const newline = (at: number) => {
    line++;
    lineStart = at + 1;
  };
  const ownLine = (at: number) => text.slice(lineStart, at).trim() === "";

  while (i < n) {
    const c = text[i]!;
    if (c === "\n") {
      newline(i);
      i++;
      continue;
    }
    if (isSpace(c)) {
      i++;
      continue;
    }
    const startLine = line;
    // Line comments.
    if ((c === "-" && text[i + 1] === "-" && (i + 2 >= n || isSpace(text[i + 2]))) || c === "#") {
      const end = text.indexOf("\n", i) === -1 ? n : text.indexOf("\n", i);
      const comment: Comment = {
        kind: c === "#" ? "hash" : "dash",
        body: text.slice(i + (c === "#" ? 1 : 2), end).replace(/\r$/, ""),
        line: startLine,
        ownLine: ownLine(i),
      };
      commentStarts.set(comment, i);
      comments.push(comment);
      i = end;
      continue;
    }
    if (c === "-" && text.startsWith("--gamedb:", i)) {
      problems.push(
        `line ${line}: "--gamedb:" is not a comment in MySQL (it needs a space after --): write "-- gamedb:"`,
      );
    }
    if (c === "/" && text[i + 1] === "*") {
      const close = text.indexOf("*/", i + 2);
      if (close === -1) {
        problems.push(`line ${startLine}: a /* comment is never closed`);
        break;
      }
      const bodyText = text.slice(i + 2, close);
      // Executable comments (/*! ... */) and optimizer hints (/*+ ... */) are SQL the server reads: keep them.
      if (bodyText.startsWith("!") || bodyText.startsWith("+")) {
        tokens.push({
          type: "punct",
          text: text.slice(i, close + 2),
          line: startLine,
          start: i,
          end: close + 2,
          depth,
        });
      } else {
        const comment: Comment = { kind: "block", body: bodyText, line: startLine, ownLine: ownLine(i) };
        commentStarts.set(comment, i);
        comments.push(comment);
      }
      for (let k = i; k < close; k++) if (text[k] === "\n") newline(k);
      i = close + 2;
      continue;
    }
    if (c === "'" || c === '"' || c === "`") {
      let k = i + 1;
      let closed = false;
      while (k < n) {
        const d = text[k]!;
        if (d === "\n") newline(k);
        if (d === "\\" && c !== "`") {
          if (text[k + 1] === "\n") newline(k + 1);
          k += 2;
          continue;
        }
        if (d === c) {
          if (text[k + 1] === c) {
            k += 2;
            continue;
          }
          closed = true;
          break;
        }
        k++;
      }
      if (!closed) {
        problems.push(`line ${startLine}: a ${c}-quoted ${c === "`" ? "identifier" : "string"} is never closed`);
        break;
      }
      tokens.push({
        type: c === "`" ? "ident" : "string",
        text: text.slice(i, k + 1),
        line: startLine,
        start: i,
        end: k + 1,
        depth,
      });
      i = k + 1;
      continue;
    }
    if (c === ";") {
      flush();
      i++;
      continue;
    }
    if (WORD.test(c)) {
      let k = i + 1;
      while (k < n && WORD.test(text[k]!)) k++;
      const word = text.slice(i, k);
      tokens.push({ type: /^\d+$/.test(word) ? "number" : "word", text: word, line, start: i, end: k, depth });
      i = k;
      continue;
    }
    if (c === ")") depth = Math.max(0, depth - 1);
    tokens.push({ type: "punct", text: c, line, start: i, end: i + 1, depth });
    if (c === "(") depth++;
    i++;
  }
  flush();
  const trailing = comments;
  for (const s of statements) {
    if (upper(s.tokens[0]) === "DELIMITER") {
      problems.push(
        `line ${s.line}: DELIMITER is a mysql client command, not SQL; migration files are split at every ";" ` +
          "(stored programs with BEGIN ... END bodies cannot be written here)",
      );
    } else if (isCompound(s.tokens)) {
      problems.push(
        `line ${s.line}: a stored program with a BEGIN ... END body is cut at its first ";" here ` +
          '(migration files are split at every ";" and DELIMITER is not supported)',
      );
    }
  }
  return { statements, trailing, problems };
}

/** CREATE [DEFINER=...] PROCEDURE|FUNCTION|TRIGGER|EVENT ... BEGIN: a compound body the split has cut. */
function isCompound(tokens: Token[]): boolean {
  if (upper(tokens[0]) !== "CREATE") return false;
  const kinds = new Set(["PROCEDURE", "FUNCTION", "TRIGGER", "EVENT"]);
  const kindAt = tokens.findIndex((t) => kinds.has(upper(t)));
  return kindAt > 0 && tokens.slice(kindAt).some((t) => upper(t) === "BEGIN");
}
