/**
 * Choosing a kubeconfig file and a context, with errors that say what was looked for and what
 * exists. Never puts anything of the file's content (certificates, tokens) into an error: only
 * the path, context names and the server URL.
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, resolve } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';

export class KubeconfigError extends Error {
  override name = 'KubeconfigError';
}

export interface KubeconfigSelection {
  /** A kubeconfig file; default: the first file of $KUBECONFIG, else ~/.kube/config. */
  path?: string | undefined;
  /** A context in that file; default: its current-context. */
  context?: string | undefined;
}

export interface LoadedKubeconfig {
  kubeConfig: KubeConfig;
  path: string;
  context: string;
  /** The API server URL of the chosen context (not a secret; shown in reports). */
  server: string;
}

/** Where the kubeconfig comes from, the way kubectl looks for it (first file of $KUBECONFIG). */
export function kubeconfigPath(
  selection: KubeconfigSelection,
  env: NodeJS.ProcessEnv = process.env,
  home = homedir(),
): string {
  if (selection.path) return resolve(selection.path.replace(/^~(?=$|\/)/, home));
  const fromEnv = env.KUBECONFIG?.split(delimiter).find((p) => p.length > 0);
  if (fromEnv) return resolve(fromEnv);
  return resolve(home, '.kube', 'config');
}

/** Loads the file and selects the context; throws KubeconfigError naming what is wrong. */
export function loadKubeconfig(
  selection: KubeconfigSelection,
  env: NodeJS.ProcessEnv = process.env,
  home = homedir(),
): LoadedKubeconfig {
  const path = kubeconfigPath(selection, env, home);
  if (!existsSync(path)) {
    throw new KubeconfigError(
      `kubeconfig ${path}: no such file (set existing.kubeconfig in the options file, or KUBECONFIG)`,
    );
  }
  const kubeConfig = new KubeConfig();
  try {
    kubeConfig.loadFromFile(path);
  } catch (error) {
    // The parser's message may quote the file; keep only its first line, without content.
    const first = String((error as Error).message ?? error)
      .split('\n')[0]
      ?.slice(0, 120);
    throw new KubeconfigError(`kubeconfig ${path}: cannot be read as a kubeconfig (${first})`);
  }
  const names = kubeConfig.getContexts().map((c) => c.name);
  if (names.length === 0) throw new KubeconfigError(`kubeconfig ${path}: has no contexts`);
  const context = selection.context ?? kubeConfig.getCurrentContext();
  if (!context) {
    throw new KubeconfigError(
      `kubeconfig ${path}: no current-context; name one with existing.context (contexts: ${names.join(', ')})`,
    );
  }
  const contextObject = kubeConfig.getContextObject(context);
  if (!contextObject) {
    throw new KubeconfigError(`kubeconfig ${path}: no context "${context}" (contexts: ${names.join(', ')})`);
  }
  kubeConfig.setCurrentContext(context);
  const cluster = kubeConfig.getCluster(contextObject.cluster);
  if (!cluster) {
    throw new KubeconfigError(
      `kubeconfig ${path}: context "${context}" names cluster "${contextObject.cluster}", which the file does not define`,
    );
  }
  if (!kubeConfig.getUser(contextObject.user ?? '')) {
    throw new KubeconfigError(
      `kubeconfig ${path}: context "${context}" names user "${contextObject.user}", which the file does not define`,
    );
  }
  return { kubeConfig, path, context, server: cluster.server };
}
