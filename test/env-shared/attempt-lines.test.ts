/** The attempt reports of one-process clients (the lab's probe client, the shell loop). */
import { describe, expect, it } from 'vitest';
import { completeAttempts, parseAttemptLines } from '../../harness/env/shared/attempt-lines.js';

describe('attempt lines', () => {
  it('reads every report, ignores other output, and takes seconds for milliseconds', () => {
    const output = [
      '{"attempt": 1, "ok": true, "answer": "10.244.1.2:4242", "startedAtMs": 1000.5, "durationMs": 2.5}',
      'curl: (7) something the shell printed',
      '{"attempt":2,"ok":false,"error":"curl exit 28","seconds":5.001}',
      '{"attempt":3,"ok":true,"answer":"","seconds":0.002}',
      '{"attempt":"4","ok":true}',
      '{not json',
      '',
    ].join('\n');
    expect(parseAttemptLines(output)).toEqual([
      { attempt: 1, ok: true, answer: '10.244.1.2:4242', startedAtMs: 1000.5, durationMs: 2.5 },
      { attempt: 2, ok: false, error: 'curl exit 28', durationMs: 5001 },
      // "ok" without an answer is not an answer.
      { attempt: 3, ok: false, answer: '', error: 'empty answer', durationMs: 2 },
    ]);
  });

  it('counts attempts a client never reported as failed, so a probe keeps its number of attempts', () => {
    const reported = parseAttemptLines(
      '{"attempt":1,"ok":true,"answer":"a"}\n{"attempt":3,"ok":true,"answer":"c"}',
    );
    expect(completeAttempts(reported, 4, 'killed')).toEqual([
      { attempt: 1, ok: true, answer: 'a' },
      { attempt: 2, ok: false, error: 'killed' },
      { attempt: 3, ok: true, answer: 'c' },
      { attempt: 4, ok: false, error: 'killed' },
    ]);
  });
});
