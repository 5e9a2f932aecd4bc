import type { Linter } from 'eslint';

/** For each folder of src/, the folders it may import from. */
export declare const LAYERS: Readonly<Record<string, readonly string[]>>;
/** The composition roots, src/<name>.ts: nothing imports them. */
export declare const ROOTS: readonly string[];
/** One no-restricted-imports block per folder of LAYERS. */
export declare const layerRules: Linter.Config[];
