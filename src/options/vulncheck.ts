// The `vulncheck` and `vulncheck-db` inputs.
import { statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { InputError } from './errors.js';

export type VulncheckMode = 'warn' | 'fail' | 'off';

/** 'auto' scans what is released: warn when 'release' is on, else off. */
export function parseVulncheck(value: string, release: 'true' | 'draft' | 'false'): VulncheckMode {
  const choice = value.trim().toLowerCase();
  if (choice === 'auto') return release === 'false' ? 'off' : 'warn';
  if (choice === 'warn' || choice === 'fail' || choice === 'off') return choice;
  throw new InputError('vulncheck', value, "Valid values: 'auto', 'warn', 'fail', 'off'.");
}

/**
 * An https:// (or http://) mirror or a file:// database as govulncheck's -db takes it; a
 * directory path (relative to working-directory) becomes its file:// URL. Empty: the default.
 */
export function parseVulncheckDb(value: string, workingDirectory: string): string | null {
  const given = value.trim();
  if (given === '') return null;
  if (/^https?:\/\/[^/\s]+/i.test(given)) return given.replace(/\/+$/, '');
  const dir = given.startsWith('file:') ? safeFilePath(given) : path.resolve(workingDirectory, given);
  let isDirectory = false;
  try {
    isDirectory = dir !== null && statSync(dir).isDirectory();
  } catch {
    // reported below
  }
  if (dir === null || !isDirectory) {
    throw new InputError(
      'vulncheck-db',
      value,
      `Name a vulnerability database govulncheck can read: an https:// mirror of vuln.go.dev, or a directory (a path or file:// URL) holding index/db.json, index/modules.json and ID/<id>.json${dir === null ? '' : `; ${dir} is not an existing directory`}.`,
    );
  }
  return pathToFileURL(dir).href;
}

function safeFilePath(url: string): string | null {
  try {
    return fileURLToPath(url);
  } catch {
    return null;
  }
}
