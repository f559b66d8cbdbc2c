/*
 * `openssl cms -verify` without the process: the libcrypto calls apps/cms.c makes for
 *   openssl cms -verify -binary -inform DER -in X [-content C] -CAfile TRUST [-crl_check_all] -attime T -purpose any -out /dev/null
 * (X509_STORE from the CAfile, which holds the anchors and the CRLs; CMS_verify with CMS_BINARY,
 * output to a null BIO), repeated in one process, so bench/evidence.ts can report openssl's
 * verification cost apart from its process start-up.
 *
 * Usage: cms-verify-loop <trust.pem> <attime> <rounds> <crl|nocrl> <der> <content|-> [<crl|nocrl> <der> <content|-> ...]
 * Verifies every document `rounds` times (documents read into memory first, stores built once);
 * stops with exit 1 at the first failure. Prints: verified=<n> wall_ns=<n> cpu_ns=<n>
 * Built by the bench with `cc -O2 ... -lcrypto`.
 */
#include <openssl/bio.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/x509_vfy.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct {
  unsigned char *der;
  long der_len;
  unsigned char *content;
  long content_len;
  X509_STORE *store;
} document;

static unsigned char *read_file(const char *path, long *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  *len = ftell(f);
  fseek(f, 0, SEEK_SET);
  unsigned char *bytes = malloc(*len > 0 ? *len : 1);
  if (fread(bytes, 1, *len, f) != (size_t)*len) { fclose(f); free(bytes); return NULL; }
  fclose(f);
  return bytes;
}

/* As the CLI builds it: -CAfile loads certificates and CRLs; -purpose any; -attime; -crl_check_all. */
static X509_STORE *make_store(const char *trust, time_t at, int crl_check) {
  X509_STORE *store = X509_STORE_new();
  if (!store || X509_STORE_load_file(store, trust) != 1) return NULL;
  X509_VERIFY_PARAM *param = X509_VERIFY_PARAM_new();
  X509_VERIFY_PARAM_set_purpose(param, X509_PURPOSE_ANY);
  X509_VERIFY_PARAM_set_time(param, at);
  if (crl_check) X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL);
  X509_STORE_set1_param(store, param);
  X509_VERIFY_PARAM_free(param);
  return store;
}

static long long ns(clockid_t clock) {
  struct timespec t;
  clock_gettime(clock, &t);
  return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

int main(int argc, char **argv) {
  if (argc < 7 || (argc - 4) % 3 != 0) {
    fprintf(stderr, "usage: %s <trust.pem> <attime> <rounds> <crl|nocrl> <der> <content|-> ...\n", argv[0]);
    return 2;
  }
  time_t at = (time_t)atoll(argv[2]);
  long rounds = atol(argv[3]);
  int count = (argc - 4) / 3;
  X509_STORE *stores[2] = {make_store(argv[1], at, 0), make_store(argv[1], at, 1)};
  if (!stores[0] || !stores[1]) { fprintf(stderr, "cannot load %s\n", argv[1]); return 1; }
  document *documents = calloc(count, sizeof(document));
  for (int i = 0; i < count; i++) {
    char **arg = argv + 4 + 3 * i;
    documents[i].store = stores[strcmp(arg[0], "crl") == 0];
    documents[i].der = read_file(arg[1], &documents[i].der_len);
    if (strcmp(arg[2], "-") != 0) documents[i].content = read_file(arg[2], &documents[i].content_len);
    if (!documents[i].der || (strcmp(arg[2], "-") != 0 && !documents[i].content)) { fprintf(stderr, "cannot read %s\n", arg[1]); return 1; }
  }
  BIO *out = BIO_new(BIO_s_null());
  long long wall = ns(CLOCK_MONOTONIC), cpu = ns(CLOCK_PROCESS_CPUTIME_ID);
  long verified = 0;
  for (long round = 0; round < rounds; round++) {
    for (int i = 0; i < count; i++) {
      document *d = &documents[i];
      BIO *in = BIO_new_mem_buf(d->der, (int)d->der_len);
      CMS_ContentInfo *cms = d2i_CMS_bio(in, NULL);
      BIO *content = d->content ? BIO_new_mem_buf(d->content, (int)d->content_len) : NULL;
      int ok = cms && CMS_verify(cms, NULL, d->store, content, out, CMS_BINARY) == 1;
      CMS_ContentInfo_free(cms);
      BIO_free(content);
      BIO_free(in);
      if (!ok) {
        fprintf(stderr, "verification failure: %s\n", argv[4 + 3 * i + 1]);
        ERR_print_errors_fp(stderr);
        return 1;
      }
      verified++;
    }
  }
  printf("verified=%ld wall_ns=%lld cpu_ns=%lld\n", verified, ns(CLOCK_MONOTONIC) - wall, ns(CLOCK_PROCESS_CPUTIME_ID) - cpu);
  return 0;
}
