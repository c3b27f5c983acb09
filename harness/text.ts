/** Text helpers for messages about commands: no dependency, so anything may import them cheaply. */

/** Quote an argv so it can be pasted into a POSIX shell. */
export function prettyCommand(file: string, args: readonly string[] = []): string {
  return [file, ...args].map(shellQuote).join(' ');
}

function shellQuote(arg: string): string {
  if (arg !== '' && /^[\w@%+=:,./-]+$/.test(arg)) return arg;
  return `'${arg.replaceAll("'", `'\\''`)}'`;
}

export function tail(text: string, lines = 12): string {
  const all = text.trimEnd().split('\n');
  return all.slice(-lines).join('\n');
}
