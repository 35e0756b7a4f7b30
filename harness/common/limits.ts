/**
 * Bounds on what the tool reads from users' files, so that no input can exhaust memory, the stack
 * or the clock. Each refusal is one line naming the file (and line) and the bound (exit 2).
 */

/** A scenario spec (or a fixture file): the shipped ones are under 10 KiB. */
export const SPEC_MAX_BYTES = 1024 * 1024;
/** An options file. */
export const OPTIONS_MAX_BYTES = 256 * 1024;
/** A kubeconfig (certificates inline make them a few KiB; generous for many contexts). */
export const KUBECONFIG_MAX_BYTES = 4 * 1024 * 1024;
/** Nesting of mappings and lists in a YAML input (the deepest shipped spec nests 9 levels). */
export const YAML_MAX_DEPTH = 64;
/**
 * Nodes of a YAML input, as the scan before parsing counts them (every `[`, `{`, `,` and line): the
 * largest shipped spec counts under 1,000. A spec of 250,000 flow items (750 KB) overflowed the
 * stack after 9 s and 490 MB, and 40,000 took 4 s: the work after parsing grows with the nodes.
 */
export const YAML_MAX_NODES = 20_000;
/** YAML aliases (`*name`) in one document; an alias bomb needs many of them. */
export const YAML_MAX_ALIASES = 100;
/**
 * Steps of one spec once its `setup:` steps are expanded (the longest shipped spec has under 60),
 * and how deep setups may include setups (the shipped fixtures nest 3 deep): a setup that runs
 * the one before it twice, 30 times over, would otherwise expand to 2^30 steps.
 */
export const MAX_EXPANDED_STEPS = 2000;
export const MAX_SETUP_DEPTH = 16;
/** Spec files under one suites folder. */
export const MAX_SPEC_FILES = 10_000;
/**
 * Nodes of a lab (`lab.nodes` in the options file). The scope guard also counts a DaemonSet as
 * this many pods (spec/scope-load.ts): the most nodes the suite's own environment can have.
 */
export const LAB_MAX_NODES = 50;
