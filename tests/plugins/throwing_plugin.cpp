// A C++ plugin written without the SDK's C++ layer, whose evaluate() lets an exception out:
// the host must turn that into a refusal, not unwind into the CA.
#include <stdexcept>

#include "pkilab_plugin.h"

namespace {
int create(const pkilab_config*, const pkilab_sink*, void** instance) {
    static int token;
    *instance = &token;
    return 0;
}
void destroy(void*) {}
uint32_t evaluate(void*, const pkilab_request*, const pkilab_sink*) { throw std::runtime_error("boom"); }
const pkilab_plugin table = {sizeof(pkilab_plugin), PKILAB_PLUGIN_ABI_MAJOR, PKILAB_PLUGIN_ABI_MINOR, "throwing", "0.1",
                             "throws", PKILAB_PLUGIN_THREAD_SAFE, create, destroy, evaluate, nullptr};
}  // namespace

extern "C" PKILAB_PLUGIN_EXPORT const pkilab_plugin* pkilab_plugin_entry(uint32_t, uint32_t) { return &table; }
