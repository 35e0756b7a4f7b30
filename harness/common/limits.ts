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
/** YAML aliases (`*name`) in one document; an alias bomb needs many of them. */
export const YAML_MAX_ALIASES = 100;
/** Spec files under one suites folder. */
export const MAX_SPEC_FILES = 10_000;
