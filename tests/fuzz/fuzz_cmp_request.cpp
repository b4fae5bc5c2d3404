// Arbitrary bytes as the body of a CMP request (webenroll/cmp/cmp_server.hpp): the server
// decodes them, picks the shared secret or checks the signature, and runs OpenSSL's
// OSSL_CMP_SRV_CTX with the lab's callbacks, against a real lab in a temporary folder.
//
// Properties, on every input: no crash and no exception but an InputError (no PKIMessage);
// otherwise the answer is one DER PKIMessage.
#include <cstddef>
#include <cstdint>

#include <openssl/cmp.h>

#include "ca/errors.hpp"
#include "tests/fuzz/fuzz_support.hpp"
#include "tests/unit/lab_fixture.hpp"
#include "webenroll/cmp/cmp_server.hpp"

namespace {

using namespace pkilab;

struct World {
    test::LabFixture fx;
    web::CmpServer server{fx.lab(), {{"pkilab-cmp", Bytes{'f', 'u', 'z', 'z', '-', 's', 'e', 'c', 'r', 'e', 't'}}},
                          web::load_or_issue_cmp_identity(fx.lab(), fx.lab().ca("issuing"))};
};

World& world() {
    static World w;
    return w;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    World& w = world();
    const web::CmpTarget target{"", "WebServer", "issuing"};
    Bytes answer;
    if (!fuzz::accepts([&] { answer = w.server.handle(ByteView(data, size), target); })) return 0;
    const unsigned char* p = answer.data();
    OSSL_CMP_MSG* msg = d2i_OSSL_CMP_MSG(nullptr, &p, static_cast<long>(answer.size()));
    fuzz::require(msg != nullptr && p == answer.data() + answer.size(), "the answer is one DER PKIMessage");
    OSSL_CMP_MSG_free(msg);
    return 0;
}
