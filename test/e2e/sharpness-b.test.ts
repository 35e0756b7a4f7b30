/**
 * The suite catches broken implementations, second half of the subset
 * (test/e2e/sharpness-subset.ts), in the other Docker lane beside the first.
 */
import { describeSharpness } from './sharpness-subset.js';

describeSharpness(1);
