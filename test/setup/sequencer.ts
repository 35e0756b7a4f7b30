/**
 * The order the test files are handed to the workers (a first-in first-out queue): the longest
 * DOCKER_LANES Docker files first, then every Docker-free file, then the other Docker files, and
 * those that run alone last. The first Docker files spend their lab waits while another worker
 * runs the Docker-free files; once those are all taken, the Docker files follow, DOCKER_LANES at a
 * time (test/setup/docker-turn.ts makes each wait for a turn). A Docker file taken earlier would
 * hold a worker waiting for its turn.
 */
import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { DOCKER_ALONE, DOCKER_LANES, DOCKER_LONGEST_FIRST, DOCKER_PROJECT } from './docker-files.js';

const named = (spec: TestSpecification, file: string) => spec.moduleId.endsWith(`/${file}`);

/** A Docker file's place: the measured order, then files not measured yet, then the lone ones. */
function rank(spec: TestSpecification): number {
  if (DOCKER_ALONE.some((file) => named(spec, file))) return DOCKER_LONGEST_FIRST.length + 1;
  const at = DOCKER_LONGEST_FIRST.findIndex((file) => named(spec, file));
  return at < 0 ? DOCKER_LONGEST_FIRST.length : at;
}

export default class DockerFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const docker = sorted.filter((spec) => spec.project.name === DOCKER_PROJECT);
    const free = sorted.filter((spec) => spec.project.name !== DOCKER_PROJECT);
    // A stable sort: files of equal rank keep vitest's own order (its recorded durations).
    docker.sort((a, b) => rank(a) - rank(b));
    return [...docker.slice(0, DOCKER_LANES), ...free, ...docker.slice(DOCKER_LANES)];
  }
}
