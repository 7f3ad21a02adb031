/**
 * Removes the password of `url` from text: its raw and URL-decoded forms become `***`. Every message
 * the sink makes (errors, logs, `health()`) goes through it, whatever the driver put in it.
 */
export function passwordRedactor(url: string): (text: string) => string {
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
export function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password !== '') u.password = '***';
    return u.href;
  } catch {
    return 'postgres://(unparsable URL)';
  }
}
