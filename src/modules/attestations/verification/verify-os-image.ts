import type { Result, TdxMeasurements } from './types.ts';

/** Boot measurements of a dstack OS image for a VM shape, e.g. computed offline with dstack-mr. */
export type ReferenceMeasurements = { mr_td: string; rt_mr0: string; rt_mr1: string; rt_mr2: string };

export type OsImageFailureCode = 'OS_IMAGE_UNKNOWN' | 'OS_IMAGE_MISMATCH' | 'OS_MEASUREMENT_MISMATCH';

const REGISTERS = ['mr_td', 'rt_mr0', 'rt_mr1', 'rt_mr2'] as const;

/**
 * os check: the TD booted the OS image it claims. The quote's MRTD and RTMR0..2 must equal the
 * reference measurements the relying party holds for that image hash (dstack's verifier computes
 * them by downloading the image; offline they must be supplied). With an expected image hash, the
 * image must also be that one.
 */
export function verifyOsImage(
  input: { osImageHash: string | null; td: TdxMeasurements },
  options: { references: Readonly<Record<string, ReferenceMeasurements>>; expectedOsImageHash?: string },
): Result<{ os_image_hash: string }, OsImageFailureCode> {
  const { osImageHash, td } = input;
  if (osImageHash === null) {
    return { ok: false, code: 'OS_IMAGE_UNKNOWN', message: 'no os image hash: neither an RTMR3 os-image-hash event nor vm_config.os_image_hash' };
  }
  const expected = options.expectedOsImageHash?.toLowerCase().replace(/^0x/, '');
  if (expected !== undefined && expected !== osImageHash) {
    return { ok: false, code: 'OS_IMAGE_MISMATCH', message: `os image ${osImageHash} is not the expected ${expected}` };
  }
  const reference = Object.entries(options.references).find(([hash]) => hash.toLowerCase().replace(/^0x/, '') === osImageHash)?.[1];
  if (!reference) {
    return { ok: false, code: 'OS_IMAGE_UNKNOWN', message: `no reference measurements for os image ${osImageHash}` };
  }
  const differing = REGISTERS.filter((register) => reference[register].toLowerCase() !== td[register]);
  if (differing.length > 0) {
    return {
      ok: false,
      code: 'OS_MEASUREMENT_MISMATCH',
      message: `boot measurements differ from os image ${osImageHash}'s reference: ${differing
        .map((register) => `${register} is ${td[register]}, reference ${reference[register].toLowerCase()}`)
        .join('; ')}`,
    };
  }
  return { ok: true, value: { os_image_hash: osImageHash } };
}
