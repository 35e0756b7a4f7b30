/**
 * A stand-alone entry for the `pcap` command, so tests can run it as a real process (exit code,
 * stdout, stderr) before and independently of the main CLI wiring.
 */
import { Command } from 'commander';
import { registerPcapCommand } from '../../harness/cli/commands/pcap.js';

const program = new Command('egress-conformance');
registerPcapCommand(program);
await program.parseAsync(process.argv);
