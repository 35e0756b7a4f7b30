/**
 * The test files that need Docker: they bring up a lab or OVN containers, or run the CLI on one.
 * They run one at a time (two lab bring-ups on two cores would make each other's timing bounds
 * flaky); every other file needs no Docker and runs beside them. The numbers behind the order are
 * in docs/measurements/test-loop.md.
 */
export const DOCKER_PROJECT = 'docker';

export const DOCKER_TESTS = [
  'test/e2e/**/*.test.ts',
  'test/lab/lab.test.ts',
  'test/lab/lease.test.ts',
  'test/lab/ovn-lab.test.ts',
  'test/lab/ovn-shared-gateway.test.ts',
  'test/lab/ovn-lab-ipv6.test.ts',
  'test/lab/ovn-dataplane.test.ts',
  'test/lab/ovn-diagnostics.test.ts',
  'test/lab/probe-clients.test.ts',
];

/**
 * The Docker files by measured duration, longest first: the first runs while the Docker-free
 * files take the other worker. A new file is appended to the end until it has been measured.
 */
export const DOCKER_LONGEST_FIRST = ['test/e2e/sharpness.test.ts', 'test/e2e/conformance-run.test.ts'];
