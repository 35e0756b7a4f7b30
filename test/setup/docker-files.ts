/**
 * The test files that need Docker: they bring up a lab or OVN containers, or run the CLI on one.
 * At most DOCKER_LANES of them run at once (test/setup/docker-turn.ts), each with labs of its own;
 * every other file needs no Docker and runs beside them. The numbers behind the order are in
 * docs/measurements/test-loop.md.
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
 * How many Docker files run at once, each in its own worker (a lab mostly waits on timers and
 * BGP). `EC_TEST_DOCKER_LANES` changes it for a measurement (a whole number from 1 to 4).
 */
export const DOCKER_LANES = lanesFrom(process.env.EC_TEST_DOCKER_LANES);

function lanesFrom(text: string | undefined): number {
  if (text === undefined || text === '') return 3;
  if (!/^[1-4]$/.test(text)) throw new Error(`EC_TEST_DOCKER_LANES ${JSON.stringify(text)}: expected 1 to 4`);
  return Number(text);
}

/**
 * Docker files that run with no other Docker file beside them: their timing bounds are the ones
 * a second lab's bring-up on two cores could upset. They are queued last.
 */
export const DOCKER_ALONE = ['test/e2e/failover-restore.test.ts'];

/**
 * The Docker files by measured duration, longest first (docs/measurements/test-loop.md): the
 * first DOCKER_LANES run while the Docker-free files take the other workers, the rest fill the
 * lanes longest first. A new file goes after them until it has been measured.
 */
export const DOCKER_LONGEST_FIRST = [
  'test/e2e/sharpness-a.test.ts',
  'test/e2e/sharpness-b.test.ts',
  'test/e2e/mutation-sample.test.ts',
  'test/e2e/safety-signals.test.ts',
  'test/e2e/conformance-run.test.ts',
  'test/e2e/kept-lab.test.ts',
  'test/e2e/ovn-fault-diagnostics.test.ts',
  'test/e2e/report-shards.test.ts',
  'test/e2e/report-always.test.ts',
  'test/e2e/failure-text.test.ts',
  'test/lab/lab.test.ts',
  'test/lab/probe-clients.test.ts',
  'test/e2e/report-browser.test.ts',
  'test/e2e/cleanup.test.ts',
  'test/lab/ovn-dataplane.test.ts',
];
