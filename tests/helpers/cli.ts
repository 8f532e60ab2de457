/** Runs a CLI's `main(argv, out, err)` in-process and collects what it printed. */
export interface CliRun {
  code: number;
  out: string;
  err: string;
}

export async function runCli(
  main: (argv: string[], out: (s: string) => void, err: (s: string) => void) => number | Promise<number>,
  argv: string[],
): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(
    argv,
    (s) => out.push(s),
    (s) => err.push(s),
  );
  return { code, out: out.join("\n"), err: err.join("\n") };
}
