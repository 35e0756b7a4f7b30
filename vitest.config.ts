import { defineConfig } from 'vitest/config';
import { DOCKER_LANES, DOCKER_PROJECT, DOCKER_TESTS } from './test/setup/docker-files.js';
import DockerFirstSequencer from './test/setup/sequencer.js';

/**
 * One worker per Docker lane and two more (the machines this runs on have two cores; a lab mostly
 * waits on timers and BGP, the Docker-free files use the cores): the first Docker files take the
 * DOCKER_LANES lanes (test/setup/docker-turn.ts) while the Docker-free files fill the other two
 * workers, then every worker a Docker file does not hold (test/setup/sequencer.ts). With one
 * Docker-free worker the lanes sat idle behind the last Docker-free files (test-loop.md).
 */
export default defineConfig({
  test: {
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ['default'],
    maxWorkers: DOCKER_LANES + 2,
    sequence: { sequencer: DockerFirstSequencer },
    projects: [
      {
        extends: true,
        test: { name: 'docker-free', include: ['test/**/*.test.ts'], exclude: DOCKER_TESTS },
      },
      {
        extends: true,
        test: { name: DOCKER_PROJECT, include: DOCKER_TESTS, setupFiles: ['test/setup/docker-turn.ts'] },
      },
    ],
  },
});
