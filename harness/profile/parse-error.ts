import { UsageError } from '../errors.js';

/** A profile file that cannot be read: names the file and where it broke. Never a partial result. */
export class ProfileParseError extends UsageError {
  constructor(
    readonly path: string,
    readonly where: string,
    readonly problem: string,
  ) {
    super(`cannot read profile ${path}: ${where}: ${problem}`);
  }
}
