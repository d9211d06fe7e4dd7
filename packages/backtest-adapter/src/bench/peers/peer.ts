import type { SeriesColumns } from './peer-data.js';

/**
 * One way to keep bars on disk that a user might pick instead of Barcache. `write` is untimed;
 * `load` is the warm disk-to-memory load the bench times (in a fresh process, after `prepare`
 * has imported the library), and must return every symbol's bars as typed-array columns.
 */
export interface Peer {
  readonly id: string;
  readonly label: string;
  /** The id of the peer whose written files this one loads (a variant of how that peer loads). */
  readonly dataOf?: string;
  /** Imports the library (not timed: the load is). */
  prepare?(): Promise<void>;
  write(dir: string, symbols: string[]): Promise<void>;
  /**
   * The timed load. Returns the columns, or (when they stay inside the peer, as in Barcache's
   * memory tier) a function that hands them out afterwards, untimed, for the checksum.
   */
  load(dir: string, symbols: string[]): Promise<SeriesColumns[] | (() => SeriesColumns[])>;
  /** Frees what `load` holds open (not timed). */
  close?(): Promise<void>;
}
