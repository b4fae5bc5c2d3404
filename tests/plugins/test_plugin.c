/* A policy plugin in plain C, for the host tests: it proves the SDK header is C, and its
 * behaviour is chosen by the request's subject so one library can allow, deny and pend, and
 * (for isolated mode only) crash, abort, hang, eat memory or scribble on the host's socket. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pkilab_plugin.h"

typedef struct {
    char marker[64];  /* config key "marker": the word in the subject that makes it deny */
    char events[512]; /* config key "events": a file that on_event appends a line to */
} state;

static int contains(pkilab_str hay, const char* needle) {
    size_t n = strlen(needle), i;
    if (n == 0 || hay.len < n) return 0;
    for (i = 0; i + n <= hay.len; ++i)
        if (memcmp(hay.ptr + i, needle, n) == 0) return 1;
    return 0;
}

static int create(const pkilab_config* config, const pkilab_sink* errors, void** instance) {
    state* st = (state*)calloc(1, sizeof(state));
    size_t i;
    if (st == NULL) return 1;
    strcpy(st->marker, "deny");
    for (i = 0; i < config->entry_count; ++i) {
        const pkilab_config_entry* e = &config->entries[i];
        if (e->key.len == 6 && memcmp(e->key.ptr, "marker", 6) == 0 && e->value.len < sizeof st->marker) {
            memcpy(st->marker, e->value.ptr, e->value.len);
            st->marker[e->value.len] = '\0';
        } else if (e->key.len == 6 && memcmp(e->key.ptr, "events", 6) == 0 && e->value.len < sizeof st->events) {
            memcpy(st->events, e->value.ptr, e->value.len);
            st->events[e->value.len] = '\0';
        } else {
            errors->add_finding(errors->host, PKILAB_SEVERITY_ERROR, pkilab_cstr("config.unknown"), e->key, pkilab_cstr("unknown setting"), pkilab_cstr(""));
            free(st);
            return 1;
        }
    }
    *instance = st;
    return 0;
}

static void destroy(void* instance) { free(instance); }

/* The faults an isolated plugin must not be able to turn into a CA outage. */
static void misbehave(pkilab_str subject, const pkilab_sink* out) {
    if (contains(subject, "segfault")) { /* not NULL, which UBSan would catch first in a sanitizer build */
        volatile uintptr_t nowhere = 16;
        *(volatile int*)nowhere = 1;
    }
    if (contains(subject, "abort")) abort();
    if (contains(subject, "hang"))
        for (;;) pause();
    if (contains(subject, "spin")) {
        volatile unsigned long n = 0;
        for (;;) ++n;
    }
    if (contains(subject, "hog")) { /* keeps every block, as a leak in a loop would */
        for (;;) {
            char* block = (char*)malloc(1u << 20);
            size_t page;
            if (block == NULL) abort(); /* out of memory at the helper's cap, as xmalloc() would */
            for (page = 0; page < (1u << 20); page += 4096) block[page] = 1;
        }
    }
    if (contains(subject, "quit")) _exit(7);
    if (contains(subject, "scribble")) { /* a frame that is not a message */
        static const unsigned char junk[] = {0, 0, 0, 5, 'h', 'e', 'l', 'l', 'o'};
        if (write(3, junk, sizeof junk) < 0) abort();
    }
    if (contains(subject, "bigframe")) { /* a frame that claims 4 GiB */
        static const unsigned char junk[] = {0xff, 0xff, 0xff, 0xff};
        if (write(3, junk, sizeof junk) < 0) abort();
    }
    if (contains(subject, "flood")) { /* far more findings than the host keeps, each far too long */
        static char text[100000];
        pkilab_str big;
        int i;
        memset(text, 'x', sizeof text);
        big.ptr = text;
        big.len = sizeof text;
        for (i = 0; i < 100000; ++i) out->add_finding(out->host, PKILAB_SEVERITY_WARNING, big, big, big, big);
    }
}

static uint32_t evaluate(void* instance, const pkilab_request* r, const pkilab_sink* out) {
    const state* st = (const state*)instance;
    pkilab_str subject = r->cert != NULL ? r->cert->subject : (r->csr != NULL ? r->csr->subject : pkilab_cstr(""));
    misbehave(subject, out);
    if (contains(subject, st->marker)) {
        out->add_finding(out->host, PKILAB_SEVERITY_ERROR, pkilab_cstr("test.subject.denied"), pkilab_cstr("subject"),
                         pkilab_cstr("the subject holds the word this plugin refuses"), pkilab_cstr("choose another subject"));
        return PKILAB_VERDICT_DENY;
    }
    if (contains(subject, "pend")) return PKILAB_VERDICT_PEND;
    if (contains(subject, "silent")) return PKILAB_VERDICT_DENY; /* a deny without a reason */
    if (contains(subject, "garbage")) return 42u;
    if (contains(subject, "oddseverity")) {
        out->add_finding(out->host, 9u, pkilab_cstr("test.odd"), pkilab_cstr(""), pkilab_cstr("a finding of no known severity"), pkilab_cstr(""));
        return PKILAB_VERDICT_ALLOW;
    }
    if (contains(subject, "error")) return PKILAB_VERDICT_ERROR;
    if (r->cert != NULL && r->cert->san_count > 0)
        out->add_finding(out->host, PKILAB_SEVERITY_INFO, pkilab_cstr("test.seen"), pkilab_cstr("san[0]"), r->cert->sans[0].value, pkilab_cstr(""));
    return PKILAB_VERDICT_ALLOW;
}

static void on_event(void* instance, const pkilab_event* e) {
    const state* st = (const state*)instance;
    FILE* f;
    if (st->events[0] == '\0') return;
    f = fopen(st->events, "a");
    if (f == NULL) return;
    fprintf(f, "%u %s %lld %.*s\n", e->type, st->marker, (long long)e->request_id, (int)e->serial.len,
            e->serial.ptr != NULL ? e->serial.ptr : "");
    fclose(f);
}

#ifndef TEST_ABI_MAJOR
#define TEST_ABI_MAJOR PKILAB_PLUGIN_ABI_MAJOR
#endif

static const pkilab_plugin table = {sizeof(pkilab_plugin), TEST_ABI_MAJOR, PKILAB_PLUGIN_ABI_MINOR, "test-plugin", "0.1",
                                    "host tests", PKILAB_PLUGIN_THREAD_SAFE, create, destroy, evaluate, on_event};

#ifndef TEST_NO_ENTRY
PKILAB_PLUGIN_EXPORT const pkilab_plugin* pkilab_plugin_entry(uint32_t host_major, uint32_t host_minor) {
    (void)host_major;
    (void)host_minor;
#ifdef TEST_DECLINE
    return NULL;
#else
    return &table;
#endif
}
#else
PKILAB_PLUGIN_EXPORT const pkilab_plugin* some_other_symbol(void) { return &table; }
#endif
