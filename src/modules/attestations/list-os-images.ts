import { asc } from 'drizzle-orm';
import type { Db } from '#platform/db/database.ts';
import type { ReferenceMeasurements } from './verification/index.ts';
import { toOsImageReference, type OsImageReference } from './register-os-image.ts';
import { attestationOsImages } from './tables.ts';

/** Registered OS image references, by hash. */
export async function listOsImages(deps: { db: Db }): Promise<OsImageReference[]> {
  const rows = await deps.db.select().from(attestationOsImages).orderBy(asc(attestationOsImages.osImageHash));
  return rows.map(toOsImageReference);
}

/** The same, keyed by OS image hash, as the verifier's `os` check takes them (a handful of rows). */
export async function osImageReferences(deps: { db: Db }): Promise<Record<string, ReferenceMeasurements>> {
  const images = await listOsImages(deps);
  return Object.fromEntries(images.map((image) => [image.os_image_hash, { mr_td: image.mr_td, rt_mr0: image.rt_mr0, rt_mr1: image.rt_mr1, rt_mr2: image.rt_mr2 }]));
}
