import { z } from 'zod';

/** Schema identifier a JSON document declares in its "schema" member. */
export const ERASURE_REPORT_SCHEMA_ID = 'erasure-report/v1';

const text = (max: number) => z.string().min(1).max(max);
const instant = z.iso.datetime({ offset: true });

/**
 * erasure-report/v1: one storage device sanitized per NIST SP 800-88 Rev. 1. Mirrored by
 * erasure-report.v1.schema.json (z.toJSONSchema of this schema; a test keeps them equal). The
 * one rule JSON Schema cannot state, ended_at not before started_at, is the refinement below
 * and is spelled out in the sanitization description.
 */
export const erasureReportSchema = z
  .strictObject({
    schema: z.literal(ERASURE_REPORT_SCHEMA_ID),
    report_id: text(128).optional().meta({ description: "The station's own identifier for this report." }),
    device: z
      .strictObject({
        type: z.enum(['hdd', 'ssd', 'nvme', 'usb_flash', 'memory_card', 'mobile_device', 'tape', 'optical', 'other']),
        manufacturer: text(200),
        model: text(200),
        serial: text(200),
        capacity_bytes: z.int().nonnegative(),
      })
      .meta({ description: 'The sanitized storage device.' }),
    sanitization: z
      .strictObject({
        method: z.enum(['clear', 'purge', 'destroy']).meta({ description: 'NIST SP 800-88 Rev. 1 sanitization category.' }),
        technique: text(200).meta({ description: 'How the method was applied, e.g. "overwrite-1-pass", "ata-secure-erase", "crypto-erase", "shred".' }),
        verification: z.enum(['full', 'sample', 'none']).meta({ description: 'NIST SP 800-88 verification: every location, a representative sample, or none.' }),
        result: z.enum(['success', 'failure']),
        started_at: instant,
        ended_at: instant,
      })
      .superRefine((sanitization, context) => {
        if (Date.parse(sanitization.ended_at) < Date.parse(sanitization.started_at)) {
          context.addIssue({ code: 'custom', path: ['ended_at'], message: 'ended_at is before started_at' });
        }
      })
      .meta({ description: 'What was done to the device. ended_at must not be before started_at (RFC 3339 date-times with offset).' }),
    operator: z.strictObject({ name: text(200), id: text(128).optional() }).meta({ description: 'The person who ran the sanitization.' }),
    tool: z.strictObject({ name: text(200), version: text(64) }).meta({ description: 'The sanitization software.' }),
    site: z.strictObject({ name: text(200), id: text(128).optional() }).meta({ description: 'Where the sanitization took place.' }),
  })
  .meta({
    $id: 'urn:veridity:schema:erasure-report:v1',
    title: 'Erasure report v1',
    description: 'A storage device sanitization record (NIST SP 800-88 Rev. 1), signed by the station that performed it.',
  });

export type ErasureReport = z.infer<typeof erasureReportSchema>;
