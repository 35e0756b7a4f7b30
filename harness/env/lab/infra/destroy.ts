/**
 * Tear-down by label: removes every container and network of a lab (or of all labs), whatever
 * state they are in. This is what `down --provider lab --all` calls after a crash, so it needs
 * nothing but the docker engine and the labels.
 */
import { readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { removeLabBridgeRules } from './bridge-filter.js';
import { type Dockerode, describeDockerError, dockerode, dockerStatus } from './docker.js';
import { assertLabId, LAB_LABEL, TEMP_DIR_PREFIX } from './labels.js';
import { labNetworks } from './networks.js';

export interface DestroyResult {
  containers: string[];
  networks: string[];
}

/** The lab's own temp directory on the host (local copies of captures, ...). */
export function labTempDir(labId: string): string {
  return path.join(os.tmpdir(), `${TEMP_DIR_PREFIX}${labId}`);
}

/** Removes one lab's containers, networks and temp directory. Missing things are not errors. */
export function destroyLab(labId: string): Promise<DestroyResult> {
  assertLabId(labId);
  return destroyByLabel(`${LAB_LABEL}=${labId}`, [labId]);
}

/** Removes every lab on this engine (all containers and networks with the lab label). */
export async function destroyAllLabs(): Promise<DestroyResult & { labs: string[] }> {
  const labs = await listLabs();
  const result = await destroyByLabel(LAB_LABEL, labs);
  return { ...result, labs };
}

/** Ids of the labs that have containers or networks on this engine. */
export async function listLabs(): Promise<string[]> {
  const docker = await dockerode();
  const containers = await docker.listContainers({ all: true, filters: { label: [LAB_LABEL] } });
  const ids = new Set<string>();
  for (const c of containers) if (c.Labels[LAB_LABEL]) ids.add(c.Labels[LAB_LABEL]);
  for (const n of await labNetworks()) if (n.lab) ids.add(n.lab);
  return [...ids].sort();
}

async function destroyByLabel(label: string, labIds: string[]): Promise<DestroyResult> {
  const docker = await dockerode();
  const failures: string[] = [];
  const containers = await docker.listContainers({ all: true, filters: { label: [label] } });
  await Promise.all(
    containers.map(async (info) => {
      const container = docker.getContainer(info.Id);
      try {
        // A failed (paused) node is thawed first: killing a frozen cgroup can hang.
        if (info.State === 'paused') await container.unpause();
        await container.remove({ force: true, v: true });
      } catch (error) {
        if (dockerStatus(error) !== 404)
          failures.push(`container ${info.Names[0]}: ${describeDockerError(error)}`);
      }
    }),
  );
  const networks = await docker.listNetworks({ filters: { label: [label] } });
  await Promise.all(
    networks.map(async (info) => {
      try {
        await removeNetwork(docker, info.Id);
      } catch (error) {
        if (dockerStatus(error) !== 404) failures.push(`network ${info.Name}: ${describeDockerError(error)}`);
      }
    }),
  );
  await removeTempDirs(labIds);
  await removeLabBridgeRules(label === LAB_LABEL ? undefined : labIds[0]).catch((error: unknown) => {
    failures.push(`host firewall rules: ${error instanceof Error ? error.message : error}`);
  });
  if (failures.length > 0) throw new Error(`lab tear-down left things behind:\n${failures.join('\n')}`);
  return {
    containers: containers.map((c) => (c.Names[0] ?? c.Id).replace(/^\//, '')),
    networks: networks.map((n) => n.Name),
  };
}

const ATTEMPTS = 5;

/**
 * Removes one network. Docker can still hold an endpoint of a container that is gone (its
 * removal still releasing the endpoint when the engine is slow, or a container attached while a
 * failed bring-up was being cleaned up): the network then "has active endpoints" with no
 * container. Those endpoints (and only those: a live container is never cut off) are disconnected by force (what `docker network disconnect -f`
 * does), and the removal is tried again, a few times.
 */
export async function removeNetwork(docker: Dockerode, id: string): Promise<void> {
  const network = docker.getNetwork(id);
  for (let attempt = 1; ; attempt++) {
    try {
      await network.remove();
      return;
    } catch (error) {
      if (attempt >= ATTEMPTS || !/active endpoints/i.test(describeDockerError(error))) throw error;
    }
    const info = (await network.inspect().catch(() => undefined)) as
      | { Containers?: Record<string, { Name?: string }> }
      | undefined;
    for (const [key, endpoint] of Object.entries(info?.Containers ?? {})) {
      // Only an endpoint whose container is gone: a live container on the lab's network is not
      // the lab's to cut off (its removal then fails, naming the network, as it should).
      const live = await docker
        .getContainer(key)
        .inspect()
        .then(() => true)
        .catch(() => false);
      if (!live) {
        await network.disconnect({ Container: endpoint.Name || key, Force: true }).catch(() => undefined);
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 500 * attempt));
  }
}

async function removeTempDirs(labIds: string[]): Promise<void> {
  const entries = await readdir(os.tmpdir()).catch(() => [] as string[]);
  const wanted = new Set(labIds.map((id) => `${TEMP_DIR_PREFIX}${id}`));
  await Promise.all(
    entries
      .filter((e) => wanted.has(e))
      .map((e) => rm(path.join(os.tmpdir(), e), { recursive: true, force: true })),
  );
}
