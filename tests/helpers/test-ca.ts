// A throwaway certificate authority for TLS tests, made with the openssl CLI in a temp dir.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Issued {
  certPath: string;
  keyPath: string;
  cert: string;
  key: string;
}

export interface TestCa {
  dir: string;
  /** The CA's certificate (PEM) and its path. */
  caPath: string;
  ca: string;
  /** A server certificate for 127.0.0.1 and localhost. */
  server: Issued;
  /** A client certificate whose subject CN is `cn`, signed by this CA. */
  client(cn: string): Issued;
  remove(): void;
}

const openssl = (dir: string, args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });

function keyAndRequest(dir: string, name: string, cn: string): void {
  openssl(dir, ['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', `${name}.key`, '-subj', `/CN=${cn}`, '-out', `${name}.csr`]);
}

function sign(dir: string, name: string, ext: string, caName: string): Issued {
  writeFileSync(join(dir, `${name}.ext`), ext);
  openssl(dir, ['x509', '-req', '-in', `${name}.csr`, '-CA', `${caName}.crt`, '-CAkey', `${caName}.key`, '-CAcreateserial', '-days', '2', '-extfile', `${name}.ext`, '-out', `${name}.crt`]);
  const certPath = join(dir, `${name}.crt`);
  const keyPath = join(dir, `${name}.key`);
  return { certPath, keyPath, cert: readFileSync(certPath, 'utf8'), key: readFileSync(keyPath, 'utf8') };
}

/** A CA named `name` (several may share a dir: one the server trusts, one it does not). */
export function makeTestCa(name = 'Homecare Test CA', dir = mkdtempSync(join(tmpdir(), 'homecare-ca-'))): TestCa {
  const caName = `ca-${Math.random().toString(36).slice(2, 8)}`;
  openssl(dir, [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
    '-keyout', `${caName}.key`, '-out', `${caName}.crt`, '-subj', `/CN=${name}`,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  const serverName = `${caName}-server`;
  keyAndRequest(dir, serverName, 'localhost');
  const server = sign(dir, serverName, 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n', caName);
  let n = 0;
  const caPath = join(dir, `${caName}.crt`);
  return {
    dir,
    caPath,
    ca: readFileSync(caPath, 'utf8'),
    server,
    client: (cn) => {
      const clientName = `${caName}-client-${++n}`;
      keyAndRequest(dir, clientName, cn);
      return sign(dir, clientName, 'extendedKeyUsage=clientAuth\n', caName);
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
