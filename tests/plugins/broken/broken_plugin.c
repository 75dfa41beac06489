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
 *   {"create": "fail" | "null_instance"}  — on_create fails / returns nothing
 *   {"emit": "valid" | "unknown_subscription" | "bad_index" | "empty_id" |
 *            "oversized_id" | "bad_utf8_reason" | "valid_then_error" |
 *            "error" | "error_no_message" | "serial_check",
 *    "subscription": "..."}                — what on_evaluate does
 * Not tested, by design: a plugin that crashes takes the process down.
 */
#include <string.h>

#include "allot_plugin.h"

static const allot_host_api* host;

static void set_error(allot_error* err, const char* msg) {
  host->host_set_error(err, msg, (uint32_t)strlen(msg));
}

/* The instance remembers the "emit" mode and the subscription to name. */
struct allot_instance {
  char emit[32];
  char sub[80];
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

static struct allot_instance g_instances[8]; /* no malloc needed for tests */
static int g_used;
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
  if (g_used == 8) return ALLOT_ERR;
  *out = &g_instances[g_used++];
  copy_member(config, "emit", (*out)->emit, sizeof (*out)->emit);
  copy_member(config, "subscription", (*out)->sub, sizeof (*out)->sub);
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

static void on_destroy(allot_instance* inst) { (void)inst; }

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
