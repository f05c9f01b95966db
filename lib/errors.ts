// Error types shared by the server and the agent. They sit on the ground
// floor: lib/ imports neither side, and both sides throw these.

/** A configuration problem, located in the file so the operator can fix it. */
export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    readonly reason: string,
  ) {
    super(`${file}${line ? `:${line}` : ''}: ${reason}`);
    this.name = 'ConfigError';
  }
}
