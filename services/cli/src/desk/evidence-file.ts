import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { MAX_DOCUMENT_BYTES } from '@omise-sync/omise-client';
import { UsageError } from '../cli-env';

/** The evidence kinds Omise's documents API names. */
export const DOCUMENT_KINDS = [
  'cardholder_details',
  'details_of_purchase',
  'proof_of_receipt',
  'proof_of_acceptance',
] as const;
export type DocumentKind = (typeof DOCUMENT_KINDS)[number];

export type EvidenceType = 'image/png' | 'image/jpeg' | 'application/pdf';

/** A file checked to be acceptable evidence, read into memory. */
export interface EvidenceFile {
  filename: string;
  content: Buffer;
  contentType: EvidenceType;
  /** Hex sha256 of the content. */
  sha256: string;
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** PNG, JPEG or PDF by the file's first bytes; the name proves nothing. */
export function sniffEvidenceType(content: Uint8Array): EvidenceType | undefined {
  const bytes = Buffer.from(content.buffer, content.byteOffset, content.byteLength);
  if (bytes.subarray(0, 8).equals(PNG_SIGNATURE)) return 'image/png';
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  if (bytes.subarray(0, 5).toString('latin1') === '%PDF-') return 'application/pdf';
  return undefined;
}

export function parseDocumentKind(value: string | undefined): DocumentKind {
  const kind = DOCUMENT_KINDS.find((known) => known === value);
  if (kind === undefined) {
    throw new UsageError(
      `--kind must be one of ${DOCUMENT_KINDS.join(', ')}${value === undefined ? '' : `, got "${value}"`}`,
    );
  }
  return kind;
}

/**
 * Reads a file to upload as evidence after checking what Omise would refuse: it exists, is a
 * regular file, is not empty, is at most 10 MB, and is PNG, JPEG or PDF by its content.
 * @throws UsageError saying what to fix
 */
export async function readEvidenceFile(path: string): Promise<EvidenceFile> {
  const info = await stat(path).catch(() => undefined);
  if (info === undefined) throw new UsageError(`${path}: no such file`);
  if (!info.isFile()) throw new UsageError(`${path}: not a regular file`);
  if (info.size === 0) throw new UsageError(`${path}: the file is empty`);
  if (info.size > MAX_DOCUMENT_BYTES) {
    throw new UsageError(
      `${path}: ${info.size} bytes; Omise accepts at most ${MAX_DOCUMENT_BYTES} (10 MB)`,
    );
  }
  const content = await readFile(path);
  const contentType = sniffEvidenceType(content);
  if (contentType === undefined) {
    throw new UsageError(`${path}: not a PNG, JPEG or PDF file (by its content)`);
  }
  return {
    filename: basename(path),
    content,
    contentType,
    sha256: createHash('sha256').update(content).digest('hex'),
  };
}
