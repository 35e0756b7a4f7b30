/**
 * The order the test files are handed to the two workers (a first-in first-out queue): the
 * longest Docker file first, then every Docker-free file, then the other Docker files. One worker
 * spends the first Docker file's lab waits while the other runs the Docker-free files; once those
 * are all taken, the Docker files follow one at a time (test/setup/docker-turn.ts makes each wait
 * for the one before). A Docker file taken earlier would hold a worker waiting for its turn.
 */
import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { DOCKER_LONGEST_FIRST, DOCKER_PROJECT } from './docker-files.js';

/** A Docker file's place in the measured order; a file not measured yet goes after them. */
function rank(spec: TestSpecification): number {
  const at = DOCKER_LONGEST_FIRST.findIndex((file) => spec.moduleId.endsWith(`/${file}`));
  return at < 0 ? DOCKER_LONGEST_FIRST.length : at;
}

export default class DockerFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const docker = sorted.filter((spec) => spec.project.name === DOCKER_PROJECT);
    const free = sorted.filter((spec) => spec.project.name !== DOCKER_PROJECT);
    // A stable sort: files of equal rank keep vitest's own order (its recorded durations).
    docker.sort((a, b) => rank(a) - rank(b));
    const [first, ...rest] = docker;
    return first ? [first, ...free, ...rest] : free;
  }
}
