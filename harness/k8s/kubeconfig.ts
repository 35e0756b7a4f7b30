/**
 * Choosing a kubeconfig file and a context, with errors that say what was looked for and what
 * exists. Never puts anything of the file's content (certificates, tokens) into an error: only
 * the path, context names and the server URL (its userinfo redacted); every secret in the file is
 * registered for redaction (common/secrets.ts).
 */
import { readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, resolve } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { UsageError } from '../common/errors.js';
import { escapeControl } from '../common/escape.js';
import { KUBECONFIG_MAX_BYTES } from '../common/limits.js';
import { redact, registerSecrets, secretsIn } from '../common/secrets.js';

/** A kubeconfig the user named or selected cannot be used: a usage error (exit 2). */
export class KubeconfigError extends UsageError {
  override name = 'KubeconfigError';
}

/**
 * Registers what in a loaded kubeconfig is a secret, so that it is redacted wherever it would be
 * printed: users' tokens, passwords and keys, exec/auth-provider settings, and userinfo in any
 * server URL.
 */
function registerKubeconfigSecrets(kubeConfig: KubeConfig): void {
  for (const user of kubeConfig.getUsers()) {
    // Names, file paths and the (public) client certificate are not secrets; everything else is.
    const { name: _name, certFile: _certFile, keyFile: _keyFile, certData: _certData, ...rest } = user;
    registerSecrets(secretsIn(rest, true));
  }
  for (const cluster of kubeConfig.getClusters()) registerSecrets(secretsIn(cluster.server));
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
  const shown = escapeControl(path);
  // Checked before it is opened: a FIFO would block the read, a device would never end.
  let stat: ReturnType<typeof statSync>;
  try {
    stat = statSync(path);
  } catch {
    throw new KubeconfigError(
      `kubeconfig ${shown}: no such file (set existing.kubeconfig in the options file, or KUBECONFIG)`,
    );
  }
  if (!stat.isFile()) throw new KubeconfigError(`kubeconfig ${shown}: not a regular file`);
  if (stat.size > KUBECONFIG_MAX_BYTES) {
    throw new KubeconfigError(
      `kubeconfig ${shown}: is ${stat.size} bytes, over the limit of ${KUBECONFIG_MAX_BYTES} bytes`,
    );
  }
  const kubeConfig = new KubeConfig();
  try {
    kubeConfig.loadFromString(readFileSync(path, 'utf8'));
    registerKubeconfigSecrets(kubeConfig);
  } catch (error) {
    // The parser's message may quote the file; keep only its first line, without content.
    const first = String((error as Error).message ?? error)
      .split('\n')[0]
      ?.slice(0, 120);
    throw new KubeconfigError(`kubeconfig ${shown}: cannot be read as a kubeconfig (${redact(first ?? '')})`);
  }
  const names = kubeConfig.getContexts().map((c) => c.name);
  if (names.length === 0) throw new KubeconfigError(`kubeconfig ${shown}: has no contexts`);
  const context = selection.context ?? kubeConfig.getCurrentContext();
  if (!context) {
    throw new KubeconfigError(
      `kubeconfig ${shown}: no current-context; name one with existing.context (contexts: ${names.join(', ')})`,
    );
  }
  const contextObject = kubeConfig.getContextObject(context);
  if (!contextObject) {
    throw new KubeconfigError(`kubeconfig ${shown}: no context "${context}" (contexts: ${names.join(', ')})`);
  }
  kubeConfig.setCurrentContext(context);
  const cluster = kubeConfig.getCluster(contextObject.cluster);
  if (!cluster) {
    throw new KubeconfigError(
      `kubeconfig ${shown}: context "${context}" names cluster "${contextObject.cluster}", which the file does not define`,
    );
  }
  if (!kubeConfig.getUser(contextObject.user ?? '')) {
    throw new KubeconfigError(
      `kubeconfig ${shown}: context "${context}" names user "${contextObject.user}", which the file does not define`,
    );
  }
  // The server URL is shown in logs and reports: without any userinfo it carries.
  return { kubeConfig, path, context, server: redact(cluster.server) };
}
