import { randomBytes } from 'node:crypto';

/** A file part of a multipart/form-data body. */
export interface MultipartFile {
  field: string;
  filename: string;
  contentType: string;
  content: Uint8Array;
}

function quote(value: string): string {
  // RFC 7578 §4.2: escape quotes and line breaks in quoted parameters.
  return value.replace(/"/g, '%22').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/**
 * Encodes text fields and files as multipart/form-data. Built as bytes (not FormData) so the
 * body can be sent again on a retry and works with any injected fetch.
 */
export function encodeMultipart(
  fields: Readonly<Record<string, string>>,
  files: readonly MultipartFile[],
): { contentType: string; bytes: Uint8Array } {
  const boundary = `----omise-sync-${randomBytes(12).toString('hex')}`;
  const chunks: Buffer[] = [];
  for (const [name, value] of Object.entries(fields)) {
    chunks.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${quote(name)}"\r\n\r\n${value}\r\n`,
      ),
    );
  }
  for (const file of files) {
    chunks.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${quote(file.field)}"; filename="${quote(file.filename)}"\r\nContent-Type: ${file.contentType}\r\n\r\n`,
      ),
      Buffer.from(file.content),
      Buffer.from('\r\n'),
    );
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return {
    contentType: `multipart/form-data; boundary=${boundary}`,
    bytes: new Uint8Array(Buffer.concat(chunks)),
  };
}
