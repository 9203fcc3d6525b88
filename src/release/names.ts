// Asset names GitHub keeps as given. GitHub renames uploaded files whose names hold "special
// characters, non-alphanumeric characters, and leading or trailing periods" (its upload
// documentation, which lists no exact set): a space, ~, (, ), : and others become '.'. A renamed
// asset no longer matches checksums.txt, the attestation subjects or the next run's plan, so such
// names are refused before any call instead of guessed at.
const KEPT = /^[A-Za-z0-9_+-](?:[A-Za-z0-9._+-]*[A-Za-z0-9_+-])?$/;

export const KEPT_CHARACTERS = "ASCII letters, digits, '.', '_', '-' and '+', with no '.' first or last";

/** Characters of `text` that GitHub keeps nowhere in a name. */
export function unkeptCharacters(text: string): string[] {
  return [...new Set([...text].filter((c) => !/[A-Za-z0-9._+-]/.test(c)))];
}

/** The characters of `name` that GitHub would not keep; [] when it keeps the name. */
export function rewrittenCharacters(name: string): string[] {
  if (KEPT.test(name)) return [];
  const bad = unkeptCharacters(name);
  return name.startsWith('.') || name.endsWith('.') ? [...new Set([...bad, '.'])] : bad;
}

/** Throws, naming the file and the input, when GitHub would store a release file under another name. */
export function checkAssetNames(names: readonly string[]): void {
  const refused = names.flatMap((name) => {
    const bad = rewrittenCharacters(name);
    return bad.length > 0 ? [`${JSON.stringify(name)} (${bad.map((c) => JSON.stringify(c)).join(' ')})`] : [];
  });
  if (refused.length > 0) {
    throw new Error(
      `GitHub would store ${refused.length === 1 ? 'the release file' : 'the release files'} ${refused.join(', ')} under another name (it turns such characters into '.'), so checksums.txt and the attestation would name files the release does not hold. Use only ${KEPT_CHARACTERS} in 'name-template' and in the version it takes ({version}: the 'version' input or the tag).`,
    );
  }
}
