/* minimal_plugin.c — the smallest useful allot policy plugin, in plain C.
 *
 * Grants every ACTIVE user the one subscription named in its config:
 *   {"name": "everyone", "plugin": "minimal_plugin", "priority": 1,
 *    "config": {"subscription": "basic-2026"}}
 *
 * Build: cc -std=c99 -shared -fPIC -fvisibility=hidden -I<allot>/plugins \
 *           -o minimal_plugin.so minimal_plugin.c
 */
#include <stdlib.h>
#include <string.h>

#include "allot_plugin.h"

static const allot_host_api* host; /* host-owned; valid while we are loaded */

/* Our instance: a private copy of the subscription id (the config view is
 * only valid during on_create). */
struct allot_instance {
  char* subscription;
  uint32_t len;
};

static void set_error(allot_error* err, const char* msg) {
  host->host_set_error(err, msg, (uint32_t)strlen(msg));
}

static int32_t on_create(allot_create_ctx* ctx, const allot_config* config,
                         allot_error* err, allot_instance** out) {
  const char* sub;
  uint32_t len;
  allot_instance* inst;
  (void)ctx; /* only needed to resolve attribute paths */
  if (host->host_config_string(host->host_config_get(config, "subscription", 12),
                               &sub, &len) != ALLOT_OK || len == 0) {
    set_error(err, "config needs \"subscription\": a non-empty string");
    return ALLOT_ERR;
  }
  inst = (allot_instance*)malloc(sizeof *inst);
  if (inst == NULL || (inst->subscription = (char*)malloc(len)) == NULL) {
    free(inst);
    set_error(err, "out of memory");
    return ALLOT_ERR;
  }
  memcpy(inst->subscription, sub, len);
  inst->len = len;
  *out = inst;
  return ALLOT_OK;
}

static int32_t on_evaluate(const allot_instance* inst, const allot_batch* batch,
                           allot_grant_sink* sink, allot_error* err) {
  static const char kReason[] = "minimal_plugin: user is active";
  uint32_t n = host->host_batch_size(batch);
  uint32_t i;
  for (i = 0; i < n; ++i) {
    if (host->host_user_active(batch, i) != 1) continue;
    if (host->host_emit_grant(sink, i, inst->subscription, inst->len, kReason,
                              (uint32_t)(sizeof kReason - 1)) != ALLOT_OK) {
      set_error(err, "the host refused a grant (unknown subscription?)");
      return ALLOT_ERR;
    }
  }
  return ALLOT_OK;
}

static void on_destroy(allot_instance* inst) {
  free(inst->subscription);
  free(inst);
}

static const allot_plugin_api kApi = {
    sizeof(allot_plugin_api), ALLOT_PLUGIN_ABI_VERSION,
    ALLOT_PLUGIN_FLAG_CONCURRENT, /* the instance is read-only after create */
    0, on_create, on_evaluate, on_destroy};

ALLOT_PLUGIN_EXPORT int32_t allot_plugin_init(const allot_host_api* h,
                                              allot_error* err,
                                              const allot_plugin_api** out) {
  /* The handshake: nothing in `h` is used before these checks. */
  if (h == NULL || h->abi_version != ALLOT_PLUGIN_ABI_VERSION ||
      h->struct_size < ALLOT_HOST_API_V1_SIZE) {
    return ALLOT_ERR;
  }
  (void)err;
  host = h;
  *out = &kApi;
  return ALLOT_OK;
}
