/**
 * The example of a package README: the ```ts block after an `<!-- example -->` comment, else the first
 * ```ts block.
 */
export function readmeExample(readme: string): string | undefined {
  const block = /^```(?:ts|typescript)[ \t]*\n([\s\S]*?)^```[ \t]*$/m;
  const marker = /^<!--\s*example\s*-->[ \t]*$/m.exec(readme);
  const from = marker ? readme.slice(marker.index + marker[0].length) : readme;
  const found = block.exec(from);
  if (marker && (!found || from.slice(0, found.index).trim() !== '')) return undefined;
  return found?.[1];
}
