// Types of issue-24-targets.mjs, for the TypeScript tests (written by hand: keep the two in step).

export interface Target {
  target: string;
  measured: string;
  /** null: not measured in this run. */
  met: boolean | null;
}

export declare const ISSUE_24: {
  ofNestFloor: number;
  p99OfNestFloor: number;
  ofFastapi: number;
  peakRssMb: number;
  idleRssMb: number;
  loginOfArgon2: number;
  coldStartMs: number;
  newEs256OfNestFloor: number;
};

/** Issue 24's targets for the results of a run (the JSON bench/results/<date>.json holds). */
export declare function issue24Targets(r: object): Target[];

/** The report's table of `targets`: a verdict of met, MISSED or "not measured" each; none without targets. */
export declare function issue24Section(targets?: Target[]): string[];
