// Artifact names: rendered from the `artifact-name` template and checked before any upload,
// with the same character rules the artifact service enforces.

export const DEFAULT_PER_TARGET_TEMPLATE = '{name}-{goos}-{goarch}{variant}';
export const DEFAULT_COMBINED_TEMPLATE = '{name}';

export interface ArtifactNameFields {
  name: string;
  goos: string;
  goarch: string;
  /** Rendered suffix as in file names: '-v3', '-v7', '-softfloat', or ''. */
  variant: string;
}

const INVALID: ReadonlyMap<string, string> = new Map([
  ['"', 'double quote "'],
  [':', 'colon :'],
  ['<', 'less than <'],
  ['>', 'greater than >'],
  ['|', 'vertical bar |'],
  ['*', 'asterisk *'],
  ['?', 'question mark ?'],
  ['\r', 'carriage return \\r'],
  ['\n', 'line feed \\n'],
  ['\\', 'backslash \\'],
  ['/', 'forward slash /'],
]);

/** Throws a sentence naming the name and its first forbidden character. */
export function validateArtifactName(name: string): void {
  if (name.trim() === '') throw new Error('An artifact name must not be empty');
  for (const [char, description] of INVALID) {
    if (name.includes(char)) {
      throw new Error(
        `The artifact name ${JSON.stringify(name)} contains a ${description}, which the artifact service does not allow (not allowed: " : < > | * ? \\r \\n \\ /)`,
      );
    }
  }
}

/** Fills `{name}`, `{goos}`, `{goarch}`, `{variant}`; any other placeholder is an error. */
export function renderArtifactName(template: string, fields: ArtifactNameFields): string {
  const rendered = template.replace(/\{([^{}]*)\}/g, (placeholder, field: string) => {
    if (field === 'name' || field === 'goos' || field === 'goarch' || field === 'variant')
      return fields[field];
    throw new Error(
      `artifact-name ${JSON.stringify(template)} uses ${placeholder}; the placeholders are {name}, {goos}, {goarch}, {variant}`,
    );
  });
  validateArtifactName(rendered);
  return rendered;
}
