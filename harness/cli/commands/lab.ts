/**
 * `lab faults`: the reference lab's known faults, what each breaks, the statements that must
 * catch it, and how the reference's behaviour record differs with it.
 */
import type { Command } from 'commander';
import { describeChange } from '../../env/lab/reference/behaviour.js';
import { FAULTS } from '../../env/lab/reference/faults.js';

export function registerLabCommand(program: Command): void {
  const lab = program.command('lab').description('the embedded reference lab');
  lab
    .command('faults')
    .description('list the known faults (run one with `run --provider lab --lab-fault NAME`)')
    .option('--json', 'print a JSON array')
    .action((options: { json?: boolean }) => {
      if (options.json) {
        process.stdout.write(`${JSON.stringify(FAULTS, null, 2)}\n`);
        return;
      }
      const lines = FAULTS.flatMap((fault) => {
        const extended = 'extendedStatements' in fault ? fault.extendedStatements : [];
        const caught = [...fault.statements, ...extended.map((s) => `${s} (extended)`)];
        const plane = 'dataPlane' in fault ? `  (lab.dataPlane: ${fault.dataPlane} only)` : '';
        return [
          `${fault.name}  ->  ${caught.join(', ')}${plane}`,
          `    ${fault.breaks}`,
          `    deviates: ${describeChange(fault.behaviour).join(', ')}`,
        ];
      });
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}
