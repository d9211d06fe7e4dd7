/*
 * Barcache's one native function: ask Linux to back a buffer with transparent huge pages.
 *
 * A warm load writes its decoded columns into fresh memory, and on a VM every first write to a
 * 4 KiB page is a fault of ~10 µs: as much time as reading the same bytes from a file. Where
 * /sys/kernel/mm/transparent_hugepage/enabled says "madvise", the kernel gives 2 MiB pages (one
 * fault for 512 small ones) only to memory that asked with madvise(MADV_HUGEPAGE), and Node has
 * no binding for it. This is that binding, and nothing else: no C library beyond libc, no state.
 *
 * adviseHugePages(view: ArrayBufferView | ArrayBuffer) -> number
 *   0 when the page-aligned interior of the view's memory was advised (or the view holds no whole
 *   page), else the errno madvise returned (EINVAL: a kernel without THP). Never throws for a
 *   buffer; a non-buffer argument is a TypeError.
 * populate(view) -> Promise<number>
 *   Faults the same pages in, writable and zeroed, on a libuv thread (madvise MADV_POPULATE_WRITE,
 *   Linux 5.14+), so that the thread which then writes them takes no faults: resolves with 0, or
 *   the errno (EINVAL on an older kernel: nothing was done). The view is kept alive until then.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>
#include <node_api.h>

static napi_value throw_type_error(napi_env env, const char *message) {
  napi_throw_type_error(env, NULL, message);
  return NULL;
}

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

/* The page-aligned interior [start, end) of a buffer or typed array; false (a TypeError thrown) for anything else. */
static bool page_range(napi_env env, napi_value value, uintptr_t *start, uintptr_t *end) {
  void *data = NULL;
  size_t length = 0;
  bool is_buffer = false;
  napi_is_arraybuffer(env, value, &is_buffer);
  if (is_buffer) {
    napi_get_arraybuffer_info(env, value, &data, &length);
  } else {
    bool is_view = false;
    napi_is_typedarray(env, value, &is_view);
    if (is_view) {
      napi_typedarray_type type;
      size_t elements, offset;
      napi_value backing;
      napi_get_typedarray_info(env, value, &type, &elements, &data, &backing, &offset);
      /* A typed array's byte length: elements × the element size of its type. */
      size_t size = 1;
      switch (type) {
        case napi_int16_array: case napi_uint16_array: size = 2; break;
        case napi_int32_array: case napi_uint32_array: case napi_float32_array: size = 4; break;
        case napi_float64_array: case napi_bigint64_array: case napi_biguint64_array: size = 8; break;
        default: size = 1;
      }
      length = elements * size;
    } else {
      /* SharedArrayBuffer is neither under Node-API 8: take it through a Uint8Array view. */
      throw_type_error(env, "expected an ArrayBuffer or a typed array");
      return false;
    }
  }
  long page = sysconf(_SC_PAGESIZE);
  if (page <= 0) page = 4096;
  *start = ((uintptr_t)data + (uintptr_t)page - 1) & ~((uintptr_t)page - 1);
  *end = ((uintptr_t)data + length) & ~((uintptr_t)page - 1);
  if (data == NULL || *end < *start) *end = *start;
  return true;
}

/* The call's one argument (kept in *view) and its page range; false with a TypeError thrown. */
static bool view_argument(napi_env env, napi_callback_info info, napi_value *view, uintptr_t *start, uintptr_t *end) {
  size_t argc = 1;
  if (napi_get_cb_info(env, info, &argc, view, NULL, NULL) != napi_ok || argc < 1) {
    throw_type_error(env, "a buffer is required");
    return false;
  }
  return page_range(env, *view, start, end);
}

static napi_value advise_huge_pages(napi_env env, napi_callback_info info) {
  napi_value view;
  uintptr_t start, end;
  if (!view_argument(env, info, &view, &start, &end)) return NULL;
  int result = 0;
  if (end > start && madvise((void *)start, end - start, MADV_HUGEPAGE) != 0) result = errno;
  napi_value out;
  napi_create_int32(env, result, &out);
  return out;
}

typedef struct {
  uintptr_t start, end;
  int result;
  napi_ref view;
  napi_deferred deferred;
  napi_async_work work;
} populate_job;

static void populate_execute(napi_env env, void *data) {
  populate_job *job = data;
  job->result = 0;
  if (job->end > job->start && madvise((void *)job->start, job->end - job->start, MADV_POPULATE_WRITE) != 0) job->result = errno;
}

static void populate_complete(napi_env env, napi_status status, void *data) {
  populate_job *job = data;
  napi_value result;
  napi_create_int32(env, status == napi_ok ? job->result : ECANCELED, &result);
  napi_resolve_deferred(env, job->deferred, result);
  napi_delete_reference(env, job->view);
  napi_delete_async_work(env, job->work);
  free(job);
}

static napi_value populate(napi_env env, napi_callback_info info) {
  napi_value view;
  uintptr_t start, end;
  if (!view_argument(env, info, &view, &start, &end)) return NULL;
  populate_job *job = calloc(1, sizeof *job);
  if (job == NULL) return throw_type_error(env, "populate(view): out of memory");
  job->start = start;
  job->end = end;
  napi_value promise, name;
  napi_create_promise(env, &job->deferred, &promise);
  napi_create_reference(env, view, 1, &job->view);
  napi_create_string_utf8(env, "barcache.populate", NAPI_AUTO_LENGTH, &name);
  napi_create_async_work(env, NULL, name, populate_execute, populate_complete, job, &job->work);
  napi_queue_async_work(env, job->work);
  return promise;
}

NAPI_MODULE_INIT() {
  napi_value fn;
  napi_create_function(env, "adviseHugePages", NAPI_AUTO_LENGTH, advise_huge_pages, NULL, &fn);
  napi_set_named_property(env, exports, "adviseHugePages", fn);
  napi_create_function(env, "populate", NAPI_AUTO_LENGTH, populate, NULL, &fn);
  napi_set_named_property(env, exports, "populate", fn);
  return exports;
}
