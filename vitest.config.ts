import { defineConfig } from 'vitest/config';
import { DOCKER_PROJECT, DOCKER_TESTS } from './test/setup/docker-files.js';
import DockerFirstSequencer from './test/setup/sequencer.js';

/**
 * Two workers (the machines this runs on have two cores): the Docker files take turns in one of
 * them, one file at a time (test/setup/docker-turn.ts), while the Docker-free files fill the
 * other, and both once the Docker-free files are all taken (test/setup/sequencer.ts).
 */
export default defineConfig({
  test: {
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ['default'],
    maxWorkers: 2,
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
