const KEY_PATTERN = /^(\d{4})\/(\d{2})\/(\d{2})\/(\d{8}T\d{6}\d{3}Z)-([A-Za-z0-9._-]+)\.tar\.gz$/;

/** Normalizes a prefix: no leading or trailing slash, no empty segments. */
export function normalizePrefix(prefix: string): string {
  return prefix.split('/').filter(Boolean).join('/');
}

/** Keeps a host name to the characters a key allows. */
export function sanitizeHost(host: string): string {
  return host.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 128) || 'host';
}

/** `prefix/YYYY/MM/DD/YYYYMMDDTHHMMSSmmmZ-host.tar.gz`: keys sort by time. */
export function backupKey(prefix: string, at: Date, host: string): string {
  const iso = at.toISOString();
  const day = `${iso.slice(0, 4)}/${iso.slice(5, 7)}/${iso.slice(8, 10)}`;
  const stamp = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}T${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}${iso.slice(20, 23)}Z`;
  const name = `${day}/${stamp}-${sanitizeHost(host)}.tar.gz`;
  return prefix ? `${prefix}/${name}` : name;
}

/** Parses a key written by {@link backupKey} under `prefix`; undefined for any other key. */
export function parseBackupKey(prefix: string, key: string): { createdAt: Date; host: string } | undefined {
  const head = prefix ? `${prefix}/` : '';
  if (!key.startsWith(head)) return undefined;
  const m = KEY_PATTERN.exec(key.slice(head.length));
  if (!m) return undefined;
  const s = m[4]!;
  const createdAt = new Date(
    `${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)}T${s.slice(9, 11)}:${s.slice(11, 13)}:${s.slice(13, 15)}.${s.slice(15, 18)}Z`,
  );
  if (Number.isNaN(createdAt.getTime()) || createdAt.toISOString().slice(0, 10) !== `${m[1]}-${m[2]}-${m[3]}`)
    return undefined;
  return { createdAt, host: m[5]! };
}
