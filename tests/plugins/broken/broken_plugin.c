/* broken_plugin.c — deliberately broken plugins for the host's load and
 * evaluation tests. One source, one MODULE per BROKEN_* mode (CMakeLists.txt).
 *
 * Modes chosen at build time (each must be refused at load):
 *   BROKEN_WRONG_ABI     table says ABI version 999
 *   BROKEN_NO_ENTRY      exports no allot_plugin_init
 *   BROKEN_INIT_FAILS    allot_plugin_init returns an error with a message
 *   BROKEN_SMALL_TABLE   table struct_size 8
 *   BROKEN_NULL_TABLE    returns ALLOT_OK and no table
 *   BROKEN_MISSING_HOOK  on_evaluate is NULL
 * Not broken, but must load: BROKEN_NEWER_TABLE returns a table LARGER than
 * this host's (as a plugin built against a future, grown header would).
 * BROKEN_MISBEHAVES: loads fine; the policy config picks the misbehaviour:
 *   {"create": "fail" | "null_instance" | "segfault" | "wait",
 *    "entered": "/path/prefix", "release": "/path/file"}
 *                                          — on_create fails / returns
 *                                            nothing / crashes / writes
 *                                            the file <entered>.<pid>.<n>
 *                                            and waits (up to 60 s) until
 *                                            the file <release> exists
 *   {"emit": "valid" | "unknown_subscription" | "bad_index" | "empty_id" |
 *            "oversized_id" | "bad_utf8_reason" | "valid_then_error" |
 *            "error" | "error_no_message" | "serial_check" |
 *            "segfault" | "abort" | "loop" | "sleep" | "garbage_frame",
 *    "subscription": "...", "sleep_ms": N}  — what on_evaluate does
 * The crashing, looping and sleeping modes are only ever run in a plugin
 * host process (`allot plugin-host`): they would take a test process down.
 * "sleep" waits sleep_ms (default 10 s) and then grants as "valid" does;
 * "garbage_frame" writes bytes that are no protocol frame on the host's
 * socket (fd 3), as a plugin corrupting its host would.
 */
#define _POSIX_C_SOURCE 200809L
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "allot_plugin.h"

static const allot_host_api* host;

static void set_error(allot_error* err, const char* msg) {
  host->host_set_error(err, msg, (uint32_t)strlen(msg));
}

/* The instance remembers the "emit" mode and the subscription to name. */
struct allot_instance {
  char emit[32];
  char sub[80];
  double sleep_ms;
};

static void copy_member(const allot_config* config, const char* key, char* out,
                        size_t cap) {
  const char* data = NULL;
  uint32_t len = 0;
  out[0] = '\0';
  if (host->host_config_string(host->host_config_get(config, key, (uint32_t)strlen(key)),
                               &data, &len) == ALLOT_OK && len < cap) {
    memcpy(out, data, len);
    out[len] = '\0';
  }
}

static int g_inside; /* for serial_check: how many on_evaluate are running */

static int32_t on_create(allot_create_ctx* ctx, const allot_config* config,
                         allot_error* err, allot_instance** out) {
  char create[32];
  (void)ctx;
  copy_member(config, "create", create, sizeof create);
  if (strcmp(create, "fail") == 0) {
    set_error(err, "broken: create refused on purpose");
    return ALLOT_ERR;
  }
  if (strcmp(create, "null_instance") == 0) return ALLOT_OK;
  if (strcmp(create, "segfault") == 0) raise(SIGSEGV);
  if (strcmp(create, "wait") == 0) {
    static int entered_count;
    char entered[200], release[200], marker[260];
    struct timespec step = {0, 5000000};
    int i;
    FILE* f;
    copy_member(config, "entered", entered, sizeof entered);
    copy_member(config, "release", release, sizeof release);
    snprintf(marker, sizeof marker, "%s.%ld.%d", entered, (long)getpid(), ++entered_count);
    if ((f = fopen(marker, "w")) != NULL) fclose(f);
    for (i = 0; i < 12000 && access(release, F_OK) != 0; ++i) nanosleep(&step, NULL);
  }
  *out = calloc(1, sizeof **out);
  if (*out == NULL) return ALLOT_ERR;
  copy_member(config, "emit", (*out)->emit, sizeof (*out)->emit);
  copy_member(config, "subscription", (*out)->sub, sizeof (*out)->sub);
  (*out)->sleep_ms = 10000;
  host->host_config_number(host->host_config_get(config, "sleep_ms", 8), &(*out)->sleep_ms);
  return ALLOT_OK;
}

static int32_t emit(allot_grant_sink* sink, uint32_t user, const char* sub,
                    uint32_t sub_len, const char* reason) {
  return host->host_emit_grant(sink, user, sub, sub_len, reason, (uint32_t)strlen(reason));
}

#if defined(__GNUC__)
__attribute__((unused))
#endif
static int32_t on_evaluate(const allot_instance* inst, const allot_batch* batch,
                           allot_grant_sink* sink, allot_error* err) {
  const char* mode = inst->emit;
  uint32_t sub_len = (uint32_t)strlen(inst->sub);
  uint32_t n = host->host_batch_size(batch);
  static const char kLong[200] = {'x'};
  if (strcmp(mode, "serial_check") == 0) {
    int32_t rc = ALLOT_OK;
    volatile int spin;
    if (__atomic_add_fetch(&g_inside, 1, __ATOMIC_SEQ_CST) != 1) rc = ALLOT_ERR;
    for (spin = 0; spin < 100000; ++spin) {
    }
    __atomic_sub_fetch(&g_inside, 1, __ATOMIC_SEQ_CST);
    if (rc != ALLOT_OK) set_error(err, "broken: called concurrently");
    return rc;
  }
  if (strcmp(mode, "error") == 0) {
    set_error(err, "broken: evaluation failed on purpose");
    return ALLOT_ERR;
  }
  if (strcmp(mode, "error_no_message") == 0) return 7;
  if (strcmp(mode, "segfault") == 0) raise(SIGSEGV);
  if (strcmp(mode, "abort") == 0) abort();
  if (strcmp(mode, "loop") == 0) {
    volatile unsigned long spins = 0;
    for (;;) ++spins;
  }
  if (strcmp(mode, "garbage_frame") == 0) {
    static const char kGarbage[] = "\x05\x00\x00\x00\x08garbage that is no frame";
    if (write(3, kGarbage, sizeof kGarbage) < 0) return ALLOT_ERR;
    return ALLOT_OK;
  }
  if (strcmp(mode, "sleep") == 0) {
    struct timespec t;
    t.tv_sec = (time_t)(inst->sleep_ms / 1000);
    t.tv_nsec = (long)((inst->sleep_ms - (double)t.tv_sec * 1000) * 1e6);
    while (nanosleep(&t, &t) != 0) {
    }
    mode = "valid";
  }
  if (n == 0) return ALLOT_OK;
  if (strcmp(mode, "valid") == 0 || strcmp(mode, "valid_then_error") == 0) {
    emit(sink, 0, inst->sub, sub_len, "broken: valid");
    if (strcmp(mode, "valid") == 0) return ALLOT_OK;
    set_error(err, "broken: failed after a valid grant");
    return ALLOT_ERR;
  }
  /* The garbage modes ignore the host's refusal and carry on, as a careless
   * plugin would; the host must fail the batch anyway. */
  if (strcmp(mode, "unknown_subscription") == 0) emit(sink, 0, "no-such-sub", 11, "broken");
  if (strcmp(mode, "bad_index") == 0) emit(sink, n, inst->sub, sub_len, "broken");
  if (strcmp(mode, "empty_id") == 0) emit(sink, 0, "", 0, "broken");
  if (strcmp(mode, "oversized_id") == 0) emit(sink, 0, kLong, sizeof kLong, "broken");
  if (strcmp(mode, "bad_utf8_reason") == 0) emit(sink, 0, inst->sub, sub_len, "broken \xff\xfe");
  emit(sink, 0, inst->sub, sub_len, "broken: valid after garbage");
  return ALLOT_OK;
}

static void on_destroy(allot_instance* inst) { free(inst); }

#if defined(BROKEN_WRONG_ABI)
#define TABLE_SIZE sizeof(allot_plugin_api)
#define TABLE_VERSION 999u
#elif defined(BROKEN_SMALL_TABLE)
#define TABLE_SIZE 8u
#define TABLE_VERSION ALLOT_PLUGIN_ABI_VERSION
#else
#define TABLE_SIZE sizeof(allot_plugin_api)
#define TABLE_VERSION ALLOT_PLUGIN_ABI_VERSION
#endif

#if defined(BROKEN_NEWER_TABLE)
/* A future header's table: version 1's fields, then appended ones. */
static const struct {
  allot_plugin_api v1;
  void (*on_future_hook)(void);
} kNewer = {{sizeof kNewer, ALLOT_PLUGIN_ABI_VERSION, 0, 0, on_create, on_evaluate,
             on_destroy},
            NULL};
#define kApi kNewer.v1
#else
static const allot_plugin_api kApi = {
    TABLE_SIZE, TABLE_VERSION, 0 /* not concurrent: the host serialises */, 0,
    on_create,
#if defined(BROKEN_MISSING_HOOK)
    NULL,
#else
    on_evaluate,
#endif
    on_destroy};
#endif

#if defined(BROKEN_NO_ENTRY)
#define ENTRY_NAME allot_plugin_start /* a typo'd entry point */
#else
#define ENTRY_NAME allot_plugin_init
#endif

ALLOT_PLUGIN_EXPORT int32_t ENTRY_NAME(const allot_host_api* h, allot_error* err,
                                       const allot_plugin_api** out) {
  if (h == NULL || h->abi_version != ALLOT_PLUGIN_ABI_VERSION ||
      h->struct_size < ALLOT_HOST_API_V1_SIZE) {
    return ALLOT_ERR;
  }
  host = h;
#if defined(BROKEN_INIT_FAILS)
  (void)kApi;
  (void)out;
  set_error(err, "broken: this plugin refuses to start");
  return ALLOT_ERR;
#elif defined(BROKEN_NULL_TABLE)
  (void)err;
  (void)kApi;
  (void)out;
  return ALLOT_OK;
#else
  (void)err;
  *out = &kApi;
  return ALLOT_OK;
#endif
}
