/* require_organization: a complete pkilab policy plugin in C, built out of tree with nothing
 * but the SDK header (docs/PLUGINS.md):
 *
 *   cc -shared -fPIC -fvisibility=hidden -I plugins/sdk \
 *      plugins/examples/require_organization.c -o librequire_organization.so
 *
 * It refuses a request whose subject has no O= (organization) attribute, or whose O= is not
 * the one configured:
 *
 *   plugins:
 *     directories: [./my-plugins]
 *     load:
 *       - name: org
 *         file: librequire_organization.so
 *         config: {organization: Example Lab}
 */
#include <stdlib.h>
#include <string.h>

#include "pkilab_plugin.h"

typedef struct {
    char organization[256]; /* empty: any O= will do */
} org_policy;

static int equals(pkilab_str a, const char* b) { return a.len == strlen(b) && memcmp(a.ptr, b, a.len) == 0; }

static int create(const pkilab_config* config, const pkilab_sink* errors, void** instance) {
    org_policy* p = (org_policy*)calloc(1, sizeof *p);
    size_t i;
    if (p == NULL) return 1;
    for (i = 0; i < config->entry_count; ++i) {
        const pkilab_config_entry* e = &config->entries[i];
        if (equals(e->key, "organization") && e->value.len < sizeof p->organization) {
            memcpy(p->organization, e->value.ptr, e->value.len);
        } else {
            errors->add_finding(errors->host, PKILAB_SEVERITY_ERROR, pkilab_cstr("config.unknown"), e->key,
                                pkilab_cstr("unknown setting, or a value over 255 bytes"), pkilab_cstr("the only setting is organization"));
            free(p);
            return 1;
        }
    }
    *instance = p;
    return 0;
}

static void destroy(void* instance) { free(instance); }

/* The O= value of an RFC 4514 subject as pkilab shows it ("CN=x, O=Example Lab, C=US"). */
static pkilab_str organization_of(pkilab_str subject) {
    pkilab_str none = {NULL, 0};
    size_t i = 0;
    while (i + 2 <= subject.len) {
        if ((i == 0 || subject.ptr[i - 1] == ' ') && subject.ptr[i] == 'O' && subject.ptr[i + 1] == '=') {
            size_t end = i + 2;
            while (end < subject.len && subject.ptr[end] != ',') ++end;
            none.ptr = subject.ptr + i + 2;
            none.len = end - i - 2;
            return none;
        }
        ++i;
    }
    return none;
}

static uint32_t evaluate(void* instance, const pkilab_request* r, const pkilab_sink* out) {
    const org_policy* p = (const org_policy*)instance;
    /* The certificate the CA would sign, when there is one: its subject is the one that counts. */
    pkilab_str subject = r->cert != NULL ? r->cert->subject : (r->csr != NULL ? r->csr->subject : pkilab_cstr(""));
    pkilab_str org = organization_of(subject);
    if (org.ptr == NULL) {
        out->add_finding(out->host, PKILAB_SEVERITY_ERROR, pkilab_cstr("org.missing"), pkilab_cstr("subject.O"),
                         pkilab_cstr("the subject has no organization (O=)"), pkilab_cstr("add O=<your organization> to the subject"));
        return PKILAB_VERDICT_DENY;
    }
    if (p->organization[0] != '\0' && !equals(org, p->organization)) {
        out->add_finding(out->host, PKILAB_SEVERITY_ERROR, pkilab_cstr("org.wrong"), pkilab_cstr("subject.O"),
                         pkilab_cstr("the subject's organization is not the one this CA certifies"),
                         pkilab_cstr("use the organization named in the lab file's plugin configuration"));
        return PKILAB_VERDICT_DENY;
    }
    return PKILAB_VERDICT_ALLOW;
}

static const pkilab_plugin table = {
    sizeof(pkilab_plugin), PKILAB_PLUGIN_ABI_MAJOR, PKILAB_PLUGIN_ABI_MINOR, "require-organization", "1.0.0",
    "refuses subjects without the configured O=", PKILAB_PLUGIN_THREAD_SAFE, create, destroy, evaluate, NULL};

PKILAB_PLUGIN_EXPORT const pkilab_plugin* pkilab_plugin_entry(uint32_t host_major, uint32_t host_minor) {
    (void)host_minor; /* a 1.x host reads every field this 1.0 table has */
    return host_major == PKILAB_PLUGIN_ABI_MAJOR ? &table : NULL;
}
