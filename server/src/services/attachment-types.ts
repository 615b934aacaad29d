/* The attachments service's types (services/attachments.ts), for its callers and scanners. */

/** A file as Strapi's body parser (formidable) left it on disk. */
export type UploadedFile = { filepath: string; originalFilename?: string | null; mimetype?: string | null; size: number };
/** What a scanner is shown: the file as it will be stored. */
export type ScannedFile = { path: string; name: string; mime: string; size: number };
export type Scanner = (file: ScannedFile) => Promise<'clean' | 'infected'>;

/** An attachment as the API shows it (docs/api.md, *Attachments*). */
export type Attachment = {
  id: string;
  name: string;
  mime: string;
  size: number;
  width?: number;
  height?: number;
  url: string;
  thumbnailUrl?: string;
};
