/** Redaction by value: what counts as a credential, and that registered values go wherever they appear. */
import { afterEach, describe, expect, it } from 'vitest';
import {
  clearSecrets,
  credentialsIn,
  REDACTED,
  redact,
  redactStrings,
  redactValue,
  registerSecrets,
  secretsIn,
} from '../../harness/common/secrets.js';

afterEach(clearSecrets);

describe('secrets by value', () => {
  it.each([
    ['https://user:hunter22@git.example.test/x.git', 'https://<redacted>@git.example.test/x.git'],
    [
      'git clone https://ghp_abc123def@github.example.test/r',
      'git clone https://<redacted>@github.example.test/r',
    ],
    ['sshpass -p hunter22 ssh {ssh} {command}', 'sshpass -p <redacted> ssh {ssh} {command}'],
    ["mysql --password='s3 cret' -h db", 'mysql --password=<redacted> -h db'],
    [
      'curl -H "Authorization: Bearer eyJhbGciOi.x.y" https://api',
      'curl -H "Authorization: Bearer <redacted>" https://api',
    ],
    ['PGPASSWORD=hunter22 psql', 'PGPASSWORD=<redacted> psql'],
    ['https://api.example.test:6443/?token=abc123', 'https://api.example.test:6443/?token=<redacted>'],
  ])('redacts the credential in %s', (text, expected) => {
    expect(redact(text)).toBe(expected);
  });

  it('leaves ordinary text alone', () => {
    for (const text of [
      'ssh ops@peer.example.test',
      'passed 10 of 10',
      'egress-conformance.io/run=abc',
      'a token of thanks',
    ]) {
      expect(redact(text)).toBe(text);
    }
  });

  it('registers what is under secret-named keys and inside other strings, then redacts it anywhere', () => {
    const found = secretsIn({
      kind: { bgpPassword: 'sesame-99', metallb: { chartRepository: 'https://u:pw-777@charts.test/' } },
      existing: { peer: { commandTemplate: 'sshpass -p pw-888 ssh {ssh} {command}' } },
    });
    expect(found).toEqual(expect.arrayContaining(['sesame-99', 'pw-777', 'pw-888']));
    registerSecrets(found);
    expect(redact('the peer refused sesame-99 (pw-888, pw-777)')).toBe(
      'the peer refused <redacted> (<redacted>, <redacted>)',
    );
    expect(credentialsIn('https://onlyuser@host.test/')).toEqual(['onlyuser']);
  });

  it('copies a value for printing with secret keys and credentials redacted', () => {
    expect(redactValue({ token: 'abc', url: 'https://a:b@h.test', n: 1, list: ['x'] })).toEqual({
      token: '<redacted>',
      url: 'https://<redacted>@h.test',
      n: 1,
      list: ['x'],
    });
  });
});

describe('credentials in odd forms (issue #22)', () => {
  it.each([
    ['curl -H "Authorization: Basic dXNlcjpodW50ZXIy" http://peer.test/', 'dXNlcjpodW50ZXIy'],
    ['curl -H "authorization: bearer eyJhbGciOi.abc.def" x', 'eyJhbGciOi.abc.def'],
    ['Proxy-Authorization: Basic cHJveHk6c2VjcmV0', 'cHJveHk6c2VjcmV0'],
    ['mysql -uroot -pHunter2Secret -h db', 'Hunter2Secret'],
    ["sshpass -p'glued secret' ssh ops@peer", 'glued secret'],
    ['git clone https://user:p@ss@w0rd@git.example.test/repo.git', 'p@ss@w0rd'],
    ['ssh -p2222 ops@peer.example.test', undefined],
    // Hostile round of issue #22 (M10): curl -u, secret-named environment assignments, headers.
    ['curl -u admin:CURLUSERSECRET11 {command} {ssh}', 'admin:CURLUSERSECRET11'],
    ['curl --user=admin:CurlUser22 x', 'admin:CurlUser22'],
    ['env AWS_SECRET_ACCESS_KEY=AWSSECRET14 ssh {ssh}', 'AWSSECRET14'],
    ['GITHUB_TOKEN=ghp_abcdef123 DEPLOY_KEY=deploykey99 tool', 'ghp_abcdef123'],
    ['GITHUB_TOKEN=ghp_abcdef123 DEPLOY_KEY=deploykey99 tool', 'deploykey99'],
    ["curl -H 'X-Auth-Token: XAUTHSECRET15' x", 'XAUTHSECRET15'],
    ["curl -H 'Cookie: session=COOKIESECRET16' x", 'session=COOKIESECRET16'],
    ['curl -H "X-Api-Key: apikey1234" x', 'apikey1234'],
    ['sort -u file; mysql -uroot -h db', undefined],
    ["ssh -o 'PasswordAuthentication=yes' -o IdentityAgent=none {ssh}", undefined],
    // The report's own HTML passes through redaction: an attribute is no assignment.
    ['<section class="test" data-key="snat-loadbalancer-ip/ipv4" data-status="passed">', undefined],
    ['monkey=1 bypass=2 compass=north', undefined],
  ])('%s', (text, secret) => {
    const redacted = redact(text);
    if (secret === undefined) expect(redacted).toBe(text);
    else {
      expect(redacted).not.toContain(secret);
      // Nothing of it is left beside the marker.
      for (const part of secret.split(/[@ ]/).filter((p) => p.length >= 4))
        expect(redacted).not.toContain(part);
      expect(redacted).toContain(REDACTED);
    }
  });

  it('registers them from an options file, so they are redacted anywhere later', () => {
    const secrets = secretsIn({ existing: { peer: { commandTemplate: 'mysql -pGluedSecret9 -e "{cmd}"' } } });
    expect(secrets).toContain('GluedSecret9');
  });
});

describe('credentials in odd forms (hostile round 5, F8)', () => {
  it.each([
    ['curl -d \'{"password": "JSONPW1"}\' {ssh}', 'JSONPW1'],
    ['tool password:COLONPW1 {ssh}', 'COLONPW1'],
    ['pwd=PWDEQ1 tool', 'PWDEQ1'],
    ['MYSQL_PWD=MYSQLPWD1 mysql', 'MYSQLPWD1'],
    ['GITHUB_PAT=GHPAT1xx tool', 'GHPAT1xx'],
    ['DOCKER_AUTH_CONFIG=DAC1xx tool', 'DAC1xx'],
    ['ssh ops:SSHURLPASS1@bgp-peer.example.com', 'SSHURLPASS1'],
    ["sshpass -e ssh 'ops:QUOTED1x@peer.example.test'", 'QUOTED1x'],
    // Left alone: a port flag, our own error text, host:path, an ssh option.
    ['mysql -P 3306 -h db', undefined],
    ['options.yaml:3: existing.bgpPassword: expected a string', undefined],
    ['/etc/passwd:1: forged; token:12: line', undefined],
    ['scp peer.example.test:/tmp/x . ; git@github.example.test:org/repo', undefined],
    ['ssh -o GSSAPIAuthentication=no {ssh}', undefined],
    ['compass=north author=Jane', undefined],
  ])('%s', (text, secret) => {
    const redacted = redact(text);
    if (secret === undefined) expect(redacted).toBe(text);
    else {
      expect(redacted).not.toContain(secret);
      expect(redacted).toContain(REDACTED);
      expect(credentialsIn(text)).toContain(secret);
    }
  });
});

describe('reports rendered from redacted values (hostile round 5, F7)', () => {
  it('keeps a JSON string whole when its secret sat before an escaped quote', () => {
    const data = { commandTemplate: 'echo curl -H "Authorization: Bearer HDRTOK2" {ssh} {command}' };
    const text = redact(JSON.stringify(redactStrings(data)));
    expect(text).not.toContain('HDRTOK2');
    // Before: the text-level pass took the `\` of `\"` with the token, and this threw.
    expect(JSON.parse(text)).toEqual({
      commandTemplate: 'echo curl -H "Authorization: Bearer <redacted>" {ssh} {command}',
    });
  });
});

describe('a JSON document through redact', () => {
  it('stays JSON: a secret-named key keeps its quotes, an already redacted value is left alone', () => {
    const text = redact(JSON.stringify({ options: { password: 'hunter22', token: '<redacted>' }, n: 1 }));
    expect(JSON.parse(text)).toEqual({ options: { password: '<redacted>', token: '<redacted>' }, n: 1 });
  });
});
