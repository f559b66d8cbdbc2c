/**
 * Realistic ids and times for the OpenAPI examples, shared so one example's proof id is the
 * next one's subject: they are of the real formats (they pass the routes' own checks).
 */
export const EXAMPLE = {
  clientId: 'cli_01m8r4pv8cf77s9qpsxgdkd8jj',
  proofId: 'prf_01m8r4pv8cfw4r37m3efwky7vk',
  taskId: 'tsk_01m8r4pv8cf07rvnvnv1jpykmf',
  deliveryId: 'whk_01m8r4pv8cfqq9qfz5y07zh9r8',
  requestId: 'req_01m8r4pv8dfxt8r030vsnp3dv2',
  issuerId: 'iss_01m8r4pv8dep7vhhfkvvp2pe14',
  circuitId: 'cir_01m8r4pv8df2z8c2beg736t39p',
  proofRequestId: 'prq_01m8r4pv8deymrb8zkhgvabxnj',
  evidenceId: 'evd_01m8r4pv8dfh3w6c9kfqz0ts7m',
  trustAnchorId: 'tra_01m8r4pv8dfm1bq5r8n2xyk4c9',
  time: '2026-03-14T09:26:53.000Z',
  later: '2026-03-14T09:26:54.120Z',
  apiKey: 'vk_3Yq9T0b7m2kXfW1sLr8dNp4cVh6gJe5a',
  webhookSecret: 'whsec_MfKQ9r8GKYqXlZl7Kq1d2Qm4Rk3n0bXh1uVt8sZyWc0=',
} as const;
