/** The namespace a step or condition means by a `namespace:` field (a name from requires.namespaces). */
import type { TestContext } from './context.js';
import { testNamespaces } from './plan.js';

export function namespaceOf(ctx: TestContext, declared: string | undefined): string {
  if (declared === undefined) return ctx.test.namespace;
  const found = testNamespaces(ctx.test).find((n) => n.name === declared);
  if (!found) throw new Error(`namespace '${declared}' is not declared in requires.namespaces`);
  return found.namespace;
}
