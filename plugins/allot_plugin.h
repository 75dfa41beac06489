/* allot_plugin.h — the policy plugin ABI of allot. The ONE public header.
 *
 * A policy plugin is a shared object (`<plugins dir>/<name>.so`) that decides
 * which users get which subscriptions. The host (the allot server) loads it
 * with dlopen(RTLD_NOW | RTLD_LOCAL), calls its single exported entry point
 * `allot_plugin_init`, and from then on talks to it only through two tables of
 * function pointers:
 *
 *   allot_host_api    callbacks the HOST provides (prefix `host_`): read the
 *                     policy config, read user facts, emit grants and errors,
 *                     log. Owned by the host, const, valid while the plugin
 *                     is loaded.
 *   allot_plugin_api  hooks the PLUGIN implements (prefix `on_`): create an
 *                     instance from a policy's config, evaluate a batch of
 *                     users, destroy the instance. Owned by the plugin
 *                     (usually a static const table), valid until dlclose.
 *
 * Rules of the line (pure C99; compiles as C and C++):
 *   - Fixed-width integers; strings are pointer + uint32_t length, never
 *     assumed NUL-terminated; all handles are opaque.
 *   - Every struct that crosses starts with `uint32_t struct_size;
 *     uint32_t abi_version;`, checked before anything else is touched.
 *     `abi_version` changes only on an incompatible break; compatible growth
 *     APPENDS fields at the end of a table and is detected by `struct_size`
 *     (see ALLOT_HAS_FIELD). A field is never removed or reordered.
 *   - Whoever allocates frees. Strings the host hands out are BORROWED and
 *     valid only for the duration stated on each callback. The plugin never
 *     hands memory back: results go into host-owned sinks through host
 *     callbacks, which copy what they are given.
 *   - No exceptions, RTTI or STL across the line. A plugin written in C++ must
 *     catch everything in each hook. A plugin that crashes (segfault, abort)
 *     takes the whole server down: the ABI cannot protect against that.
 *
 * Threading: the host may call `on_evaluate` for ONE instance from several
 * threads at once only if the plugin sets ALLOT_PLUGIN_FLAG_CONCURRENT in its
 * table (its instance must then be read-only after `on_create`); otherwise the
 * host serialises calls per instance. `on_create` and `on_destroy` are never
 * concurrent with anything else on the same instance.
 */
#ifndef ALLOT_PLUGIN_H_
#define ALLOT_PLUGIN_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Bumped only on an incompatible change; the host refuses any other value. */
#define ALLOT_PLUGIN_ABI_VERSION 1u

/* The one exported symbol (see allot_plugin_init_fn). */
#define ALLOT_PLUGIN_ENTRY_SYMBOL "allot_plugin_init"

/* Plugins are built with -fvisibility=hidden; this exports the entry only. */
#if defined(__GNUC__)
#define ALLOT_PLUGIN_VISIBLE __attribute__((visibility("default")))
#else
#define ALLOT_PLUGIN_VISIBLE
#endif
#ifdef __cplusplus
#define ALLOT_PLUGIN_EXPORT extern "C" ALLOT_PLUGIN_VISIBLE
#else
#define ALLOT_PLUGIN_EXPORT ALLOT_PLUGIN_VISIBLE
#endif

/* True when the table `p` (of type `type`) is large enough to hold `field`:
 * use it before touching any field appended after ABI version 1. */
#define ALLOT_HAS_FIELD(p, type, field)                  \
  ((p)->struct_size >= offsetof(type, field) + sizeof(((type*)0)->field))

/* Status codes returned by hooks and callbacks. */
#define ALLOT_OK 0
#define ALLOT_ERR 1           /* generic failure; details went to an error sink */
#define ALLOT_ERR_INVALID 2   /* bad argument (index out of range, bad handle) */
#define ALLOT_ERR_TYPE 3      /* config node is not of the requested type */

/* Config node types (host_config_type). */
#define ALLOT_CFG_ABSENT 0 /* NULL node: key not present, index out of range */
#define ALLOT_CFG_NULL 1
#define ALLOT_CFG_BOOL 2
#define ALLOT_CFG_NUMBER 3
#define ALLOT_CFG_STRING 4
#define ALLOT_CFG_ARRAY 5
#define ALLOT_CFG_OBJECT 6

/* Group fields (host_user_group). */
#define ALLOT_GROUP_ID 0
#define ALLOT_GROUP_DISPLAY_NAME 1
#define ALLOT_GROUP_EXTERNAL_ID 2

/* Log levels (host_log). */
#define ALLOT_LOG_DEBUG 0
#define ALLOT_LOG_INFO 1
#define ALLOT_LOG_WARN 2
#define ALLOT_LOG_ERROR 3

/* allot_plugin_api.flags */
#define ALLOT_PLUGIN_FLAG_CONCURRENT 1u /* on_evaluate is reentrant per instance */

/* Opaque handles. Host-owned unless said otherwise. */
typedef struct allot_error allot_error;           /* sink for one error message */
typedef struct allot_config allot_config;         /* read-only node of the policy's "config" JSON */
typedef struct allot_create_ctx allot_create_ctx; /* what on_create may use besides the config */
typedef struct allot_attr_path allot_attr_path;   /* a pre-resolved SCIM attribute path */
typedef struct allot_batch allot_batch;           /* the users (and tenant) of one evaluation */
typedef struct allot_grant_sink allot_grant_sink; /* where on_evaluate emits grants */
typedef struct allot_instance allot_instance;     /* PLUGIN-owned: one configured policy */

/* Called by host_user_attr_visit once per value; `data` is borrowed for the
 * duration of the call only. Return 0 to continue, non-zero to stop. */
typedef int32_t (*allot_value_visitor)(void* user_data, const char* data,
                                       uint32_t len);

/* Host callbacks. The table is const and outlives every call into the plugin. */
typedef struct allot_host_api {
  uint32_t struct_size; /* sizeof(allot_host_api) as the host was built */
  uint32_t abi_version; /* ALLOT_PLUGIN_ABI_VERSION of the host */

  /* Logs one message (copied). Safe from any hook, any thread. */
  void (*host_log)(int32_t level, const char* msg, uint32_t msg_len);

  /* Records the message (copied) as the failure reason of the current
   * init/create/evaluate call. The last call wins. */
  void (*host_set_error)(allot_error* err, const char* msg, uint32_t msg_len);

  /* ---- the policy's config, a read-only JSON view, valid during on_create
   * only (copy what you keep). A NULL node is accepted everywhere and reads
   * as ALLOT_CFG_ABSENT. */
  int32_t (*host_config_type)(const allot_config* node);
  /* Member `key` of an object; NULL if absent or `node` is not an object. */
  const allot_config* (*host_config_get)(const allot_config* node,
                                         const char* key, uint32_t key_len);
  /* Number of elements (array) or members (object); 0 for anything else. */
  uint32_t (*host_config_size)(const allot_config* node);
  /* Element `i` of an array, or member `i` of an object (then its key is
   * stored in *key and *key_len when key is not NULL). NULL when out of range. */
  const allot_config* (*host_config_at)(const allot_config* node, uint32_t i,
                                        const char** key, uint32_t* key_len);
  /* Scalar reads: ALLOT_OK, or ALLOT_ERR_TYPE if the node is not that type. */
  int32_t (*host_config_string)(const allot_config* node, const char** data,
                                uint32_t* len);
  int32_t (*host_config_bool)(const allot_config* node, int32_t* out);
  int32_t (*host_config_number)(const allot_config* node, double* out);

  /* ---- attribute paths, resolved once in on_create. `path` is a SCIM
   * attribute path, core (`userType`, `name.givenName`, `emails.value`) or
   * URN-qualified
   * (`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department`).
   * Returns NULL (and sets `err`) when the path is malformed. The handle is owned by the
   * host and stays valid until the instance created by this on_create call
   * is destroyed. */
  const allot_attr_path* (*host_attr_path_resolve)(allot_create_ctx* ctx,
                                                   const char* path,
                                                   uint32_t path_len,
                                                   allot_error* err);

  /* ---- the batch, valid during on_evaluate only. Strings are borrowed
   * until on_evaluate returns. User indexes are 0 .. host_batch_size()-1. */
  uint32_t (*host_batch_size)(const allot_batch* batch);
  int32_t (*host_batch_tenant)(const allot_batch* batch, const char** data,
                               uint32_t* len);
  /* The tenant's subscription ids, the only ones a grant may name. */
  uint32_t (*host_subscription_count)(const allot_batch* batch);
  int32_t (*host_subscription_at)(const allot_batch* batch, uint32_t k,
                                  const char** data, uint32_t* len);
  /* SCIM id of user `i`. */
  int32_t (*host_user_id)(const allot_batch* batch, uint32_t i,
                          const char** data, uint32_t* len);
  /* 1 active, 0 inactive, negative when `i` is out of range. */
  int32_t (*host_user_active)(const allot_batch* batch, uint32_t i);
  uint32_t (*host_user_group_count)(const allot_batch* batch, uint32_t i);
  /* One field (ALLOT_GROUP_*) of group `g` of user `i`; empty if unset. */
  int32_t (*host_user_group)(const allot_batch* batch, uint32_t i, uint32_t g,
                             uint32_t field, const char** data, uint32_t* len);
  /* Calls `visit` for every scalar value at `path` in user `i` (several for a
   * multi-valued attribute such as `emails.value`; booleans as "true" /
   * "false", numbers in JSON form). Returns how many values were visited, or
   * a negative ALLOT_ERR_* on a bad index or handle. */
  int32_t (*host_user_attr_visit)(const allot_batch* batch, uint32_t i,
                                  const allot_attr_path* path,
                                  allot_value_visitor visit, void* user_data);

  /* Grants user `user_index` the subscription `sub` for `reason` (both
   * copied; UTF-8). ALLOT_OK, or ALLOT_ERR_INVALID when the host rejects it
   * (unknown subscription, index out of range, empty or oversized id, bad
   * UTF-8): then the whole batch FAILS for this policy, and the plugin may
   * stop early. Granting the same subscription twice to one user is a no-op. */
  int32_t (*host_emit_grant)(allot_grant_sink* sink, uint32_t user_index,
                             const char* sub, uint32_t sub_len,
                             const char* reason, uint32_t reason_len);
} allot_host_api;

/* Plugin hooks. Returned by allot_plugin_init; must stay valid until dlclose
 * (a static const table is the natural choice). */
typedef struct allot_plugin_api {
  uint32_t struct_size; /* sizeof(allot_plugin_api) as the plugin was built */
  uint32_t abi_version; /* ALLOT_PLUGIN_ABI_VERSION of the plugin */
  uint32_t flags;       /* ALLOT_PLUGIN_FLAG_* */
  uint32_t reserved;    /* 0 */

  /* Builds an instance from `config` (the policy's "config" object). On
   * success stores a plugin-owned handle in *out and returns ALLOT_OK; else
   * sets `err` (e.g. "rules[0]: missing \"subscription\"") and returns
   * non-zero. */
  int32_t (*on_create)(allot_create_ctx* ctx, const allot_config* config,
                       allot_error* err, allot_instance** out);

  /* Evaluates every user of `batch`, calling host_emit_grant for each grant.
   * Returns ALLOT_OK, or non-zero after setting `err`: the host then discards
   * this batch's grants for the policy (and keeps the previous ones). */
  int32_t (*on_evaluate)(const allot_instance* instance,
                         const allot_batch* batch, allot_grant_sink* sink,
                         allot_error* err);

  /* Frees the instance. Never called concurrently with on_evaluate. */
  void (*on_destroy)(allot_instance* instance);
} allot_plugin_api;

/* Size of the version-1 tables: the minimum the host and a plugin accept. */
#define ALLOT_HOST_API_V1_SIZE \
  (offsetof(allot_host_api, host_emit_grant) + sizeof(void (*)(void)))
#define ALLOT_PLUGIN_API_V1_SIZE \
  (offsetof(allot_plugin_api, on_destroy) + sizeof(void (*)(void)))

/* The entry point every plugin exports as ALLOT_PLUGIN_ENTRY_SYMBOL:
 *
 *   ALLOT_PLUGIN_EXPORT int32_t allot_plugin_init(const allot_host_api* host,
 *       allot_error* err, const allot_plugin_api** out);
 *
 * First check host->abi_version == ALLOT_PLUGIN_ABI_VERSION and
 * host->struct_size >= ALLOT_HOST_API_V1_SIZE (refuse otherwise: set `err`
 * only if the checks passed far enough to use host_set_error, and return
 * ALLOT_ERR). Keep `host`; store the plugin's table in *out; return ALLOT_OK.
 * Called once per load of the policy set (again on reload): keep it
 * idempotent and cheap. */
typedef int32_t (*allot_plugin_init_fn)(const allot_host_api* host,
                                        allot_error* err,
                                        const allot_plugin_api** out);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* ALLOT_PLUGIN_H_ */
