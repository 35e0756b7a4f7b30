/**
 * The lab's container images. A Debian base (the registry's `debian:bookworm-slim` when it is
 * present or pullable, otherwise one built with debootstrap and imported), and on it the `node`
 * and `peer` images from `images/<name>/Dockerfile`. Lab images are tagged by a hash of their
 * build inputs, so a rerun with unchanged inputs builds nothing.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { IMAGE_LABEL, INPUT_HASH_LABEL, TEMP_DIR_PREFIX } from './labels.js';

export const REGISTRY_BASE_IMAGE = 'debian:bookworm-slim';
export const LOCAL_BASE_IMAGE = 'egress-conformance/debian-base:bookworm';
export type LabImageName = 'node' | 'peer';
export const LAB_IMAGE_NAMES: readonly LabImageName[] = ['node', 'peer'];

export interface LabImages {
  base: string;
  node: string;
  peer: string;
}

export type Logger = (line: string) => void;

/** `images/` of this package: four levels up from both `harness/env/lab/infra` and `dist/env/lab/infra`. */
export const IMAGES_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../images');

/** Files shared by all lab images (probe server and client, entrypoint, FRR daemons file). */
const COMMON_DIR = 'common';

export interface EnsureImagesOptions {
  log?: Logger;
  /** How long to try `docker pull debian:bookworm-slim` before falling back to debootstrap. */
  pullTimeoutMs?: number;
}

/** Makes sure the base and both lab images exist, building what is missing. */
export async function ensureLabImages(options: EnsureImagesOptions = {}): Promise<LabImages> {
  const log = options.log ?? (() => {});
  const base = await ensureBaseImage(log, options.pullTimeoutMs ?? 15_000);
  const baseId = await imageId(base);
  if (!baseId) throw new Error(`base image ${base} vanished`);
  // Sequential on purpose: both Dockerfiles start with the same package layer, so the second
  // build reuses the first one's layer instead of running apt-get concurrently.
  const node = await ensureLabImage('node', base, baseId, log);
  const peer = await ensureLabImage('peer', base, baseId, log);
  return { base, node, peer };
}

/** The id of a local image, or undefined when it does not exist. */
export async function imageId(ref: string): Promise<string | undefined> {
  const result = await execa('docker', ['image', 'inspect', '--format', '{{.Id}}', ref], { reject: false });
  return result.exitCode === 0 ? result.stdout.trim() : undefined;
}

async function ensureBaseImage(log: Logger, pullTimeoutMs: number): Promise<string> {
  if (await imageId(REGISTRY_BASE_IMAGE)) return REGISTRY_BASE_IMAGE;
  if (await imageId(LOCAL_BASE_IMAGE)) return LOCAL_BASE_IMAGE;
  log(`base image: trying docker pull ${REGISTRY_BASE_IMAGE} (up to ${Math.round(pullTimeoutMs / 1000)} s)`);
  const pull = await execa('docker', ['pull', REGISTRY_BASE_IMAGE], {
    reject: false,
    timeout: pullTimeoutMs,
    all: true,
  });
  if (pull.exitCode === 0) return REGISTRY_BASE_IMAGE;
  log(
    `base image: pull failed (${lastLine(pull.all ?? '') || 'timed out'}); building ${LOCAL_BASE_IMAGE} with debootstrap`,
  );
  await buildBaseWithDebootstrap(log);
  return LOCAL_BASE_IMAGE;
}

async function buildBaseWithDebootstrap(log: Logger): Promise<void> {
  if (process.getuid?.() !== 0) {
    throw new Error(
      `building the base image needs root (debootstrap): run once as root \`npx tsx harness/env/lab/infra/images.ts\` or \`sudo npm run conformance\`, or provide ${REGISTRY_BASE_IMAGE}`,
    );
  }
  if (!existsSync('/usr/sbin/debootstrap')) {
    throw new Error(
      'debootstrap is not installed: run scripts/install-host.sh (or apt-get install -y debootstrap)',
    );
  }
  const dir = await mkdtemp(path.join(os.tmpdir(), `${TEMP_DIR_PREFIX}debootstrap-`));
  try {
    const started = Date.now();
    log('base image: debootstrap --variant=minbase bookworm (about 30 s)');
    const boot = await execa('debootstrap', ['--variant=minbase', 'bookworm', dir], {
      reject: false,
      all: true,
    });
    if (boot.exitCode !== 0) {
      throw new Error(`debootstrap failed (exit ${boot.exitCode}):\n${tail(boot.all ?? '', 20)}`);
    }
    log(`base image: debootstrap done in ${seconds(started)}; importing`);
    // Device nodes and downloaded packages are not part of an image: docker provides /dev.
    // `buffer: false`: the tar stream (~150 MB) goes to docker only, not also into memory.
    const tar = execa(
      'tar',
      ['-C', dir, '--exclude=./dev/*', '--exclude=./var/cache/apt/archives/*.deb', '-c', '.'],
      {
        buffer: false,
      },
    );
    const imported = await tar.pipe('docker', [
      'import',
      '--change',
      `LABEL ${IMAGE_LABEL}=true`,
      '--change',
      'CMD ["bash"]',
      '-',
      LOCAL_BASE_IMAGE,
    ]);
    log(
      `base image: ${LOCAL_BASE_IMAGE} ${imported.stdout.trim().slice(0, 19)} (${seconds(started)} in all)`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function ensureLabImage(
  name: LabImageName,
  base: string,
  baseId: string,
  log: Logger,
): Promise<string> {
  const hash = await inputHash(name, baseId);
  const tag = `egress-conformance/lab-${name}:${hash}`;
  if (await imageId(tag)) return tag;
  const started = Date.now();
  log(`lab image: building ${tag} (first build installs Debian packages: a minute or two)`);
  const build = await execa(
    'docker',
    [
      'build',
      '--file',
      path.join(IMAGES_DIR, name, 'Dockerfile'),
      '--build-arg',
      `BASE=${base}`,
      '--label',
      `${IMAGE_LABEL}=true`,
      '--label',
      `${INPUT_HASH_LABEL}=${hash}`,
      '--tag',
      tag,
      IMAGES_DIR,
    ],
    { reject: false, all: true, env: { DOCKER_BUILDKIT: '0' } },
  );
  if (build.exitCode !== 0) {
    throw new Error(`docker build of ${tag} failed (exit ${build.exitCode}):\n${tail(build.all ?? '', 30)}`);
  }
  log(`lab image: built ${tag} in ${seconds(started)}`);
  await removeStaleTags(name, tag);
  return tag;
}

/**
 * Removes earlier builds of a lab image (other input hashes). Without force: an image a running
 * lab still uses stays, and failures are not errors.
 */
async function removeStaleTags(name: LabImageName, current: string): Promise<void> {
  const repository = `egress-conformance/lab-${name}`;
  const listed = await execa('docker', ['image', 'ls', '--format', '{{.Repository}}:{{.Tag}}', repository], {
    reject: false,
  });
  const stale = listed.stdout
    .split('\n')
    .filter((ref) => ref.startsWith(`${repository}:`) && ref !== current);
  if (stale.length > 0) await execa('docker', ['image', 'rm', ...stale], { reject: false });
}

/**
 * Hash of everything that goes into a lab image: its own directory, the shared files and the id
 * of the base image. Paths are part of the hash, so a renamed file is a change too.
 */
export async function inputHash(name: LabImageName, baseId: string): Promise<string> {
  const hash = createHash('sha256');
  hash.update(`base ${baseId}\n`);
  for (const dir of [COMMON_DIR, name]) {
    for (const file of await listFiles(path.join(IMAGES_DIR, dir))) {
      hash.update(`file ${path.relative(IMAGES_DIR, file)}\n`);
      hash.update(await readFile(file));
    }
  }
  return hash.digest('hex').slice(0, 12);
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath, entry.name))
    .sort();
}

function lastLine(text: string): string {
  return text.trim().split('\n').at(-1) ?? '';
}

function tail(text: string, lines: number): string {
  return text.trim().split('\n').slice(-lines).join('\n');
}

function seconds(since: number): string {
  return `${((Date.now() - since) / 1000).toFixed(1)} s`;
}

// `npx tsx harness/env/lab/infra/images.ts` builds the images once (e.g. as root before running unprivileged).
if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  ensureLabImages({ log: (line) => console.log(line) }).then(
    (images) => console.log(JSON.stringify(images)),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exitCode = 1;
    },
  );
}
