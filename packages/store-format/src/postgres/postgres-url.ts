/**
 * Removes the password of `url` from text: its raw and URL-decoded forms become `***`. Every message
 * the sink and the read store make (errors, logs, `health()`) goes through it, whatever the driver put in it.
 */
export function postgresPasswordRedactor(url: string): (text: string) => string {
  const secrets = new Set<string>();
  try {
    const password = new URL(url).password;
    if (password !== '') {
      secrets.add(password);
      secrets.add(decodeURIComponent(password));
    }
  } catch {
    // not a URL: nothing to find
  }
  const list = [...secrets].filter((s) => s.length > 0).sort((a, b) => b.length - a.length);
  return (text) => {
    let out = text;
    for (const secret of list) out = out.split(secret).join('***');
    return out;
  };
}

/** `url` with its password replaced by `***`, for logs and errors. */
export function safePostgresUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password !== '') u.password = '***';
    return u.href;
  } catch {
    return 'postgres://(unparsable URL)';
  }
}

/** A `postgres://` or `postgresql://` URL: what `openReadStore` and the collector take as a PostgreSQL store. */
export function isPostgresUrl(text: string): boolean {
  return /^postgres(ql)?:\/\//.test(text);
}
