/**
 * The lab's container images, in three layers, each tagged by a hash of its build inputs so that
 * unchanged inputs build nothing and every checkout with the same inputs finds the same image:
 * a Debian base (the registry's `debian:bookworm-slim` when it is present or pullable, otherwise
 * one built with debootstrap and imported, tagged by the debootstrap inputs); on it the packages
 * image (`images/packages/Dockerfile`: the Debian packages every lab container needs, the slow
 * step); and on that the `node` and `peer` images (`images/<name>/Dockerfile` with the files of
 * `images/common/`), built side by side. `EC_LAB_IMAGE_PREFIX` sets the repository prefix
 * (default `egress-conformance`), e.g. to measure a cold build without touching the images
 * other checkouts use.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { UsageError } from '../../../common/errors.js';
import { IMAGE_LABEL, INPUT_HASH_LABEL, TEMP_DIR_PREFIX } from './labels.js';

export const REGISTRY_BASE_IMAGE = 'debian:bookworm-slim';
export const DEFAULT_IMAGE_PREFIX = 'egress-conformance';
export type LabImageName = 'node' | 'peer';
export const LAB_IMAGE_NAMES: readonly LabImageName[] = ['node', 'peer'];

export interface LabImages {
  base: string;
  node: string;
  peer: string;
  /** With the OVN data plane: the node image with Open vSwitch and OVN (nodes and OVN central). */
  ovnNode?: string;
}

export type Logger = (line: string) => void;

/** `images/` of this package: four levels up from both `harness/env/lab/infra` and `dist/env/lab/infra`. */
export const IMAGES_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../images');

/** Files shared by the node and peer images (probe server and client, entrypoint). */
const COMMON_DIR = 'common';
/** The Dockerfile of the packages layer both lab images start from. */
const PACKAGES_DIR = 'packages';
/** The Dockerfile of the layer that adds Open vSwitch and OVN to the packages image. */
const OVN_PACKAGES_DIR = 'ovn-packages';

/**
 * Builds of one image kept side by side (the newest first): checkouts at other commits, and
 * labs still running older builds, find theirs; older ones are removed (never forcibly).
 */
const KEPT_BUILDS = 4;

/** What goes into the debootstrap base; its tag carries a hash of this. */
const DEBOOTSTRAP_ARGS = ['--variant=minbase', 'bookworm'];
const BASE_TAR_EXCLUDES = ['--exclude=./dev/*', '--exclude=./var/cache/apt/archives/*.deb'];
const BASE_IMPORT_CHANGES = ['CMD ["bash"]'];

export interface EnsureImagesOptions {
  log?: Logger;
  /** How long to try `docker pull debian:bookworm-slim` before falling back to debootstrap. */
  pullTimeoutMs?: number;
  /** Repository prefix; default `EC_LAB_IMAGE_PREFIX` or `egress-conformance`. */
  prefix?: string;
}

const REPOSITORY_PREFIX = /^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$/;

/**
 * The image repository prefix: the option, else `EC_LAB_IMAGE_PREFIX`, else the default. A bad
 * value is the user's input: a usage error (exit 2, one line), checked by the lab provider's
 * settings check before anything is brought up.
 */
export function imagePrefix(option?: string): string {
  const prefix = option ?? process.env.EC_LAB_IMAGE_PREFIX ?? DEFAULT_IMAGE_PREFIX;
  if (prefix.length > 200 || !REPOSITORY_PREFIX.test(prefix)) {
    const source = option === undefined ? 'EC_LAB_IMAGE_PREFIX' : 'image prefix';
    throw new UsageError(
      `${source} ${JSON.stringify(prefix.slice(0, 200))}: expected a docker repository path (lowercase letters, digits, '.', '_', '-', '/')`,
    );
  }
  return prefix;
}

/** The tag of the debootstrap base: the same inputs give the same tag in every checkout. */
export function localBaseImage(prefix = imagePrefix()): string {
  const inputs = JSON.stringify({
    debootstrap: DEBOOTSTRAP_ARGS,
    excludes: BASE_TAR_EXCLUDES,
    changes: BASE_IMPORT_CHANGES,
  });
  const hash = createHash('sha256').update(inputs).digest('hex').slice(0, 12);
  return `${prefix}/debian-base:bookworm-${hash}`;
}

/** Makes sure the base, the packages image and both lab images exist, building what is missing. */
export async function ensureLabImages(options: EnsureImagesOptions = {}): Promise<LabImages> {
  const log = options.log ?? (() => {});
  const prefix = imagePrefix(options.prefix);
  const base = await ensureBaseImage(log, options.pullTimeoutMs ?? 15_000, prefix);
  const packages = await ensureImage({ prefix, name: 'lab-packages', dir: PACKAGES_DIR, base, log });
  // Independent of each other: both only add files to the packages image.
  const [node, peer] = await Promise.all(
    LAB_IMAGE_NAMES.map((name) =>
      ensureImage({ prefix, name: `lab-${name}`, dir: name, extraDirs: [COMMON_DIR], base: packages, log }),
    ),
  );
  return { base, node: node as string, peer: peer as string };
}

export interface OvnLabImages {
  /** The packages image plus Open vSwitch and OVN: runs OVN's central databases and northd. */
  ovnPackages: string;
  /** The lab node image on the OVN layer: a node whose data plane is OVN. */
  node: string;
}

/**
 * Makes sure the OVN layer and the OVN node image exist, building what is missing. A layer of
 * its own on the packages image, so the plain lab images (and their build time) stay as they are.
 */
export async function ensureOvnLabImages(options: EnsureImagesOptions = {}): Promise<OvnLabImages> {
  const log = options.log ?? (() => {});
  const prefix = imagePrefix(options.prefix);
  const base = await ensureBaseImage(log, options.pullTimeoutMs ?? 15_000, prefix);
  const packages = await ensureImage({ prefix, name: 'lab-packages', dir: PACKAGES_DIR, base, log });
  const ovnPackages = await ensureImage({
    prefix,
    name: 'lab-ovn-packages',
    dir: OVN_PACKAGES_DIR,
    base: packages,
    log,
  });
  const node = await ensureImage({
    prefix,
    name: 'lab-node-ovn',
    dir: 'node',
    extraDirs: [COMMON_DIR],
    base: ovnPackages,
    log,
  });
  return { ovnPackages, node };
}

/** The id of a local image, or undefined when it does not exist. */
export async function imageId(ref: string): Promise<string | undefined> {
  const result = await execa('docker', ['image', 'inspect', '--format', '{{.Id}}', ref], { reject: false });
  return result.exitCode === 0 ? result.stdout.trim() : undefined;
}

async function ensureBaseImage(log: Logger, pullTimeoutMs: number, prefix: string): Promise<string> {
  const local = localBaseImage(prefix);
  if (await imageId(REGISTRY_BASE_IMAGE)) return REGISTRY_BASE_IMAGE;
  if (await imageId(local)) return local;
  log(`base image: trying docker pull ${REGISTRY_BASE_IMAGE} (up to ${Math.round(pullTimeoutMs / 1000)} s)`);
  const pull = await execa('docker', ['pull', REGISTRY_BASE_IMAGE], {
    reject: false,
    timeout: pullTimeoutMs,
    all: true,
  });
  if (pull.exitCode === 0) return REGISTRY_BASE_IMAGE;
  log(
    `base image: pull failed (${lastLine(pull.all ?? '') || 'timed out'}); building ${local} with debootstrap`,
  );
  await buildBaseWithDebootstrap(log, local);
  return local;
}

async function buildBaseWithDebootstrap(log: Logger, tag: string): Promise<void> {
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
    log(`base image: debootstrap ${DEBOOTSTRAP_ARGS.join(' ')} (about 30 s)`);
    const boot = await execa('debootstrap', [...DEBOOTSTRAP_ARGS, dir], {
      reject: false,
      all: true,
    });
    if (boot.exitCode !== 0) {
      throw new Error(`debootstrap failed (exit ${boot.exitCode}):\n${tail(boot.all ?? '', 20)}`);
    }
    log(`base image: debootstrap done in ${seconds(started)}; importing`);
    // Device nodes and downloaded packages are not part of an image: docker provides /dev.
    // `buffer: false`: the tar stream (~150 MB) goes to docker only, not also into memory.
    const tar = execa('tar', ['-C', dir, ...BASE_TAR_EXCLUDES, '-c', '.'], { buffer: false });
    const changes = [`LABEL ${IMAGE_LABEL}=true`, ...BASE_IMPORT_CHANGES].flatMap((c) => ['--change', c]);
    const imported = await tar.pipe('docker', ['import', ...changes, '-', tag]);
    log(`base image: ${tag} ${imported.stdout.trim().slice(0, 19)} (${seconds(started)} in all)`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

interface ImageBuild {
  prefix: string;
  /** Repository name under the prefix, e.g. `lab-node`. */
  name: string;
  /** Directory of `images/` with the Dockerfile (and the rest of the image's own files). */
  dir: string;
  /** Other directories of `images/` the Dockerfile copies from. */
  extraDirs?: string[];
  /** The image it starts from (`ARG BASE`). */
  base: string;
  log: Logger;
}

async function ensureImage(build: ImageBuild): Promise<string> {
  const baseId = await imageId(build.base);
  if (!baseId) throw new Error(`image ${build.base} vanished`);
  const hash = await inputHash([build.dir, ...(build.extraDirs ?? [])], baseId);
  const tag = `${build.prefix}/${build.name}:${hash}`;
  if (await imageId(tag)) return tag;
  const started = Date.now();
  build.log(
    `lab image: building ${tag}${build.dir === PACKAGES_DIR || build.dir === OVN_PACKAGES_DIR ? ' (Debian packages: a minute or so)' : ''}`,
  );
  const result = await execa(
    'docker',
    [
      'build',
      '--file',
      path.join(IMAGES_DIR, build.dir, 'Dockerfile'),
      '--build-arg',
      `BASE=${build.base}`,
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
  if (result.exitCode !== 0) {
    throw new Error(
      `docker build of ${tag} failed (exit ${result.exitCode}):\n${tail(result.all ?? '', 30)}`,
    );
  }
  build.log(`lab image: built ${tag} in ${seconds(started)}`);
  await removeOldBuilds(`${build.prefix}/${build.name}`, tag);
  return tag;
}

/**
 * Removes the builds of a repository beyond the newest KEPT_BUILDS (the current one always
 * stays). Without force: an image a running lab still uses stays, and failures are not errors.
 */
async function removeOldBuilds(repository: string, current: string): Promise<void> {
  const listed = await execa(
    'docker',
    ['image', 'ls', '--format', '{{.Repository}}:{{.Tag}}\t{{.CreatedAt}}', repository],
    { reject: false },
  );
  const builds = listed.stdout
    .split('\n')
    .map((line) => line.split('\t'))
    .filter(([ref]) => ref?.startsWith(`${repository}:`) && ref !== current)
    .sort((a, b) => (b[1] ?? '').localeCompare(a[1] ?? ''))
    .map(([ref]) => ref as string);
  const old = builds.slice(KEPT_BUILDS - 1);
  if (old.length > 0) await execa('docker', ['image', 'rm', ...old], { reject: false });
}

/**
 * Hash of everything that goes into an image: the files of its directories of `images/` and the
 * id of the image it starts from. Paths are part of the hash, so a renamed file is a change too.
 */
export async function inputHash(dirs: string[], baseId: string): Promise<string> {
  const hash = createHash('sha256');
  hash.update(`base ${baseId}\n`);
  for (const dir of dirs) {
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
// `... images.ts ovn` builds the OVN images as well.
if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const log = (line: string) => console.log(line);
  const withOvn = process.argv[2] === 'ovn';
  ensureLabImages({ log })
    .then(async (images) => (withOvn ? { ...images, ovn: await ensureOvnLabImages({ log }) } : images))
    .then(
      (images) => console.log(JSON.stringify(images)),
      (error: unknown) => {
        console.error(error instanceof Error ? error.message : error);
        process.exitCode = 1;
      },
    );
}
